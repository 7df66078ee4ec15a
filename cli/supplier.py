"""`scf supplier`: register, rate, suspend, reinstate, substitute lists, list and show;
credit profiles, published scores and attestations."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Group
from rich.text import Text

from chain_client.contracts import Registry
from chain_client.contracts.registry import MAX_SCORE
from chain_client.errors import InputError
from chain_client.units import format_amount, parse_amount

from .common import By, output, printable, session, table
from .render import supplier_detail, suppliers_table

app = typer.Typer(
    help="Registered suppliers, substitute lists and credit profiles.", no_args_is_help=True
)

Supplier = Annotated[str, typer.Argument(help="The supplier: an alias or address.")]


@app.command("register")
def register_command(
    ctx: typer.Context,
    account: Supplier,
    name: Annotated[str, typer.Option(help="Display name (at most 31 bytes).")],
    part: Annotated[
        list[str], typer.Option("--part", help="A part code it supplies (repeat for more).")
    ],
    capacity: Annotated[
        str, typer.Option(help='Total value of open orders it can carry, e.g. "8000000.00".')
    ],
    score: Annotated[
        int | None, typer.Option(help="Credit score 0-1000, set right after by the rater.")
    ] = None,
    by: By = None,
) -> None:
    """Register a supplier (sent by the registrar; the score by the rater)."""
    units = parse_amount(capacity, field="capacity")
    if score is not None and not 0 <= score <= MAX_SCORE:
        raise InputError(f"score {score} is out of range: 0 to {MAX_SCORE}")
    with session(ctx, writable=True) as s:
        registry = Registry(s)
        results = [registry.register(account, name, part, units, sender=by or "registrar")]
        if score is not None:
            results.append(registry.rate(account, score))
        record = registry.supplier(account)
        output(
            ctx,
            {"supplier": record, "transactions": results},
            f"registered {s.name_of(record.address)} as {record.name!r}: "
            f"parts {', '.join(record.parts)}, "
            f"capacity {format_amount(record.capacity, grouping=True)}, score {record.score}",
        )


@app.command("rate")
def rate_command(
    ctx: typer.Context,
    account: Supplier,
    score: Annotated[int, typer.Argument(help="Credit score, 0 to 1000.")],
    by: By = None,
) -> None:
    """Set a supplier's credit score (sent by the rater)."""
    with session(ctx, writable=True) as s:
        result = Registry(s).rate(account, score, sender=by or "rater")
        output(ctx, result, f"{s.name_of(s.accounts.resolve(account))} rated {score}")


@app.command("suspend")
def suspend_command(ctx: typer.Context, account: Supplier, by: By = None) -> None:
    """Suspend a supplier: it can no longer be paid or stand in (sent by the registrar)."""
    with session(ctx, writable=True) as s:
        result = Registry(s).suspend(account, sender=by or "registrar")
        output(ctx, result, f"{s.name_of(s.accounts.resolve(account))} suspended")


@app.command("reinstate")
def reinstate_command(ctx: typer.Context, account: Supplier, by: By = None) -> None:
    """Return a suspended supplier to Active (sent by the registrar)."""
    with session(ctx, writable=True) as s:
        result = Registry(s).reinstate(account, sender=by or "registrar")
        output(ctx, result, f"{s.name_of(s.accounts.resolve(account))} reinstated")


@app.command("qualify")
def qualify_command(
    ctx: typer.Context,
    part: Annotated[str, typer.Argument(help="The part code.")],
    supplier: Annotated[
        str, typer.Option("--supplier", help="The supplier opting in; it sends the transaction.")
    ],
    lead_time: Annotated[
        str,
        typer.Option(
            "--lead-time", help="Days from an order to delivery it can promise, e.g. 45d."
        ),
    ],
    terms_version: Annotated[
        int | None,
        typer.Option(
            "--terms-version",
            help="The terms version it accepts (see `scf pool policy`); refused if no longer "
            "in force. Default: the version in force now.",
        ),
    ] = None,
) -> None:
    """A supplier opts in as a substitute for a part, quoting its lead time and accepting
    the financing policy's terms version (again: re-confirms, keeping its place)."""
    with session(ctx, writable=True) as s:
        registry = Registry(s)
        result = registry.qualify(part, lead_time, supplier=supplier, terms_version=terms_version)
        address = s.accounts.resolve(supplier)
        entry = next(c for c in registry.candidates(part) if c.address == address)
        output(
            ctx,
            result,
            f"{supplier} is substitute #{entry.position} for {part}: lead time "
            f"{entry.lead_days} days, terms version {entry.terms_version}",
        )


@app.command("withdraw")
def withdraw_command(
    ctx: typer.Context,
    part: Annotated[str, typer.Argument(help="The part code.")],
    supplier: Annotated[str, typer.Option("--supplier", help="The supplier leaving the list.")],
) -> None:
    """A supplier leaves a part's substitute list."""
    with session(ctx, writable=True) as s:
        result = Registry(s).withdraw_qualification(part, supplier=supplier)
        output(ctx, result, f"{supplier} is no longer a substitute for {part}")


@app.command("unqualify")
def unqualify_command(
    ctx: typer.Context,
    part: Annotated[str, typer.Argument(help="The part code.")],
    substitute: Annotated[str, typer.Option("--substitute", help="The substitute to remove.")],
    by: By = None,
) -> None:
    """Take a substitute off a part's list and bar it from opting in again until readmitted
    (sent by the registrar)."""
    with session(ctx, writable=True) as s:
        result = Registry(s).unqualify(part, substitute, sender=by or "registrar")
        output(ctx, result, f"{substitute} removed from the substitutes for {part}")


@app.command("readmit")
def readmit_command(
    ctx: typer.Context,
    part: Annotated[str, typer.Argument(help="The part code.")],
    substitute: Annotated[str, typer.Option("--substitute", help="The substitute to readmit.")],
    by: By = None,
) -> None:
    """Let a substitute the registrar removed opt in for a part again (sent by the registrar)."""
    with session(ctx, writable=True) as s:
        result = Registry(s).readmit(part, substitute, sender=by or "registrar")
        output(ctx, result, f"{substitute} may opt in for {part} again")


@app.command("substitutes")
def substitutes_command(
    ctx: typer.Context, part: Annotated[str, typer.Argument(help="The part code.")]
) -> None:
    """A part's substitute list, in order, with each one's lead time and terms version."""
    with session(ctx, writable=False) as s:
        entries = Registry(s).candidates(part)
        rows = [
            (
                c.position,
                s.name_of(c.address),
                c.status,
                c.score,
                c.lead_days,
                c.terms_version,
                format_amount(c.capacity_left, grouping=True),
            )
            for c in entries
        ]
        headers = ["#", "substitute", "status", "score", "lead days", "terms", "capacity left"]
        output(ctx, entries, table(None, headers, rows) if rows else f"no substitutes for {part}")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every registered supplier."""
    with session(ctx, writable=False) as s:
        suppliers = Registry(s).suppliers()
        output(
            ctx,
            suppliers,
            suppliers_table(s, suppliers) if suppliers else "no suppliers registered",
        )


@app.command("show")
def show_command(ctx: typer.Context, account: Supplier) -> None:
    """One supplier, with the parts it stands in for."""
    with session(ctx, writable=False) as s:
        registry = Registry(s)
        record = registry.supplier(account)
        substitute_for = [p for p in record.parts if record.address in registry.substitutes(p)]
        output(
            ctx,
            {**record.model_dump(mode="json"), "substitute_for": substitute_for},
            supplier_detail(s, record, substitute_for),
        )


def _profile_view(s: Any, p: Any) -> Group:
    sc, h = p.score, p.history
    head = Text(
        printable(
            f"{s.name_of(h.supplier)}: model score {sc.score} (scoring model {sc.model_version}, "
            f"as of block {h.as_of_block}); the registry holds {p.published}\n"
            f"inputs {sc.inputs_hash}"
        )
    )
    factors = table(
        None,
        ["factor", "points", "from"],
        [("base", f"{sc.base:+d}", "every supplier starts here")]
        + [(f.name, f"{f.points:+d}", f.detail) for f in sc.factors],
    )
    lines = [f"{kind}: {item}" for kind, items in sorted(h.evidence.items()) for item in items]
    history = Text(printable("\n".join(lines) if lines else "no history recorded yet"))
    return Group(head, factors, Text("history behind it:", style="bold"), history)


@app.command("profile")
def profile_command(ctx: typer.Context, account: Supplier) -> None:
    """A supplier's credit profile from the chain's own history: each factor's points and
    the events behind them (docs/credit.md)."""
    from chain_client.credit.service import profile

    with session(ctx, writable=False) as s:
        p = profile(s, account)
        output(ctx, p, _profile_view(s, p))


@app.command("publish-score")
def publish_score_command(ctx: typer.Context, account: Supplier, by: By = None) -> None:
    """Compute a supplier's model score now and set it, with the model version and the hash
    of its inputs, so that the audit can recompute it (sent by the rater)."""
    from chain_client.credit.service import publish

    with session(ctx, writable=True) as s:
        p, result = publish(s, account, sender=by or "rater")
        output(
            ctx,
            {"profile": p, "transaction": result},
            f"{s.name_of(p.history.supplier)} scored {p.score.score} by scoring model "
            f"{p.score.model_version} (inputs {p.score.inputs_hash}, "
            f"block {p.history.as_of_block})",
        )


@app.command("attest")
def attest_command(
    ctx: typer.Context,
    account: Supplier,
    indicator: Annotated[
        str,
        typer.Argument(
            help="TAX_GRADE, YEARS_REGISTERED, PATENTS, RD_STAFF_TURNOVER_BPS or "
            "INVENTORY_TURNOVER_X100."
        ),
    ],
    value: Annotated[
        str, typer.Argument(help="A whole number; a tax grade may be A, B, M, C or D.")
    ],
    source: Annotated[
        str,
        typer.Option("--source", help="The source document: its 0x hash, @file, or a reference."),
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The date the fact held on, YYYY-MM-DD (default: now)."),
    ] = None,
    by: By = None,
) -> None:
    """Record an off-chain fact about a supplier for its credit profile (sent by the rater)."""
    from datetime import UTC, date, datetime

    from chain_client.credit.service import attest, attest_value

    code = indicator.strip().upper()
    number = attest_value(code, value)
    with session(ctx, writable=True) as s:
        if as_of is None:
            when = datetime.fromtimestamp(s.latest_timestamp(), UTC)
        else:
            try:
                day = date.fromisoformat(as_of.strip())
            except ValueError:
                raise InputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
            when = datetime(day.year, day.month, day.day, tzinfo=UTC)
        result = attest(s, account, code, number, source, when, sender=by or "rater")
        output(
            ctx,
            result,
            f"{s.name_of(s.accounts.resolve(account))}: {code} = {number} "
            f"as of {when.date()} recorded",
        )


@app.command("region")
def region_command(
    ctx: typer.Context,
    account: Supplier,
    region: Annotated[
        str, typer.Argument(help='Region code (at most 31 bytes), or "none" to clear it.')
    ],
    by: By = None,
) -> None:
    """Set a supplier's region (sent by the registrar); a regional shock disrupts it and keeps
    it from standing in while the shock is in force."""
    code = None if region.lower() == "none" else region
    with session(ctx, writable=True) as s:
        result = Registry(s).set_region(account, code, sender=by or "registrar")
        who = s.name_of(s.accounts.resolve(account))
        output(ctx, result, f"{who} is in region {code}" if code else f"{who} has no region")


@app.command("inputs")
def inputs_command(
    ctx: typer.Context,
    account: Supplier,
    parts: Annotated[
        list[str] | None,
        typer.Argument(help="The part codes it sources upstream (none: clears the list)."),
    ] = None,
    by: By = None,
) -> None:
    """Record the upstream inputs a supplier sources (sent by the registrar): it is not chosen
    to stand in for a supplier that makes one of them."""
    with session(ctx, writable=True) as s:
        result = Registry(s).declare_inputs(account, parts or [], sender=by or "registrar")
        who = s.name_of(s.accounts.resolve(account))
        text = f"{who} sources {', '.join(parts)}" if parts else f"{who} declares no inputs"
        output(ctx, result, text)
