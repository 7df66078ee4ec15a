"""`scf disruption report|process|recover` and regional shocks
(`shock|shock-process|region-recover|shock-show`)."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Financing, Registry
from chain_client.errors import InputError
from chain_client.orders import DISRUPTION_REASONS, check_reason
from chain_client.units import format_amount

from .common import By, output, session
from .financing_render import shock_lines, trigger_lines

app = typer.Typer(
    help="Supplier cut-offs and the automatic substitute financing they trigger.",
    no_args_is_help=True,
)

Supplier = Annotated[str, typer.Argument(help="The supplier: an alias or address.")]
Reason = Annotated[str | None, typer.Option(help=f"Why: one of {', '.join(DISRUPTION_REASONS)}.")]
OtherReason = Annotated[
    str | None,
    typer.Option(help="Another reason, on purpose (at most 31 bytes), instead of --reason."),
]
Evidence = Annotated[str | None, typer.Option(help="Evidence: text, or @file to hash its bytes.")]


def _reason(reason: str | None, other_reason: str | None) -> str:
    """The reason given, checked before any workspace or chain is touched."""
    if (reason is None) == (other_reason is None):
        raise InputError(
            "give exactly one of --reason and --other-reason",
            hint=f"--reason is one of {', '.join(DISRUPTION_REASONS)}",
        )
    text = reason if reason is not None else str(other_reason)
    check_reason(text, other=reason is None)
    return text


@app.command("report")
def report_command(
    ctx: typer.Context,
    supplier: Supplier,
    reason: Reason = None,
    other_reason: OtherReason = None,
    evidence: Evidence = None,
    by: By = None,
) -> None:
    """Report a supplier cut off (sent by an oracle); at quorum its orders move to substitutes."""
    text = _reason(reason, other_reason)
    with session(ctx, writable=True) as s:
        report = Financing(s).report_disruption(
            supplier, text, evidence, sender=by or "oracle", other_reason=reason is None
        )
        output(ctx, report, trigger_lines(s, report))


@app.command("process")
def process_command(ctx: typer.Context, supplier: Supplier, by: By = None) -> None:
    """Continue financing the open orders of a Disrupted supplier (anyone may send it)."""
    with session(ctx, writable=True) as s:
        report = Financing(s).process_disruption(supplier, sender=by or "oracle")
        output(ctx, report, trigger_lines(s, report))


@app.command("recover")
def recover_command(ctx: typer.Context, supplier: Supplier, by: By = None) -> None:
    """Report a Disrupted supplier recovered: Active again (sent by an oracle)."""
    with session(ctx, writable=True) as s:
        result = Financing(s).report_recovery(supplier, sender=by or "oracle")
        who = s.name_of(s.accounts.resolve(supplier))
        status = Registry(s).supplier(supplier).status
        text = (
            f"{who} is Active again"
            if status == "Active"
            else f"recovery of {who} reported; it stays {status} until the oracle quorum agrees"
        )
        output(ctx, result, text)


Region = Annotated[str, typer.Argument(help="The region code.")]


@app.command("shock")
def shock_command(
    ctx: typer.Context,
    region: Region,
    reason: Reason = None,
    other_reason: OtherReason = None,
    evidence: Evidence = None,
    by: By = None,
) -> None:
    """Report a shock to a whole region (sent by an oracle); at quorum its Active suppliers
    are disrupted and their orders move to substitutes outside it."""
    text = _reason(reason, other_reason)
    with session(ctx, writable=True) as s:
        report = Financing(s).report_shock(
            region, text, evidence, sender=by or "oracle", other_reason=reason is None
        )
        output(ctx, report, shock_lines(s, report))


@app.command("shock-process")
def shock_process_command(ctx: typer.Context, region: Region, by: By = None) -> None:
    """Continue a regional shock in force: the next members and orders (anyone may send it)."""
    with session(ctx, writable=True) as s:
        report = Financing(s).process_shock(region, sender=by or "oracle")
        output(ctx, report, shock_lines(s, report))


@app.command("region-recover")
def region_recover_command(ctx: typer.Context, region: Region, by: By = None) -> None:
    """Report a region recovered (sent by an oracle): at quorum its shock is no longer in
    force; each supplier is reported recovered on its own."""
    with session(ctx, writable=True) as s:
        financing = Financing(s)
        result = financing.report_region_recovery(region, sender=by or "oracle")
        shock = financing.shock(region)
        ended = shock is not None and not shock.in_force
        text = (
            f"the shock to {region} is over; its suppliers recover one by one "
            "(`scf disruption recover`)"
            if ended
            else f"recovery of {region} reported; the shock stays in force until the quorum agrees"
        )
        output(ctx, result, text)


@app.command("shock-show")
def shock_show_command(ctx: typer.Context, region: Region) -> None:
    """The latest shock of a region: its cap, what it drew, and whether it is in force."""
    with session(ctx, writable=False) as s:
        shock = Financing(s).shock(region)
        if shock is None:
            raise InputError(f"no shock was ever reported for region {region}")
        output(
            ctx,
            shock,
            f"shock {shock.id} to {region}: "
            + ("in force" if shock.in_force else "over")
            + f"; drew {format_amount(shock.drawn, grouping=True)} of its cap "
            f"{format_amount(shock.cap, grouping=True)}; "
            f"{shock.cursor} of {shock.members} member entries walked",
        )
