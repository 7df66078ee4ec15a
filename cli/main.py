"""`scf`: composes one small sub-app per command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .common import ScfGroup, State, entry
from .lazy import COMMANDS, LazyCommand


class RootGroup(ScfGroup):
    """`scf` itself: every command loaded only when it runs (`cli.lazy`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, item in COMMANDS.items():
            self.add_command(LazyCommand(name, item), name)


app = typer.Typer(
    cls=RootGroup,
    name="scf",
    help="R&D supply-chain finance on an EVM chain: fund-flow tracking and substitute financing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"scf {version('scf')}")
        raise typer.Exit()


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
    _: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print scf's version and exit."
        ),
    ] = False,
) -> None:
    from chain_client.config import Settings  # here: `scf --help` does not need it

    ctx.obj = State(
        settings=Settings.from_env(chain=chain_url, workspace=workspace),
        json=json_output or bool(ctx.meta.get("scf_json")),
    )


def main() -> None:
    entry()
