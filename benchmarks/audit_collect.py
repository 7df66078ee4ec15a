"""Audit cost per event from 1,000 to 20,000 events, on the embedded chain and on anvil.

    .venv/bin/python -m benchmarks.audit_collect [--skip-anvil] [--sizes 1000,20000]

Builds a chain whose logs carry N events in rounds of: a batch of 100 payments (each logs a
token Transfer and a FundsDisbursed), two orders of a supplier, its disruption (both orders
move to a pre-qualified substitute with an advance from the pool) and its recovery. Then
times a full audit from scratch: collection without cache, books, rules and the decision
replay; prints time per event, the ratio of the largest size to the smallest (the goal: at
most 1.5) and the peak memory the audit allocated (tracemalloc).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from chain_client.audit.books import build_books
from chain_client.audit.checks import check_rules
from chain_client.audit.collect import collect
from chain_client.audit.replay import replay
from chain_client.chain.accounts import AliasTarget
from chain_client.chain.node import start_anvil, stop_anvil
from chain_client.config import Settings
from chain_client.contracts import Financing, Ledger, Pool, Registry, Token
from chain_client.deploy import deploy
from chain_client.session import Session, open_session

BATCH = 100
PART = "ARF_RESIST"


def build(session: Session, events: int) -> None:
    deploy(session)
    for name, index in {"gov": 5, "owner": 6, "a": 7, "b": 8, "bank": 9, "sub": 10}.items():
        session.accounts.add(name, AliasTarget(index=index))
    token, registry, ledger = Token(session), Registry(session), Ledger(session)
    financing = Financing(session)
    token.mint("gov", 10**14)
    token.mint("bank", 10**13)
    for who in ("a", "b", "sub"):
        registry.register(who, who, [PART], 10**12)
        registry.rate(who, 800)
    registry.qualify(PART, "30d", supplier="sub")
    ledger.create_project(
        {
            "id": "P",
            "owner": "owner",
            "budget": {"M": "100000000000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "100000000000.00"}],
        }
    )
    ledger.fund("P", 10**14, funder="gov")
    ledger.approve_milestone("P", 0, "plan")
    Pool(session).deposit(10**13, by="bank")
    payments = [
        {"to": "ab"[i % 2], "amount": 1_00, "category": "M", "milestone": 0} for i in range(BATCH)
    ]
    round_ = 0
    while len(collect(session)) < events:  # the workspace cache: only new blocks are read
        ledger.disburse_batch("P", payments)
        for n in range(2):
            financing.register_order(
                {
                    "project": "P",
                    "po": f"PO-{round_}-{n}",
                    "part": PART,
                    "supplier": "a",
                    "value": 10_000_00,
                    "category": "M",
                    "milestone": 0,
                    "due": "90d",
                }
            )
        report = financing.report_disruption("a", "FIRE")
        assert sum(o.financed for o in report.outcomes) == 2
        financing.report_recovery("a")
        round_ += 1


def audit(session: Session) -> tuple[int, int]:
    """The audit from scratch; events read and decisions replayed."""
    rows = collect(session, use_cache=False)
    addresses = {n: r.address for n, r in session.deployment().contracts.items()}
    build_books(rows, addresses)
    failed = [c.name for c in check_rules(rows, addresses) if not c.ok]
    replayed = replay(rows)
    assert not failed and not replayed.disagreements, (failed, replayed.disagreements[:3])
    return len(rows), replayed.decisions


def measure(session: Session) -> tuple[int, int, float, int]:
    """Events, decisions replayed, seconds (best of 2), peak bytes the audit allocated (a
    separate run: tracing allocations slows Python down)."""
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        count, decisions = audit(session)
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    audit(session)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, decisions, min(seconds), peak


def run(backend: str, sizes: tuple[int, ...]) -> list[tuple[str, int, int, float, int]]:
    out = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            workspace = Path(folder)
            if backend == "anvil":
                url = start_anvil(workspace, 8645 + size % 1000)["url"]
                settings = Settings(chain=url, workspace=workspace)
            else:
                settings = Settings(workspace=workspace)
            try:
                with open_session(settings, writable=True) as session:
                    build(session, size)
                    out.append((backend, *measure(session)))
            finally:
                if backend == "anvil":
                    stop_anvil(workspace)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-anvil", action="store_true")
    parser.add_argument("--sizes", default="1000,20000", help="event counts, comma-separated")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    rows = run("embedded", sizes) + ([] if args.skip_anvil else run("anvil", sizes))
    for backend in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == backend]
        for _, count, decisions, seconds, peak in mine:
            print(
                f"{backend:<9} {count:>6} events {decisions:>5} decisions  {seconds:7.3f} s  "
                f"{seconds / count * 1e6:8.1f} µs/event  peak {peak / 2**20:6.1f} MiB"
            )
        small, large = mine[0], mine[-1]
        ratio = (large[3] / large[1]) / (small[3] / small[1])
        print(
            f"{backend:<9} µs/event at {large[1]} vs {small[1]}: x{ratio:.2f} (goal: at most 1.5)"
        )


if __name__ == "__main__":
    main()
