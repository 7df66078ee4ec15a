"""`scf milestone approve`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Ledger

from .common import By, output, session

app = typer.Typer(help="Project milestones.", no_args_is_help=True)


@app.command("approve")
def approve_command(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="The project id.")],
    milestone: Annotated[int, typer.Argument(help="Milestone number, from 0.")],
    evidence: Annotated[
        str | None, typer.Option(help="Evidence: text, or @file to hash its bytes.")
    ] = None,
    by: By = None,
) -> None:
    """Approve a milestone, unlocking its tranche (sent by a reviewer)."""
    with session(ctx, writable=True) as s:
        result = Ledger(s).approve_milestone(project, milestone, evidence, sender=by or "reviewer")
        output(ctx, result, f"milestone {milestone} of {project} approved")
