"""`scf role grant|revoke|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client import roles

from .common import By, output, session, table

app = typer.Typer(help="Roles on the deployed contracts.", no_args_is_help=True)

Role = Annotated[str, typer.Argument(help=f"One of: {', '.join(roles.ROLES)}.")]
Account = Annotated[str, typer.Argument(help="An alias or address.")]


@app.command("grant")
def grant_command(ctx: typer.Context, role: Role, account: Account, by: By = None) -> None:
    """Grant a role (sent by the admin)."""
    with session(ctx, writable=True) as s:
        result = roles.grant(s, role, account, sender=by or "admin")
        output(ctx, result, f"granted {role} to {s.name_of(s.accounts.resolve(account))}")


@app.command("revoke")
def revoke_command(ctx: typer.Context, role: Role, account: Account, by: By = None) -> None:
    """Revoke a role (sent by the admin)."""
    with session(ctx, writable=True) as s:
        result = roles.revoke(s, role, account, sender=by or "admin")
        output(ctx, result, f"revoked {role} from {s.name_of(s.accounts.resolve(account))}")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Which aliases hold each role."""
    with session(ctx, writable=False) as s:
        held = roles.holdings(s)
        rows = [(h.role, h.contract, ", ".join(h.holders) or "-") for h in held]
        output(ctx, held, table(None, ["role", "contract", "holders"], rows))
