"""`scf demo`: the main job on a fresh embedded chain in a workspace of its own."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group

from chain_client.chain.accounts import AliasTarget
from chain_client.config import Settings
from chain_client.contracts import Ledger, Registry, Token
from chain_client.deploy import deploy
from chain_client.session import open_session
from chain_client.units import format_amount

from .common import console, output, state, table
from .render import deployment_table, suppliers_table

DEMO_ROOT = Path("scf-demo")
ACCOUNTS = {"gov_fund": 5, "bank": 6, "chipco": 7, "resist_a": 8, "resist_b": 9}
PROJECT = {
    "id": "LITHO-14",
    "owner": "chipco",
    "budget": {"MATERIALS": "12000000.00", "EQUIPMENT": "9000000.00"},
    "milestones": [
        {"stage": "RESEARCH", "amount": "8000000.00"},
        {"stage": "PILOT", "amount": "13000000.00"},
    ],
    "dual_control": "2000000.00",
}


def demo_command(
    ctx: typer.Context,
    root: Annotated[
        Path, typer.Option(help="Folder under which each run gets a new workspace.")
    ] = DEMO_ROOT,
) -> None:
    """A lithography R&D project on a fresh embedded chain in a new workspace.

    Deploys, onboards two photoresist suppliers (one opts in as substitute), creates and
    funds LITHO-14, approves its research milestone and pays the first lot.
    """
    workspace = root / datetime.now().strftime("run-%Y%m%d-%H%M%S-%f")
    quiet = state(ctx).json
    with open_session(Settings(workspace=workspace), writable=True) as s:
        spinner = console.status("deploying", spinner="dots") if not quiet else nullcontext()
        with spinner as status:

            def step(text: str) -> None:
                if status is not None:
                    status.update(text)

            deployment = deploy(s, progress=step)
            step("onboarding suppliers")
            for name, index in ACCOUNTS.items():
                s.accounts.add(name, AliasTarget(index=index))
            registry, token, ledger = Registry(s), Token(s), Ledger(s)
            registry.register("resist_a", "Resist A", ["ARF_RESIST"], 8_000_000_00)
            registry.rate("resist_a", 820)
            registry.register("resist_b", "Resist B", ["ARF_RESIST"], 5_000_000_00)
            registry.rate("resist_b", 710)
            registry.qualify("ARF_RESIST", supplier="resist_b")
            step("funding LITHO-14")
            token.mint("gov_fund", 30_000_000_00)
            ledger.create_project(PROJECT)
            ledger.fund("LITHO-14", 21_000_000_00, funder="gov_fund")
            ledger.approve_milestone("LITHO-14", 0, "phase-1 report")
            step("paying the first lot")
            payment = {
                "to": "resist_a",
                "amount": "1200000.00",
                "category": "MATERIALS",
                "milestone": 0,
                "memo": "lot 1",
                "invoice": "RA-2026-001",
            }
            ledger.disburse("LITHO-14", payment)
        suppliers = registry.suppliers()
        project = ledger.project("LITHO-14")
        lines = table(
            "LITHO-14 budget lines",
            ["category", "cap", "spent", "left"],
            [
                (
                    ln.category,
                    format_amount(ln.cap, grouping=True),
                    format_amount(ln.spent, grouping=True),
                    format_amount(ln.left, grouping=True),
                )
                for ln in project.lines
            ],
        )
        supplier_rows = suppliers_table(s, suppliers)
    hint = (
        f"look further: scf --workspace {workspace} project show LITHO-14 "
        "(or: chain status, supplier list, accounts)"
    )
    output(
        ctx,
        {
            "workspace": str(workspace),
            "deployment": deployment,
            "suppliers": suppliers,
            "project": project,
        },
        Group(
            deployment_table(deployment),
            "",
            supplier_rows,
            "",
            lines,
            "",
            f"LITHO-14 holds {format_amount(project.balance, grouping=True)} of "
            f"{format_amount(project.funded, grouping=True)} funded; "
            "resist_b stands in for ARF_RESIST",
            hint,
        ),
    )
