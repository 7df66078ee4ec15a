"""`scf recovery show|repay`: what a substitute that did not deliver owes a project."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Ledger
from chain_client.units import format_amount, parse_amount

from .common import output, session

app = typer.Typer(
    help="Recoveries: what a substitute that kept its advance and did not deliver owes a project.",
    no_args_is_help=True,
)

Project = Annotated[str, typer.Argument(help="The project id.")]
Substitute = Annotated[str, typer.Argument(help="The substitute: an alias or address.")]


@app.command("show")
def show_command(ctx: typer.Context, project: Project, substitute: Substitute) -> None:
    """What `substitute` still owes `project`."""
    with session(ctx, writable=False) as s:
        owed = Ledger(s).recovery_owed(project, substitute)
        output(
            ctx,
            {
                "project": project,
                "substitute": s.accounts.resolve(substitute),
                "owed": format_amount(owed),
            },
            f"{s.name_of(s.accounts.resolve(substitute))} owes {project} "
            f"{format_amount(owed, grouping=True)}",
        )


@app.command("repay")
def repay_command(
    ctx: typer.Context,
    project: Project,
    substitute: Substitute,
    amount: Annotated[str, typer.Argument(help="Up to this much (capped at what is owed).")],
    by: Annotated[str, typer.Option("--by", help="Who pays (the substitute or someone for it).")],
) -> None:
    """Repay a recovery (approves, then repays): the project's balance, budget line and
    tranche regain it; on a closed project its funders claim it pro rata."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        ledger = Ledger(s)
        results, repaid = ledger.repay_recovery(project, substitute, units, by=by)
        left = ledger.recovery_owed(project, substitute)
        output(
            ctx,
            {
                "transactions": results,
                "repaid": format_amount(repaid),
                "owed": format_amount(left),
            },
            f"{format_amount(repaid, grouping=True)} repaid to {project}; "
            f"{format_amount(left, grouping=True)} still owed",
        )
