"""Gas of the disruption trigger: by orders handled, and by suppliers in the registry.

    .venv/bin/python -m benchmarks.trigger_gas [--suppliers 500]

Each figure is measured from the same snapshot of a deployed chain (one project, a funded
pool, three opted-in substitutes), so that only the variable named changes. Ratios are to
the one-order, few-suppliers baseline.
"""

from __future__ import annotations

import argparse
import tempfile

from chain_client.chain.accounts import AliasTarget
from chain_client.config import Settings
from chain_client.contracts import Financing, Ledger, Pool, Registry, Token
from chain_client.deploy import deploy
from chain_client.orders import TriggerReport
from chain_client.session import Session, open_session

PART = "ARF_RESIST"


def build(session: Session) -> None:
    deploy(session)
    for name, index in {
        "gov": 5,
        "bank": 6,
        "owner": 7,
        "cut": 8,
        "s1": 9,
        "s2": 10,
        "s3": 11,
    }.items():
        session.accounts.add(name, AliasTarget(index=index))
    token, registry, ledger = Token(session), Registry(session), Ledger(session)
    token.mint("gov", 10**13)
    token.mint("bank", 10**13)
    registry.register("cut", "Cut", [PART], 10**12)
    registry.rate("cut", 820)
    for name, score in (("s1", 900), ("s2", 750), ("s3", 650)):
        registry.register(name, name, [PART], 10**12)
        registry.rate(name, score)
        registry.qualify(PART, "30d", supplier=name)
    ledger.create_project(
        {
            "id": "P",
            "owner": "owner",
            "budget": {"M": "10000000000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "10000000000.00"}],
        }
    )
    ledger.fund("P", 10**12, funder="gov")
    ledger.approve_milestone("P", 0, "plan")  # advances are made only on approved milestones
    Pool(session).deposit(10**12, by="bank")


def trigger(session: Session, orders: int) -> int:
    return report(session, orders).gas_used


def report(session: Session, orders: int) -> TriggerReport:
    """Registers `orders` open orders with the cut-off supplier and reports it to quorum."""
    financing = Financing(session)
    for number in range(orders):
        financing.register_order(
            {
                "project": "P",
                "po": f"PO-{number + 1}",
                "part": PART,
                "supplier": "cut",
                "value": 10_000_00,  # 80 % of it is above the 1,000.00 smallest advance
                "category": "M",
                "milestone": 0,
                "due": "90d",
            }
        )
    result = financing.report_disruption("cut", "FIRE")
    assert sum(o.financed for o in result.outcomes) == orders
    return result


def measure(suppliers: int = 500) -> list[tuple[str, int]]:
    """(label, gas) of the trigger with 1 and 10 open orders, and with 10 and `suppliers`
    registered suppliers, on a fresh embedded chain."""
    with (
        tempfile.TemporaryDirectory() as folder,
        open_session(Settings(workspace=folder), writable=True) as session,
    ):
        build(session)
        tester = session.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        base = tester.take_snapshot()
        rows = []
        for orders in (1, 10):
            rows.append((f"trigger, {orders} open order(s), 4 suppliers", trigger(session, orders)))
            tester.revert_to_snapshot(base)
        registry = Registry(session)
        for count in (10, suppliers):
            tester.revert_to_snapshot(base)
            for i in range(count - 4):
                registry.register("0x" + f"{i + 1:040x}", f"X{i}", ["OTHER"], 1)
            rows.append((f"trigger, 10 open orders, {count} suppliers", trigger(session, 10)))
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--suppliers", type=int, default=500, help="registered suppliers for the last row"
    )
    args = parser.parse_args()
    rows = measure(args.suppliers)
    baseline = rows[0][1]
    width = max(len(label) for label, _ in rows)
    for label, gas in rows:
        print(f"{label:<{width}}  {gas:>10,}  x{gas / baseline:.2f}")


if __name__ == "__main__":
    main()
