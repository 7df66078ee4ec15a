"""`scf order register|cancel|settle|list|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Financing
from chain_client.orders import OrderSpec
from chain_client.projects import parse_spec
from chain_client.units import format_amount

from .common import By, output, session, table

app = typer.Typer(help="Supply orders of projects (their value is reserved).", no_args_is_help=True)

OrderId = Annotated[int, typer.Argument(help="The order number.")]


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
        str, typer.Option(help="Due in, e.g. 90d (rounded up to the next midnight UTC).")
    ],
    by: By = None,
) -> None:
    """Register an order (sent by the project owner); reserves its value in the ledger."""
    spec = parse_spec(
        OrderSpec,
        {
            "project": project,
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
        output(
            ctx,
            {"order": record, "transaction": result},
            f"order {order}: {format_amount(record.value, grouping=True)} of {part} from "
            f"{s.name_of(record.supplier)} for {project}, due {record.due:%Y-%m-%d}",
        )


@app.command("cancel")
def cancel_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """Cancel an order not yet financed (sent by the project owner)."""
    with session(ctx, writable=True) as s:
        result = Financing(s).cancel_order(order, sender=by)
        output(ctx, result, f"order {order} cancelled; its reservation is released")


@app.command("settle")
def settle_command(ctx: typer.Context, order: OrderId, by: By = None) -> None:
    """Settle a delivered order: the pool is repaid first, the supplier gets the rest."""
    with session(ctx, writable=True) as s:
        st = Financing(s).settle_order(order, sender=by)
        text = f"order {order} settled: {format_amount(st.value, grouping=True)}"
        if st.to_pool:
            text += f" — {format_amount(st.to_pool, grouping=True)} to the pool,"
        text += f" {format_amount(st.to_supplier, grouping=True)} to {s.name_of(st.supplier)}"
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
                ["order", "project", "part", "supplier", "value", "due", "status", "facility"],
                rows,
            )
            if orders
            else "no orders",
        )


@app.command("show")
def show_command(ctx: typer.Context, order: OrderId) -> None:
    """One order."""
    with session(ctx, writable=False) as s:
        o = Financing(s).order(order)
        rows = [
            ("order", o.id),
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
        output(ctx, o, table(None, ["field", "value"], rows))
