"""`scf disruption report|process|recover`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Financing

from .common import By, output, session
from .financing_render import trigger_lines

app = typer.Typer(
    help="Supplier cut-offs and the automatic substitute financing they trigger.",
    no_args_is_help=True,
)

Supplier = Annotated[str, typer.Argument(help="The supplier: an alias or address.")]


@app.command("report")
def report_command(
    ctx: typer.Context,
    supplier: Supplier,
    reason: Annotated[str, typer.Option(help="Why, e.g. EXPORT_CONTROL, FIRE, INSOLVENCY.")],
    evidence: Annotated[
        str | None, typer.Option(help="Evidence: text, or @file to hash its bytes.")
    ] = None,
    by: By = None,
) -> None:
    """Report a supplier cut off (sent by an oracle); at quorum its orders move to substitutes."""
    with session(ctx, writable=True) as s:
        report = Financing(s).report_disruption(supplier, reason, evidence, sender=by or "oracle")
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
        output(ctx, result, f"{s.name_of(s.accounts.resolve(supplier))} is Active again")
