"""`scf pool deposit|withdraw|status|policy`."""

from __future__ import annotations

from typing import Annotated

import typer

from chain_client.contracts import Financing, Pool
from chain_client.errors import InputError
from chain_client.orders import STAGES
from chain_client.units import format_amount, parse_amount

from .common import By, output, session, table

app = typer.Typer(help="The bank-funded pool that pays substitute advances.", no_args_is_help=True)

AmountArg = Annotated[str, typer.Argument(help='A decimal amount such as "1000000.00".')]
Bank = Annotated[str, typer.Option("--by", help="The depositor (a bank).")]


@app.command("deposit")
def deposit_command(ctx: typer.Context, amount: AmountArg, by: Bank) -> None:
    """Deposit into the pool for shares (approves, then deposits)."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        pool = Pool(s)
        results = pool.deposit(units, by=by)
        output(
            ctx,
            {"transactions": results, "shares_value": format_amount(pool.assets_of(by))},
            f"{by} deposited {format_amount(units, grouping=True)}; its shares are worth "
            f"{format_amount(pool.assets_of(by), grouping=True)}",
        )


@app.command("withdraw")
def withdraw_command(ctx: typer.Context, amount: AmountArg, by: Bank) -> None:
    """Withdraw from the pool (limited to idle cash)."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        result = Pool(s).withdraw(units, by=by)
        output(ctx, result, f"{by} withdrew {format_amount(units, grouping=True)}")


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """Assets, idle cash, principal out, interest accrued, share price."""
    with session(ctx, writable=False) as s:
        st = Pool(s).status()
        a = lambda v: format_amount(v, grouping=True)  # noqa: E731
        rows = [
            ("total assets", a(st.total_assets)),
            ("idle cash", a(st.idle)),
            ("outstanding principal", a(st.outstanding_principal)),
            ("accrued interest", a(st.accrued_interest)),
            ("shares", st.total_shares),
            ("share price", st.share_price),
        ]
        output(ctx, st, table(None, ["field", "value"], rows))


@app.command("policy")
def policy_command(
    ctx: typer.Context,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="FIELD=VALUE to change (admin), e.g. quorum=2 or band_floors=800,700,600; "
            "terms by stage as pilot.advance_bps=6000,5000,3000 or pilot.max_tenor_days=180.",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Show the financing policy, or change fields of it with --set (sent by the admin)."""
    changes: dict[str, object] = {}
    for item in set_ or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--set {item!r} must look like FIELD=VALUE")
        try:
            changes[name.strip()] = (
                [int(v) for v in value.split(",")]
                if "," in value
                else value.strip()
                if value.strip() == "default"
                else int(value)
            )
        except ValueError:
            raise InputError(
                f"--set {item!r}: the value must be a whole number (or three, comma-separated)"
            ) from None
    with session(ctx, writable=bool(changes)) as s:
        financing = Financing(s)
        if changes:
            _result, policy = financing.set_policy(changes, sender=by or "admin")
        else:
            policy = financing.policy()
        rows = [
            (name, _cell(v))
            for name, v in policy.model_dump().items()
            if not name.startswith("stage_")
        ]
        for i, stage in enumerate(STAGES):
            shares = policy.stage_advance_bps[i]
            tenor = policy.stage_max_tenor_days[i]
            rows.append((f"{stage}.advance_bps", _cell(shares) if any(shares) else "the bands'"))
            rows.append((f"{stage}.max_tenor_days", tenor or "no limit"))
        output(ctx, policy, table(None, ["field", "value"], rows))


def _cell(value: object) -> object:
    return ", ".join(map(str, value)) if isinstance(value, list) else value
