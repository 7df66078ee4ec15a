"""`scf facility list|show|repay|collect`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Financing
from chain_client.units import format_amount, parse_amount

from .common import By, output, session, table

app = typer.Typer(help="Advances to substitutes and their repayment.", no_args_is_help=True)

FacilityId = Annotated[int, typer.Argument(help="The facility number.")]


def _a(value: int) -> str:
    return format_amount(value, grouping=True)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every facility with what it owes now."""
    with session(ctx, writable=False) as s:
        facilities = Financing(s).facilities()
        rows = [
            (
                f.id,
                f.order,
                s.name_of(f.substitute),
                _a(f.principal),
                f"{f.rate_bps / 100:.2f}%",
                f"{f.due:%Y-%m-%d}",
                f.status,
                _a(f.owed_principal + f.owed_interest),
                f"{f.stop:%Y-%m-%d}",
            )
            for f in facilities
        ]
        output(
            ctx,
            facilities,
            table(
                None,
                [
                    "facility",
                    "order",
                    "substitute",
                    "principal",
                    "rate",
                    "due",
                    "status",
                    "owed",
                    "interest stops",
                ],
                rows,
            )
            if facilities
            else "no facilities",
        )


@app.command("show")
def show_command(ctx: typer.Context, facility: FacilityId) -> None:
    """One facility."""
    with session(ctx, writable=False) as s:
        f = Financing(s).facility(facility)
        rows = [
            ("facility", f.id),
            ("order", f.order),
            ("substitute", s.name_of(f.substitute)),
            ("principal advanced", _a(f.principal)),
            ("rate", f"{f.rate_bps / 100:.2f}% a year"),
            ("opened", f.opened_at.isoformat()),
            ("due", f.due.isoformat()),
            ("interest stops (due + grace)", f.stop.isoformat()),
            ("status", f.status),
            ("owes principal", _a(f.owed_principal)),
            ("owes interest", _a(f.owed_interest)),
        ]
        output(ctx, f, table(None, ["field", "value"], rows))


@app.command("repay")
def repay_command(
    ctx: typer.Context,
    facility: FacilityId,
    amount: Annotated[str, typer.Argument(help="Up to this much (capped at what is owed).")],
    by: Annotated[str, typer.Option("--by", help="Who pays.")],
) -> None:
    """Repay a facility (anyone; approves, then repays)."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        results = financing.repay(facility, units, by=by)
        f = financing.facility(facility)
        output(
            ctx,
            {"transactions": results, "facility": f},
            f"facility {facility}: {f.status}, owes {_a(f.owed_principal + f.owed_interest)}",
        )


@app.command("collect")
def collect_command(ctx: typer.Context, facility: FacilityId, by: By = None) -> None:
    """Repay the pool from the order's reservation (anyone): from the facility's due date,
    or at once when its substitute is Disrupted or Suspended; delivered or not."""
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        result, amount = financing.collect(facility, sender=by or "admin")
        f = financing.facility(facility)
        output(
            ctx,
            {"transaction": result, "collected": _a(amount).replace(",", ""), "facility": f},
            f"facility {facility} {f.status.lower()}: the pool collected {_a(amount)} from "
            f"order {f.order}'s reservation",
        )
