"""`scf accounts`: aliases, their roles and balances; `scf accounts add`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chain_client.chain.accounts import parse_target
from chain_client.contracts import Token
from chain_client.errors import ScfError
from chain_client.roles import holdings
from chain_client.units import format_amount

from .common import output, session, table

app = typer.Typer(help="Account aliases.", invoke_without_command=True)


@app.callback()
def list_command(ctx: typer.Context) -> None:
    """List aliases with address, roles and token balance."""
    if ctx.invoked_subcommand is not None:
        return
    with session(ctx, writable=False) as s:
        deployment = s.find_deployment()
        roles_by_alias: dict[str, list[str]] = {}
        token = None
        if deployment is not None:
            for holding in holdings(s):
                for alias in holding.holders:
                    roles_by_alias.setdefault(alias, []).append(holding.role)
            token = Token(s)
        rows = []
        data = []
        for name, target in s.accounts.all().items():
            try:
                address: str | None = s.accounts.resolve(name)
            except ScfError:
                address = None
            balance = token.balance_of(address) if token is not None and address else None
            entry = {
                "alias": name,
                "target": target.describe(),
                "address": address,
                "roles": roles_by_alias.get(name, []),
                "balance": format_amount(balance) if balance is not None else None,
            }
            data.append(entry)
            rows.append(
                (
                    name,
                    target.describe(),
                    address or "-",
                    ", ".join(roles_by_alias.get(name, [])) or "-",
                    format_amount(balance, grouping=True) if balance is not None else "-",
                )
            )
        output(ctx, data, table(None, ["alias", "account", "address", "roles", "balance"], rows))


@app.command("add")
def add_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The alias, e.g. gov_fund.")],
    target: Annotated[str, typer.Argument(help="A test-account index (5 and up) or an address.")],
    keystore: Annotated[
        Path | None, typer.Option(help="Encrypted keystore file with this address's key.")
    ] = None,
) -> None:
    """Name a test account or an address."""
    parsed = parse_target(target)
    with session(ctx, writable=True, create=True) as s:
        s.accounts.add(name, parsed, keystore=keystore)
        address = s.accounts.resolve(name)
        output(
            ctx,
            {"alias": name, "target": parsed.describe(), "address": address},
            f"{name} -> {parsed.describe()} ({address})",
        )
