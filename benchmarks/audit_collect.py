"""Audit cost per event at 500 and 5,000 events, on the embedded chain and on anvil.

    .venv/bin/python -m benchmarks.audit_collect [--skip-anvil]

Builds a chain whose ledger carries N events (batches of 100 payments: each payment logs a
token Transfer and a FundsDisbursed), then times a full audit (collection without cache,
books, checks) and prints time per event and the ratio of 5,000 to 500. Linear collection
keeps that ratio near 1 (the goal: at most 2).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from chain_client.audit.books import build_books
from chain_client.audit.checks import check_rules
from chain_client.audit.collect import collect
from chain_client.chain.accounts import AliasTarget
from chain_client.chain.node import start_anvil, stop_anvil
from chain_client.config import Settings
from chain_client.contracts import Ledger, Registry, Token
from chain_client.deploy import deploy
from chain_client.session import Session, open_session

BATCH = 100


def build(session: Session, events: int) -> None:
    deploy(session)
    for name, index in {"gov": 5, "owner": 6, "a": 7, "b": 8}.items():
        session.accounts.add(name, AliasTarget(index=index))
    Token(session).mint("gov", 10**14)
    registry, ledger = Registry(session), Ledger(session)
    for who in ("a", "b"):
        registry.register(who, who, ["P"], 1)
    ledger.create_project(
        {
            "id": "P",
            "owner": "owner",
            "budget": {"M": "100000000000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "100000000000.00"}],
        }
    )
    ledger.fund("P", 10**14, funder="gov")
    ledger.approve_milestone("P", 0)
    payments = [
        {"to": "ab"[i % 2], "amount": 1_00, "category": "M", "milestone": 0} for i in range(BATCH)
    ]
    while len(collect(session, use_cache=False)) < events:
        ledger.disburse_batch("P", payments)


def measure(session: Session) -> tuple[int, float]:
    started = time.perf_counter()
    rows = collect(session, use_cache=False)
    addresses = {n: r.address for n, r in session.deployment().contracts.items()}
    build_books(rows, addresses)
    check_rules(rows, addresses)
    return len(rows), time.perf_counter() - started


def run(backend: str, sizes: tuple[int, ...]) -> list[tuple[str, int, float]]:
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
                    count, seconds = measure(session)
            finally:
                if backend == "anvil":
                    stop_anvil(workspace)
        out.append((backend, count, seconds))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-anvil", action="store_true")
    args = parser.parse_args()
    rows = run("embedded", (500, 5000)) + ([] if args.skip_anvil else run("anvil", (500, 5000)))
    for backend in dict.fromkeys(r[0] for r in rows):
        small, large = [r for r in rows if r[0] == backend]
        per_small, per_large = small[2] / small[1] * 1e6, large[2] / large[1] * 1e6
        for _, count, seconds in (small, large):
            per_event = seconds / count * 1e6
            print(f"{backend:<9} {count:>6} events  {seconds:7.3f} s  {per_event:8.1f} µs/event")
        print(f"{backend:<9} µs/event at {large[1]} vs {small[1]}: x{per_large / per_small:.2f}")


if __name__ == "__main__":
    main()
