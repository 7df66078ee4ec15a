"""`scf`: composes one small sub-app per command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chain_client.config import Settings

from . import (
    accounts,
    audit,
    chain,
    compile,
    demo,
    deploy,
    disruption,
    facility,
    milestone,
    node,
    order,
    pause,
    pool,
    project,
    recovery,
    role,
    scenario,
    supplier,
    time,
    token,
)
from .common import ScfGroup, State, entry

app = typer.Typer(
    cls=ScfGroup,
    name="scf",
    help="R&D supply-chain finance on an EVM chain: fund-flow tracking and substitute financing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global(
    ctx: typer.Context,
    chain_url: Annotated[
        str | None,
        typer.Option(
            "--chain",
            envvar="SCF_CHAIN",
            help="'embedded' (default: a chain kept in the workspace) or a JSON-RPC URL.",
        ),
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", envvar="SCF_WORKSPACE", help="Workspace folder (default .scf)."
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Machine-readable JSON output (allowed anywhere).")
    ] = False,
) -> None:
    ctx.obj = State(
        settings=Settings.from_env(chain=chain_url, workspace=workspace),
        json=json_output or bool(ctx.meta.get("scf_json")),
    )


app.command("compile")(compile.compile_command)
app.command("deploy")(deploy.deploy_command)
app.command("demo")(demo.demo_command)
app.command("pause")(pause.pause_command)
app.command("unpause")(pause.unpause_command)
app.add_typer(accounts.app, name="accounts")
app.add_typer(audit.app, name="audit")
app.add_typer(chain.app, name="chain")
app.add_typer(disruption.app, name="disruption")
app.add_typer(facility.app, name="facility")
app.add_typer(milestone.app, name="milestone")
app.add_typer(node.app, name="node")
app.add_typer(order.app, name="order")
app.add_typer(pool.app, name="pool")
app.add_typer(project.app, name="project")
app.add_typer(recovery.app, name="recovery")
app.add_typer(role.app, name="role")
app.add_typer(scenario.app, name="scenario")
app.add_typer(supplier.app, name="supplier")
app.add_typer(time.app, name="time")
app.add_typer(token.app, name="token")


def main() -> None:
    entry()
