"""Inputs and records of substitute financing: orders, facilities, pool, policy, trigger."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from eth_typing import ChecksumAddress
from pydantic import Field

from .errors import InputError
from .models import Amount, Record
from .projects import Identifier, Spec

#: The documented reasons an oracle may give for a disruption. Another reason is taken only
#: when the reporter asks for it on purpose (`--other-reason`, `other_reason:`), so that a
#: typo never disrupts a supplier.
DISRUPTION_REASONS = (
    "EXPORT_CONTROL",
    "SANCTIONS",
    "FIRE",
    "FLOOD",
    "EARTHQUAKE",
    "INSOLVENCY",
    "QUALITY_FAILURE",
    "LOGISTICS",
    "CYBER_ATTACK",
)


def check_reason(reason: str, *, other: bool = False) -> str:
    """`reason` if it is a documented disruption reason (or `other` says it is meant as
    another); `InputError` otherwise, naming the list."""
    if other:
        if reason in DISRUPTION_REASONS:
            raise InputError(f"{reason} is a documented reason: give it with --reason")
        return reason
    if reason not in DISRUPTION_REASONS:
        raise InputError(
            f"unknown disruption reason {reason!r}: one of {', '.join(DISRUPTION_REASONS)}",
            hint="another reason is taken only with --other-reason (other_reason: in a scenario)",
        )
    return reason


ORDER_STATUS = (
    "None",
    "Pending",
    "Open",
    "Financed",
    "Delivered",
    "Accepted",
    "Settled",
    "Cancelled",
    "ClosedUndelivered",
)
#: The contract's Policy struct, field by field, in order.
POLICY_FIELDS = (
    "band_floors",
    "band_advance_bps",
    "base_rate_bps",
    "margin_bps",
    "payment_lag_days",
    "grace_days",
    "notice_days",
    "max_lead_days",
    "min_advance",
    "exposure_cap_bps",
    "project_cap_bps",
    "window_cap_bps",
    "window_days",
    "quorum",
    "quorum_window",
    "max_per_call",
    "acceptance_days",
    "max_order_horizon_days",
    "shock_cap_bps",
)
#: The terms by stage, kept apart from the Policy struct (`setStageTerms`, `stageTerms`).
STAGE_FIELDS = ("stage_advance_bps", "stage_max_tenor_days")
#: Life-cycle stages of a milestone, in the contracts' order (`IFundLedger.Stage`).
STAGES = ("research", "pilot", "industrialisation", "market")
FACILITY_STATUS = ("None", "Active", "Repaid")


class OrderSpec(Spec):
    """A new purchase order: its value is reserved in the project's budget line and milestone.

    `po` is the purchase-order reference, unique within the project. At or above the
    project's dual-control threshold the order waits for the reviewer's approval.
    """

    project: Identifier
    po: Identifier
    part: Identifier
    supplier: str
    value: Amount = Field(gt=0)
    category: Identifier
    milestone: int = Field(ge=0)
    due: int | str = Field(description="A timestamp, or a duration from now such as 90d")


class OrderRecord(Record):
    id: int
    project: str
    po: str
    part: str
    supplier: ChecksumAddress
    original_supplier: ChecksumAddress
    value: Amount
    category: str
    milestone: int
    due: datetime
    status: str
    facility: int | None
    accept_by: datetime | None = None


class OrderStep(Record):
    """One event in an order's life, read back from the chain's logs."""

    block: int
    time: datetime
    tx_hash: str
    contract: str
    event: str
    args: dict[str, Any]


class FacilityRecord(Record):
    id: int
    order: int
    substitute: ChecksumAddress
    principal: Amount
    rate_bps: int
    opened_at: datetime
    due: datetime
    stop: datetime
    episode: int
    terms_version: int
    stage: str
    status: str
    owed_principal: Amount
    owed_interest: Amount


class PoolStatus(Record):
    total_assets: Amount
    idle: Amount
    outstanding_principal: Amount
    accrued_interest: Amount
    total_shares: str
    share_price: str


class PolicyRecord(Record):
    """The financing policy; `min_advance` in token units. `terms_version` is the version of
    the terms a substitute accepts by opting in (advance, rate, lag, grace, and their values
    by stage). `stage_advance_bps[i]` replaces `band_advance_bps` for orders whose milestone
    is of stage `STAGES[i]` (three zeros: the bands' own shares) and `stage_max_tenor_days[i]`
    is the longest a facility of that stage may run from opening to due (0: no limit).
    `shock_cap_bps` caps what one regional shock's disruptions may draw, as a share of the
    pool's assets when it is reported."""

    band_floors: list[int]
    band_advance_bps: list[int]
    base_rate_bps: int
    margin_bps: int
    payment_lag_days: int
    grace_days: int
    notice_days: int
    max_lead_days: int
    min_advance: int
    exposure_cap_bps: int
    project_cap_bps: int
    window_cap_bps: int
    window_days: int
    quorum: int
    quorum_window: int
    max_per_call: int
    acceptance_days: int
    max_order_horizon_days: int
    stage_advance_bps: Annotated[
        list[Annotated[list[int], Field(min_length=3, max_length=3)]],
        Field(min_length=len(STAGES), max_length=len(STAGES)),
    ] = [[0, 0, 0] for _ in STAGES]
    stage_max_tenor_days: Annotated[
        list[int], Field(min_length=len(STAGES), max_length=len(STAGES))
    ] = [0 for _ in STAGES]
    shock_cap_bps: int = 5000
    terms_version: int = 0


class PassedOver(Record):
    candidate: ChecksumAddress
    reason: str


class OrderOutcome(Record):
    """What the trigger did with one order."""

    order: int
    financed: bool
    substitute: ChecksumAddress | None = None
    facility: int | None = None
    advance: Amount | None = None
    rate_bps: int | None = None
    reason: str | None = None
    passed_over: list[PassedOver] = []


class TriggerReport(Record):
    """A disruption report or a `processDisruption` call and its outcome."""

    supplier: ChecksumAddress
    tx_hash: str
    gas_used: int
    reports: int | None = None
    quorum: int | None = None
    disrupted: bool
    episode: int | None = None
    window_room: Amount | None = None
    outcomes: list[OrderOutcome]
    waiting: int | None = None


class ShockReport(Record):
    """A regional shock report or `processRegionalShock` call and its outcome: the members
    marked Disrupted in it and what the trigger did with their orders."""

    region: str
    tx_hash: str
    gas_used: int
    reports: int | None = None
    quorum: int | None = None
    shock: int | None = None
    cap: Amount | None = None
    disrupted: list[ChecksumAddress] = []
    outcomes: list[OrderOutcome] = []
    looked: int | None = None
    cursor: int | None = None
    members: int | None = None


class ShockRecord(Record):
    """A regional shock as the financing contract keeps it: `cursor` of the `members` listed
    at quorum walked, and `position` in the current member's open orders."""

    id: int
    region: str
    cap: Amount
    drawn: Amount
    cursor: int
    in_force: bool
    members: int
    position: int


class Settlement(Record):
    """A `settleOrder` call: what the ledger paid the pool and the supplier. `to_supplier` is
    the supplier's share, of which `set_off` was kept to repay what it owes the project in
    recoveries (the rest was transferred). `held` is the supplier's part kept reserved
    because the supplier is not an eligible payee now."""

    order: int
    tx_hash: str
    gas_used: int
    settled: bool
    to_pool: Amount
    to_supplier: Amount
    set_off: Amount = 0
    held: Amount = 0
    supplier: ChecksumAddress
