"""What-if: if a supplier were cut off now, which of its orders would move, to whom, what
the pool would advance, and what would be left unfinanced.

The shock is played with the real contracts on a copy of the embedded chain: a read-only
session whose chain store keeps every change in memory and drops it (`SqliteKV`), so the
workspace's chain is never written, whatever happens during the play. The oracles that hold
the role report the supplier until quorum, and the trigger is continued until every open
order has been looked at once, exactly as `scf disruption report` and
`scf disruption process` would do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from ..config import Settings
from ..contracts import Financing, Pool, Registry
from ..errors import ContractRevert, InputError
from ..models import Amount
from ..orders import OrderOutcome
from ..session import Session, open_session

#: The reason the what-if reports under (free text, as `--other-reason` takes it).
REASON = "WHAT_IF"


class WhatIf(BaseModel):
    """The outcome of cutting `supplier` off now, played on a copy of the chain."""

    supplier: str
    block: int
    open_orders: int
    outcomes: list[OrderOutcome]
    advanced: Amount
    idle_before: Amount
    idle_after: Amount
    unfinanced: int
    unfinanced_value: Amount
    short_of_cash: Amount  # value of the orders left for want of cash in the pool


@contextmanager
def played_copy(settings: Settings) -> Iterator[Session]:
    """A session on a copy of the embedded chain: transactions run, nothing is kept."""
    if not settings.is_embedded:
        raise InputError(
            "a what-if plays the shock on a copy of the embedded chain; this workspace uses a "
            "node (run it against an anvil fork of the node, or on the embedded chain)"
        )
    with open_session(settings, writable=False) as session:
        session.simulation = True
        yield session


def what_if(session: Session, supplier: str) -> WhatIf:
    """Cuts `supplier` off in `session` (a `played_copy`) and reports what the trigger did."""
    if not session.simulation:
        raise InputError("a what-if runs only on a played copy of the chain")
    registry, financing, pool = Registry(session), Financing(session), Pool(session)
    record = registry.supplier(supplier)
    if record.status != "Active":
        raise InputError(
            f"{session.name_of(record.address)} is {record.status}: "
            "only an Active supplier can be cut off"
        )
    orders = financing.open_orders(record.address)
    quorum = financing.policy().quorum
    role = financing.contract.functions.ORACLE_ROLE().call()
    oracles = [
        a
        for a in session.accounts.test_accounts
        if financing.contract.functions.hasRole(role, a).call()
    ]
    if len(oracles) < quorum:
        raise InputError(
            f"the quorum is {quorum} oracle(s) and this chain's test accounts hold only "
            f"{len(oracles)} oracle role(s)"
        )
    block = int(session.w3.eth.block_number)
    idle_before = pool.status().idle
    outcomes: dict[int, OrderOutcome] = {}
    report = None
    # every oracle in turn until the quorum is reached: one that already reported in the
    # open round (a cut-off half-reported now) is refused and the next one reports
    for oracle in oracles:
        try:
            report = financing.report_disruption(
                record.address, REASON, sender=oracle, other_reason=True
            )
        except ContractRevert as exc:
            if exc.error_name != "FinancingAlreadyReported":
                raise
            continue
        if report.disrupted:
            break
    if report is None or not report.disrupted:
        raise InputError(
            f"the oracles of this chain's test accounts cannot reach the quorum of {quorum}"
        )
    for outcome in report.outcomes:
        outcomes[outcome.order] = outcome
    # continue like anyone would, until every open order was looked at once
    while len(outcomes) < len(orders) and report.waiting:
        report = financing.process_disruption(record.address, sender=oracles[0])
        fresh = [o for o in report.outcomes if o.order not in outcomes]
        if not fresh:
            break
        for outcome in fresh:
            outcomes[outcome.order] = outcome
    values = {o: financing.order(o).value for o in orders}
    left = [o for o in outcomes.values() if not o.financed]
    advanced = sum(o.advance or 0 for o in outcomes.values() if o.financed)
    return WhatIf(
        supplier=record.address,
        block=block,
        open_orders=len(orders),
        outcomes=[outcomes[o] for o in sorted(outcomes)],
        advanced=advanced,
        idle_before=idle_before,
        idle_after=pool.status().idle,
        unfinanced=len(left),
        unfinanced_value=sum(values[o.order] for o in left),
        short_of_cash=sum(values[o.order] for o in left if o.reason == "NO_CASH"),
    )
