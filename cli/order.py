"""`scf order`: register, approve, cancel, record-delivery, accept-delivery, reject-delivery,
settle, list, show."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group

from chain_client.contracts import Financing, Ledger
from chain_client.orders import OrderSpec, OrderStep
from chain_client.projects import parse_spec
from chain_client.session import Session
from chain_client.units import format_amount, from_bytes32

from .common import By, output, session, table

app = typer.Typer(
    help="Purchase orders of projects: reserved, approved, delivered, accepted, settled.",
    no_args_is_help=True,
)

OrderId = Annotated[int, typer.Argument(help="The order number.")]
Evidence = Annotated[
    str | None,
    typer.Option(help="Evidence: a text, or @FILE for a file's bytes (stored as its keccak256)."),
]


@app.command("register")
def register_command(
    ctx: typer.Context,
    project: Annotated[str, typer.Option(help="The project id.")],
    part: Annotated[str, typer.Option(help="Part code.")],
    supplier: Annotated[str, typer.Option(help="The supplier: an alias or address.")],
    value: Annotated[str, typer.Option(help='Order value, e.g. "3000000.00".')],
    category: Annotated[str, typer.Option(help="Budget line.")],
    milestone: Annotated[int, typer.Option(help="Milestone number, from 0.")],
    due: Annotated[
        str,
        typer.Option(
            help="Due in, e.g. 90d (at most the policy's order horizon, 3 years by default)."
        ),
    ],
    po: Annotated[
        str,
        typer.Option(help="Purchase-order reference (at most 31 bytes), unique in the project."),
    ],
    by: By = None,
) -> None:
    """Register a purchase order (sent by the project owner); reserves its value in the ledger.

    At or above the project's dual-control threshold it waits for `scf order approve`."""
    spec = parse_spec(
        OrderSpec,
        {
            "project": project,
            "po": po,
            "part": part,
            "supplier": supplier,
            "value": value,
            "category": category,
            "milestone": milestone,
            "due": due,
        },
    )
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        result, order = financing.register_order(spec, sender=by)
        record = financing.order(order)
        text = (
            f"order {order} (PO {record.po}): {format_amount(record.value, grouping=True)} of "
            f"{part} from {s.name_of(record.supplier)} for {project}, due {record.due:%Y-%m-%d}"
        )
        if record.status == "Pending":
            text += (
                f"\nit is at or above the dual-control threshold and awaits the reviewer's "
                f"approval: scf order approve {order}"
            )
        output(ctx, {"order": record, "transaction": result}, text)


@app.command("approve")
def approve_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """Approve a pending order (sent by the reviewer); it may then be financed and settled."""
    with session(ctx, writable=True) as s:
        result = Financing(s).approve_order(order, sender=by or "reviewer")
        output(ctx, result, f"order {order} approved")


@app.command("cancel")
def cancel_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """Cancel a pending or open order (sent by the project owner)."""
    with session(ctx, writable=True) as s:
        result = Financing(s).cancel_order(order, sender=by)
        output(ctx, result, f"order {order} cancelled; its reservation is released")


@app.command("record-delivery")
def deliver_command(
    ctx: typer.Context, order: OrderId, evidence: Evidence = None, by: By = None
) -> None:
    """Record delivery with evidence (sent by the order's current supplier)."""
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        result = financing.record_delivery(order, evidence, sender=by)
        record = financing.order(order)
        assert record.accept_by is not None
        output(
            ctx,
            {"order": record, "transaction": result},
            f"order {order}: delivery recorded by {s.name_of(record.supplier)}; the owner "
            f"accepts it, or it counts as accepted from {record.accept_by:%Y-%m-%d %H:%M} UTC",
        )


@app.command("accept-delivery")
def accept_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """Accept a recorded delivery (sent by the project owner); anyone may then settle."""
    with session(ctx, writable=True) as s:
        result = Financing(s).accept_delivery(order, sender=by)
        output(ctx, result, f"order {order}: delivery accepted; settle it with `scf order settle`")


@app.command("reject-delivery")
def reject_command(
    ctx: typer.Context, order: OrderId, evidence: Evidence = None, by: By = None
) -> None:
    """Reject a recorded delivery within its acceptance period (sent by the reviewer)."""
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        result = financing.reject_delivery(order, evidence, sender=by or "reviewer")
        status = financing.order(order).status
        output(ctx, result, f"order {order}: delivery rejected; the order is {status} again")


@app.command("close-undelivered")
def close_undelivered_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """End a financed order with no accepted delivery after its facility's grace period (sent
    by the reviewer): the pool is repaid from the reservation, the rest returns to the
    project, and what the pool took is recorded as owed by the substitute."""
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        result = financing.close_undelivered(order, sender=by or "reviewer")
        o = financing.order(order)
        owed = Ledger(s).recovery_owed(o.project, o.supplier)
        output(
            ctx,
            {"transaction": result, "order": o},
            f"order {order} closed undelivered; {s.name_of(o.supplier)} owes {o.project} "
            f"{format_amount(owed, grouping=True)} (scf recovery repay)",
        )


@app.command("settle")
def settle_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """Settle an accepted order (anyone may): the pool is repaid first, the supplier gets
    the rest, each leg under the rules of a direct payment."""
    with session(ctx, writable=True) as s:
        st = Financing(s).settle_order(order, sender=by)
        pool = format_amount(st.to_pool, grouping=True)
        if st.settled:
            text = f"order {order} settled:"
            if st.to_pool:
                text += f" {pool} to the pool,"
            text += f" {format_amount(st.to_supplier, grouping=True)} to {s.name_of(st.supplier)}"
            if st.set_off:
                text += (
                    f" (of which {format_amount(st.set_off, grouping=True)} set off against "
                    "what it owes the project in recoveries)"
                )
        else:
            kept = (
                f"{format_amount(st.set_off, grouping=True)} set off against what it owes the "
                "project in recoveries; "
                if st.set_off
                else ""
            )
            text = (
                f"order {order}: {pool} to the pool; {kept}{format_amount(st.held, grouping=True)}"
                f" for {s.name_of(st.supplier)} stays reserved (not an eligible payee now); "
                "settle again once it is"
            )
        output(ctx, st, text)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every order."""
    with session(ctx, writable=False) as s:
        orders = Financing(s).orders()
        rows = [
            (
                o.id,
                o.project,
                o.po,
                o.part,
                s.name_of(o.supplier),
                format_amount(o.value, grouping=True),
                f"{o.due:%Y-%m-%d}",
                o.status,
                o.facility or "-",
            )
            for o in orders
        ]
        output(
            ctx,
            orders,
            table(
                None,
                [
                    "order",
                    "project",
                    "PO",
                    "part",
                    "supplier",
                    "value",
                    "due",
                    "status",
                    "facility",
                ],
                rows,
            )
            if orders
            else "no orders",
        )


@app.command("show")
def show_command(ctx: typer.Context, order: OrderId) -> None:
    """One order and its life: every event about it, oldest first."""
    with session(ctx, writable=False) as s:
        financing = Financing(s)
        o = financing.order(order)
        life = financing.history(order)
        rows = [
            ("order", o.id),
            ("purchase order", o.po),
            ("project", o.project),
            ("part", o.part),
            ("supplier", s.name_of(o.supplier)),
            ("original supplier", s.name_of(o.original_supplier)),
            ("value", format_amount(o.value, grouping=True)),
            ("budget line", o.category),
            ("milestone", o.milestone),
            ("due", o.due.isoformat()),
            ("status", o.status),
            ("facility", o.facility or "-"),
        ]
        if o.accept_by is not None:
            rows.append(("accepted by silence from", o.accept_by.isoformat()))
        steps = [(f"{step.time:%Y-%m-%d %H:%M}", step.block, life_line(s, step)) for step in life]
        output(
            ctx,
            {"order": o, "life": life},
            Group(
                table(None, ["field", "value"], rows),
                table("life", ["time (UTC)", "block", "what happened"], steps),
            ),
        )


def life_line(s: Session, step: OrderStep) -> str:
    """One event of an order's life in words, naming accounts by their alias."""
    a, name = step.args, step.event

    def amt(key: str) -> str:
        return format_amount(int(a[key]), grouping=True)

    def who(key: str) -> str:
        if a[key] == s.deployment().address("FinancingPool"):
            return "the pool"
        return s.name_of(a[key])

    if name == "OrderRegistered":
        state = "awaiting the reviewer's approval" if a["pending"] else "open"
        return f"registered with {who('supplier')} for {amt('value')}, {state}"
    if name == "FundsReserved":
        return f"{amt('amount')} reserved on line {from_bytes32(_raw(a['category']))}"
    if name == "OrderApproved":
        return f"approved by {who('reviewer')}"
    if name == "OrderCancelled":
        return "cancelled"
    if name == "ReservationReleased":
        return f"{amt('amount')} released back to the project"
    if name == "SubstitutePassedOver":
        return f"candidate {who('candidate')} passed over: {from_bytes32(_raw(a['reason']))}"
    if name == "SubstituteUnavailable":
        return f"not financed this time: {from_bytes32(_raw(a['reason']))}"
    if name == "SubstituteFinanced":
        return (
            f"moved from {who('previousSupplier')} to {who('to')}; advance {amt('amount')} "
            f"from the pool at {int(a['rateBps']) / 100:.2f}% (facility {a['facility']})"
        )
    if name == "DeliveryRecorded":
        return f"delivery recorded by {who('supplier')}"
    if name == "DeliveryAccepted":
        return f"delivery accepted by {who('owner')}"
    if name == "DeliveryRejected":
        return f"delivery rejected by {who('reviewer')}"
    if name == "FundsDisbursed":
        return f"the ledger paid {amt('amount')} to {who('to')}"
    if name == "FacilityCollected":
        return (
            f"the pool booked {amt('amount')} on facility {a['facility']} "
            f"({amt('principal')} principal, {amt('interest')} interest)"
        )
    if name == "FacilityRepaid":
        return f"{who('from')} repaid {amt('amount')} of facility {a['facility']}"
    if name == "PoolRepaidFromReservation":
        return f"the pool was repaid {amt('amount')} from the reservation"
    if name == "OrderClosedUndelivered":
        return (
            f"closed undelivered: {amt('returned')} back to the project, {amt('recovery')} "
            f"owed by {who('substitute')}"
        )
    if name == "RecoveryRecorded":
        return f"recovery of {amt('amount')} recorded on {who('debtor')}"
    if name == "SettlementHeld":
        return f"{amt('amount')} for {who('supplier')} held: not an eligible payee"
    if name == "OrderSettled":
        return f"settled: {amt('toPool')} to the pool, {amt('toSupplier')} to {who('supplier')}"
    return name


def _raw(hex32: str) -> bytes:
    return bytes.fromhex(hex32[2:])
