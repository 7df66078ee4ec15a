"""`scf chain status`: which chain, which block, what is deployed."""

from __future__ import annotations

import typer
from rich.console import Group, RenderableType

from .common import output, session, table
from .render import deployment_table

app = typer.Typer(help="The chain scf talks to.", no_args_is_help=True)


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """Show the backend, chain id, latest block and the recorded deployment."""
    with session(ctx, writable=False) as s:
        status = s.status()
        rows = [
            ("backend", status.backend),
            ("chain", status.chain),
            ("chain id", status.chain_id),
            ("block", status.block),
            ("time", status.timestamp.isoformat()),
            ("test chain", "yes" if status.test_chain else "no"),
            ("workspace", status.workspace),
            (
                "deployment",
                f"block {status.deployment.block}"
                if status.deployment
                else "none (run `scf deploy`)",
            ),
        ]
        human: list[RenderableType] = [table(None, ["field", "value"], rows)]
        if status.deployment:
            human.append(deployment_table(status.deployment))
        output(ctx, status, Group(*human))
