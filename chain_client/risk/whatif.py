"""What-if: if a supplier, or a whole region, were cut off now, which orders would move, to
whom, what the pool would advance, and what would be left unfinanced.

The shock is played with the real contracts on a copy of the embedded chain: a read-only
session whose chain store keeps every change in memory and drops it (`SqliteKV`), so the
workspace's chain is never written, whatever happens during the play. The oracles that hold
the role report the supplier until quorum, and the trigger is continued until every open
order has been looked at once, exactly as `scf disruption report` and
`scf disruption process` would do; a region is reported by `scf disruption shock` and walked
by `scf disruption shock-process` to its last member.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    """The outcome of cutting `supplier` (or every Active supplier of `region`) off now,
    played on a copy of the chain."""

    supplier: str | None = None
    region: str | None = None
    disrupted: list[str] = []
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


def oracles_of(session: Session) -> list[str]:
    """The test accounts holding the oracle role, enough for the quorum."""
    financing = Financing(session)
    quorum = financing.policy().quorum
    role = financing.contract.functions.ORACLE_ROLE().call()
    oracles: list[str] = [
        a
        for a in session.accounts.test_accounts
        if financing.contract.functions.hasRole(role, a).call()
    ]
    if len(oracles) < quorum:
        raise InputError(
            f"the quorum is {quorum} oracle(s) and this chain's test accounts hold only "
            f"{len(oracles)} oracle role(s)"
        )
    return oracles


def cut_off(session: Session, address: str, oracles: list[str]) -> dict[int, OrderOutcome]:
    """Reports the Active supplier `address` by every oracle in turn until the quorum (one
    that already reported in the open round is refused and the next one reports), then
    continues the trigger until every open order was looked at once; each order's outcome."""
    financing = Financing(session)
    orders = financing.open_orders(address)
    report = None
    for oracle in oracles:
        try:
            report = financing.report_disruption(address, REASON, sender=oracle, other_reason=True)
        except ContractRevert as exc:
            if exc.error_name != "FinancingAlreadyReported":
                raise
            continue
        if report.disrupted:
            break
    if report is None or not report.disrupted:
        raise InputError("the oracles of this chain's test accounts cannot reach the quorum")
    outcomes = {o.order: o for o in report.outcomes}
    return _continue(financing, address, orders, outcomes, report.waiting or 0, oracles[0])


def _continue(
    financing: Financing,
    address: str,
    orders: list[int],
    outcomes: dict[int, OrderOutcome],
    waiting: int,
    sender: str,
) -> dict[int, OrderOutcome]:
    """`processDisruption` like anyone would, until every order of `orders` was looked at."""
    while any(o not in outcomes for o in orders) and waiting:
        report = financing.process_disruption(address, sender=sender)
        fresh = [o for o in report.outcomes if o.order not in outcomes]
        if not fresh:
            break
        for outcome in fresh:
            outcomes[outcome.order] = outcome
        waiting = report.waiting or 0
    return outcomes


def shock_region(
    session: Session, region: str, oracles: list[str]
) -> tuple[list[str], dict[int, OrderOutcome]]:
    """Reports a shock to `region` until the quorum, walks its members to the last, then
    continues each disrupted member's orders until each was looked at once; the members
    disrupted and each order's outcome."""
    financing, registry = Financing(session), Registry(session)
    orders: dict[str, list[int]] = {
        m: financing.open_orders(m) for m in registry.region_members(region)
    }
    report = None
    for oracle in oracles:
        try:
            report = financing.report_shock(region, REASON, sender=oracle, other_reason=True)
        except ContractRevert as exc:
            if exc.error_name == "FinancingShockInForce":
                raise InputError(f"a shock to {region} is already in force") from None
            if exc.error_name != "FinancingAlreadyReportedRegion":
                raise
            continue
        if report.shock is not None:
            break
    if report is None or report.shock is None:
        raise InputError("the oracles of this chain's test accounts cannot reach the quorum")
    disrupted: list[str] = list(report.disrupted)
    outcomes = {o.order: o for o in report.outcomes}
    while report.cursor is not None and report.members is not None:
        if report.cursor >= report.members:
            break
        before = (report.cursor, len(outcomes), len(disrupted))
        report = financing.process_shock(region, sender=oracles[0])
        disrupted += report.disrupted
        for outcome in report.outcomes:
            outcomes.setdefault(outcome.order, outcome)
        if (report.cursor, len(outcomes), len(disrupted)) == before:
            break
    for member in disrupted:
        _continue(financing, member, orders.get(member, []), outcomes, 1, oracles[0])
    return disrupted, outcomes


def what_if(session: Session, supplier: str) -> WhatIf:
    """Cuts `supplier` off in `session` (a `played_copy`) and reports what the trigger did."""
    if not session.simulation:
        raise InputError("a what-if runs only on a played copy of the chain")
    record = Registry(session).supplier(supplier)
    if record.status != "Active":
        raise InputError(
            f"{session.name_of(record.address)} is {record.status}: "
            "only an Active supplier can be cut off"
        )
    oracles = oracles_of(session)
    orders = Financing(session).open_orders(record.address)
    return _measure(
        session,
        lambda: ([record.address], cut_off(session, record.address, oracles)),
        supplier=record.address,
        open_orders=len(orders),
    )


def what_if_region(session: Session, region: str) -> WhatIf:
    """Reports a shock to `region` in `session` (a `played_copy`) and reports what the
    trigger did to the orders of every member it disrupted."""
    if not session.simulation:
        raise InputError("a what-if runs only on a played copy of the chain")
    registry, financing = Registry(session), Financing(session)
    members: list[str] = [
        m for m in registry.region_members(region) if registry.supplier(m).status == "Active"
    ]
    if not members:
        raise InputError(f"region {region} has no Active supplier to cut off")
    oracles = oracles_of(session)
    open_orders = sum(len(financing.open_orders(m)) for m in members)
    return _measure(
        session,
        lambda: shock_region(session, region, oracles),
        region=region,
        open_orders=open_orders,
    )


def _measure(
    session: Session,
    play: Callable[[], tuple[list[str], dict[int, OrderOutcome]]],
    *,
    open_orders: int,
    supplier: str | None = None,
    region: str | None = None,
) -> WhatIf:
    financing, pool = Financing(session), Pool(session)
    block = int(session.w3.eth.block_number)
    idle_before = pool.status().idle
    disrupted, outcomes = play()
    values = {o: financing.order(o).value for o in outcomes}
    left = [o for o in outcomes.values() if not o.financed]
    return WhatIf(
        supplier=supplier,
        region=region,
        disrupted=disrupted,
        block=block,
        open_orders=open_orders,
        outcomes=[outcomes[o] for o in sorted(outcomes)],
        advanced=sum(o.advance or 0 for o in outcomes.values() if o.financed),
        idle_before=idle_before,
        idle_after=pool.status().idle,
        unfinanced=len(left),
        unfinanced_value=sum(values[o.order] for o in left),
        short_of_cash=sum(values[o.order] for o in left if o.reason == "NO_CASH"),
    )
