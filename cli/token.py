"""`scf token mint|balance|approve|transfer`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Token
from chain_client.units import format_amount, parse_amount

from .common import By, output, session

app = typer.Typer(help="The settlement token (2 decimals).", no_args_is_help=True)

Who = Annotated[str, typer.Argument(help="An alias or address.")]
Amount = Annotated[str, typer.Argument(help='A decimal amount such as "1250.00".')]


@app.command("mint")
def mint_command(ctx: typer.Context, to: Who, amount: Amount, by: By = None) -> None:
    """Mint tokens (test chains; sent by the admin, who holds the minter role)."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        result = Token(s).mint(to, units, sender=by or "admin")
        output(
            ctx,
            result,
            f"minted {format_amount(units, grouping=True)} to {s.name_of(s.accounts.resolve(to))}",
        )


@app.command("balance")
def balance_command(ctx: typer.Context, who: Who) -> None:
    """Token balance of an alias or address."""
    with session(ctx, writable=False) as s:
        address = s.accounts.resolve(who)
        balance = Token(s).balance_of(address)
        output(
            ctx,
            {"account": address, "balance": format_amount(balance)},
            f"{s.name_of(address)}: {format_amount(balance, grouping=True)}",
        )


@app.command("approve")
def approve_command(
    ctx: typer.Context,
    spender: Who,
    amount: Amount,
    by: Annotated[str, typer.Option("--by", help="The token holder.")],
) -> None:
    """Allow a spender to move up to an amount of the sender's tokens."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        result = Token(s).approve(spender, units, sender=by)
        output(
            ctx,
            result,
            f"{by} allows {s.name_of(s.accounts.resolve(spender))} "
            f"{format_amount(units, grouping=True)}",
        )


@app.command("transfer")
def transfer_command(
    ctx: typer.Context,
    to: Who,
    amount: Amount,
    by: Annotated[str, typer.Option("--by", help="The token holder.")],
) -> None:
    """Transfer tokens from the sender."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        result = Token(s).transfer(to, units, sender=by)
        output(
            ctx,
            result,
            f"{by} sent {format_amount(units, grouping=True)} "
            f"to {s.name_of(s.accounts.resolve(to))}",
        )
