"""`scf pause` and `scf unpause`: stop and resume the ledger's money movements."""

from __future__ import annotations

import typer

from chain_client.contracts import Ledger

from .common import By, output, session


def pause_command(ctx: typer.Context, by: By = None) -> None:
    """Stop all payments, funding, reservations and claims (sent by the admin)."""
    with session(ctx, writable=True) as s:
        result = Ledger(s).pause(sender=by or "admin")
        output(ctx, result, "payments paused")


def unpause_command(ctx: typer.Context, by: By = None) -> None:
    """Resume payments (sent by the admin)."""
    with session(ctx, writable=True) as s:
        result = Ledger(s).unpause(sender=by or "admin")
        output(ctx, result, "payments resumed")
