"""`scf node start|stop|status`: a local anvil node with its state in the workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.chain.node import DEFAULT_PORT, read_node, start_anvil, stop_anvil

from .common import output, state

app = typer.Typer(help="A local anvil node kept in the workspace.", no_args_is_help=True)


@app.command("start")
def start_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", min=1, max=65535)] = DEFAULT_PORT,
) -> None:
    """Start anvil on loopback (50 funded test accounts; state kept across restarts)."""
    workspace = state(ctx).settings.workspace
    info = start_anvil(workspace, port)
    verb = "already running" if info.get("already_running") else "started"
    output(
        ctx,
        info,
        f"anvil {verb} at {info['url']} (pid {info['pid']}); use it with --chain {info['url']}",
    )


@app.command("stop")
def stop_command(ctx: typer.Context) -> None:
    """Stop the node this workspace started; its state is kept for the next start."""
    info = stop_anvil(state(ctx).settings.workspace)
    output(
        ctx,
        {"stopped": info is not None, "node": info},
        f"stopped anvil (pid {info['pid']})" if info else "no node of this workspace is running",
    )


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """Whether this workspace's node runs, and where."""
    info = read_node(state(ctx).settings.workspace)
    output(
        ctx,
        {"running": info is not None, "node": info},
        f"anvil running at {info['url']} (pid {info['pid']})"
        if info
        else "no node of this workspace is running",
    )
