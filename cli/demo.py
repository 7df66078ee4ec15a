"""`scf demo`: the main job on a fresh embedded chain in a workspace of its own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group

from chain_client.config import Settings
from chain_client.contracts import Registry, Token
from chain_client.deploy import deploy
from chain_client.session import open_session
from chain_client.units import format_amount

from .common import console, output, state
from .render import deployment_table, suppliers_table

DEMO_ROOT = Path("scf-demo")


def demo_command(
    ctx: typer.Context,
    root: Annotated[
        Path, typer.Option(help="Folder under which each run gets a new workspace.")
    ] = DEMO_ROOT,
) -> None:
    """Deploy to a fresh embedded chain in a new workspace, onboard two suppliers, show it."""
    workspace = root / datetime.now().strftime("run-%Y%m%d-%H%M%S-%f")
    settings = Settings(workspace=workspace)
    quiet = state(ctx).json
    with open_session(settings, writable=True) as s:
        with console.status("deploying", spinner="dots") if not quiet else _Quiet() as status:
            deployment = deploy(s, progress=status.update)
            status.update("onboarding suppliers")
            s.accounts.add("resist_a", _index(8))
            s.accounts.add("resist_b", _index(9))
            s.accounts.add("gov_fund", _index(5))
            registry, token = Registry(s), Token(s)
            registry.register("resist_a", "Resist A", ["ARF_RESIST"], 8_000_000_00)
            registry.rate("resist_a", 820)
            registry.register("resist_b", "Resist B", ["ARF_RESIST"], 5_000_000_00)
            registry.rate("resist_b", 710)
            registry.qualify("ARF_RESIST", supplier="resist_b")
            token.mint("gov_fund", 30_000_000_00)
        suppliers = registry.suppliers()
        balance = token.balance_of("gov_fund")
    hint = f"look further: scf --workspace {workspace} chain status | supplier list | accounts"
    output(
        ctx,
        {
            "workspace": str(workspace),
            "deployment": deployment,
            "suppliers": suppliers,
            "gov_fund_balance": format_amount(balance),
        },
        Group(
            deployment_table(deployment),
            "",
            suppliers_table(s, suppliers),
            "",
            f"gov_fund holds {format_amount(balance, grouping=True)}; "
            "resist_b stands in for ARF_RESIST",
            hint,
        ),
    )


def _index(i: int):  # type: ignore[no-untyped-def]
    from chain_client.chain.accounts import AliasTarget

    return AliasTarget(index=i)


class _Quiet:
    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, _text: str) -> None:
        return None
