"""`scf time advance`: move a test chain's clock."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.models import timestamp
from chain_client.units import parse_duration

from .common import output, session

app = typer.Typer(help="The chain's clock (test chains only).", no_args_is_help=True)


@app.command("advance")
def advance_command(
    ctx: typer.Context,
    duration: Annotated[str, typer.Argument(help="How far: e.g. 30d, 12h, 90m, 45s.")],
) -> None:
    """Move time forward and mine a block."""
    seconds = parse_duration(duration)
    with session(ctx, writable=True, create=True) as s:
        now = s.advance_time(seconds)
        output(
            ctx,
            {"advanced": seconds, "timestamp": now, "time": timestamp(now).isoformat()},
            f"chain time is now {timestamp(now).isoformat()} (+{duration})",
        )
