"""`scf deploy`: deploy every contract with its roles wired, and record it."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.deploy import DEFAULT_ADMIN_DELAY, deploy
from chain_client.units import parse_duration

from .common import console, output, session, state
from .render import deployment_table


def deploy_command(
    ctx: typer.Context,
    token: Annotated[
        str | None,
        typer.Option(help="Use this existing 2-decimal ERC-20 instead of deploying one."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Deploy over a live deployment.")] = False,
    admin_delay: Annotated[
        str, typer.Option(help="Delay before a new admin may take over (two-step transfer).")
    ] = f"{DEFAULT_ADMIN_DELAY // 86400}d",
) -> None:
    """Deploy the contracts (roles to the aliases of the same name on test chains)."""
    delay = parse_duration(admin_delay, field="--admin-delay")
    quiet = state(ctx).json
    with session(ctx, writable=True, create=True) as s:
        if quiet:
            deployment = deploy(s, token=token, force=force, admin_delay=delay)
        else:
            with console.status("deploying", spinner="dots") as status:
                deployment = deploy(
                    s,
                    token=token,
                    force=force,
                    admin_delay=delay,
                    progress=lambda text: status.update(text),
                )
        output(ctx, deployment, deployment_table(deployment))
