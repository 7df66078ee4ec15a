"""`scf demo`: the lithography story on a fresh embedded chain in a workspace of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group

from chain_client.audit.report import run_audit
from chain_client.config import SOURCE_ROOT
from chain_client.errors import ConfigurationError
from chain_client.session import open_session

from .audit import render
from .common import output, scf_command
from .scenario import run_scenario, summary

DEMO_ROOT = Path("scf-demo")
DEMO_SCENARIO = SOURCE_ROOT / "examples" / "litho-export-control.yaml"


def demo_command(
    ctx: typer.Context,
    root: Annotated[
        Path, typer.Option(help="Folder under which each run gets a new workspace.")
    ] = DEMO_ROOT,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per step.")] = True,
) -> None:
    """Run examples/litho-export-control.yaml on a fresh embedded chain, then audit it.

    A 14 nm lithography programme is funded and pays its photoresist supplier; its
    3,000,000.00 purchase order waits for the reviewer's approval (dual control); export
    control cuts the supplier off; the order moves to the pre-qualified substitute, which is
    paid an advance from the bank pool in the same transaction; the substitute delivers, the
    owner accepts, and the order settles: the pool is repaid first.
    """
    if not DEMO_SCENARIO.is_file():
        raise ConfigurationError(f"the demo scenario {DEMO_SCENARIO} is missing from this install")
    result, settings = run_scenario(ctx, DEMO_SCENARIO, keep=False, verbose=verbose, root=root)
    with open_session(settings, writable=True) as s:
        report = run_audit(s)
        audit_view = render(s, report)
    hint = (
        f"look further: {scf_command()} --workspace {settings.workspace} project show LITHO-14 "
        "(or: facility list, pool status, supplier list, order list, audit export -o rows.jsonl)"
    )
    output(
        ctx,
        {"workspace": str(settings.workspace), "run": result, "audit": report},
        Group("", summary(result, settings), "", audit_view, "", hint),
    )
