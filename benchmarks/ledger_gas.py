"""Gas of FundLedger payments: one disbursement, and per item in batches.

    .venv/bin/python -m benchmarks.ledger_gas

Prints gas of a first payment to a payee (fresh storage slots), of a repeat payment, of the
same repeat payment after many more projects and payments exist (the ratio to the baseline
shows gas does not grow with the system), and per-item gas of batches of 10 and 100.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from chain_client.chain.accounts import AliasTarget
from chain_client.config import Settings
from chain_client.contracts import Ledger, Registry, Token
from chain_client.deploy import deploy
from chain_client.models import TxResult
from chain_client.session import Session, open_session

SPEC = {
    "owner": "chipco",
    "budget": {"MATERIALS": "500000000.00", "EQUIPMENT": "500000000.00"},
    "milestones": [{"stage": "RESEARCH", "amount": "1000000000.00"}],
}


def setup_payments(session: Session) -> Callable[..., TxResult]:
    """Deploys, opens project P0 (funded, milestone 0 approved) and returns `pay(project,
    to="a", amount=1,000.00, **extra)`, which disburses from MATERIALS and returns the
    transaction; `pay.open_project(pid)` opens another project the same way."""
    deploy(session)
    for name, index in {"gov_fund": 5, "chipco": 7, "a": 8, "b": 9}.items():
        session.accounts.add(name, AliasTarget(index=index))
    token, registry, ledger = Token(session), Registry(session), Ledger(session)
    token.mint("gov_fund", 10**15)
    for who in ("a", "b"):
        registry.register(who, who, ["PART"], 1)

    def open_project(pid: str) -> None:
        ledger.create_project({**SPEC, "id": pid})
        ledger.fund(pid, 1_000_000_000_00, funder="gov_fund")
        ledger.approve_milestone(pid, 0)

    def pay(pid: str, to: str = "a", amount: int = 1_000_00, **extra: str) -> TxResult:
        payment = {"to": to, "amount": amount, "category": "MATERIALS", "milestone": 0}
        return ledger.disburse(pid, {**payment, **extra})

    open_project("P0")
    pay.open_project = open_project  # type: ignore[attr-defined]
    return pay


def measure() -> list[tuple[str, int]]:
    """(label, gas) of each payment figure, on a fresh embedded chain."""
    with (
        tempfile.TemporaryDirectory() as folder,
        open_session(Settings(workspace=folder), writable=True) as session,
    ):
        send = setup_payments(session)
        token, ledger = Token(session), Ledger(session)
        open_project = send.open_project  # type: ignore[attr-defined]

        def pay(pid: str, to: str = "a", amount: int = 1_000_00, **extra: str) -> int:
            return send(pid, to, amount, **extra).gas_used

        first = pay("P0")
        repeat = pay("P0")
        invoiced = pay("P0", invoice="INV-2026-0042", memo="lot 7 of 12")
        token.transfer("a", 1_00, sender="gov_fund")
        transfer = token.transfer("a", 1_00, sender="gov_fund").gas_used
        for i in range(1, 21):
            open_project(f"P{i}")
            pay(f"P{i}", "b")
        for _ in range(30):
            pay("P0", "b")
        after = pay("P0")

        rows = [
            ("ERC-20 transfer (baseline)", transfer),
            ("disburse, first payment to a payee", first),
            ("disburse, repeat payment (baseline)", repeat),
            ("disburse, repeat payment with invoice and memo", invoiced),
            ("disburse, repeat after 20 projects and 50 payments", after),
        ]
        for size in (10, 100):
            payments = [
                {"to": "ab"[i % 2], "amount": 1_000_00, "category": "MATERIALS", "milestone": 0}
                for i in range(size)
            ]
            total = ledger.disburse_batch("P0", payments).gas_used
            rows.append((f"batch of {size}, gas per item", total // size))
        return rows


def main() -> None:
    rows = measure()
    repeat = dict(rows)["disburse, repeat payment (baseline)"]
    width = max(len(label) for label, _ in rows)
    for label, gas in rows:
        print(f"{label:<{width}}  {gas:>9,}  x{gas / repeat:.2f} of baseline")


if __name__ == "__main__":
    main()
