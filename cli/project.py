"""`scf project …`: create, fund, show, list, disburse, team wallets, reallocations, close."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.progress import Progress

from chain_client.contracts import Ledger
from chain_client.contracts.ledger import DEFAULT_RUN
from chain_client.errors import InputError
from chain_client.models import ChunkOutcome
from chain_client.projects import PaymentSpec, ProjectRecord, load_payments_csv, parse_spec
from chain_client.session import Session
from chain_client.units import format_amount, parse_amount

from .common import By, console, output, session, state, table

app = typer.Typer(
    help="R&D projects: budget lines, milestones, funding and payments.", no_args_is_help=True
)
team = typer.Typer(help="Team wallets a project may pay (set by a reviewer).", no_args_is_help=True)
app.add_typer(team, name="team")

ProjectId = Annotated[str, typer.Argument(help="The project id, e.g. LITHO-14.")]
AmountArg = Annotated[str, typer.Argument(help='A decimal amount such as "1250.00".')]


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, amount = value.partition("=")
        if not sep or not name or not amount:
            raise InputError(
                f"{option} {value!r} must look like NAME=AMOUNT, e.g. MATERIALS=12000000.00"
            )
        pairs.append((name.strip(), amount.strip()))
    return pairs


@app.command("create")
def create_command(
    ctx: typer.Context,
    project: ProjectId,
    owner: Annotated[str, typer.Option(help="Who disburses: an alias or address.")],
    line: Annotated[list[str], typer.Option("--line", help="Budget line CATEGORY=CAP (repeat).")],
    milestone: Annotated[
        list[str],
        typer.Option("--milestone", help="Milestone STAGE=TRANCHE, in order from 0 (repeat)."),
    ],
    dual_control: Annotated[
        str, typer.Option(help="Payments at or above need a reviewer's pre-approval.")
    ] = "0",
    near_margin: Annotated[
        str, typer.Option(help="Flag payments this close under dual control.")
    ] = "0",
    payee_share_bps: Annotated[
        int, typer.Option(help="Flag a payee above this share (bps; 0: 5000).")
    ] = 0,
    share_floor: Annotated[
        str, typer.Option(help="Share flag applies from this spend (0: 10% of budget).")
    ] = "0",
    substitute_financing: Annotated[
        bool,
        typer.Option(
            "--substitute-financing/--no-substitute-financing",
            help="Whether its orders may move to a substitute with a pool advance when a "
            "supplier is cut off (fixed at creation).",
        ),
    ] = True,
    by: By = None,
) -> None:
    """Create a project (sent by an approved creator: the admin by default)."""
    spec = {
        "id": project,
        "owner": owner,
        "budget": dict(_pairs(line, "--line")),
        "milestones": [{"stage": s, "amount": a} for s, a in _pairs(milestone, "--milestone")],
        "dual_control": dual_control,
        "near_margin": near_margin,
        "payee_share_bps": payee_share_bps,
        "share_floor": share_floor,
        "substitute_financing": substitute_financing,
    }
    with session(ctx, writable=True) as s:
        ledger = Ledger(s)
        result = ledger.create_project(spec, sender=by or "admin")
        record = ledger.project(project)
        output(
            ctx,
            {"project": record, "transaction": result},
            f"created {project} for {s.name_of(record.owner)}: budget "
            f"{format_amount(record.budget, grouping=True)} in {len(record.lines)} lines, "
            f"{len(record.milestones)} milestones",
        )


@app.command("fund")
def fund_command(
    ctx: typer.Context,
    project: ProjectId,
    amount: AmountArg,
    by: Annotated[str, typer.Option("--by", help="The funder (approves, then deposits).")],
) -> None:
    """Deposit settlement tokens into a project."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        results = Ledger(s).fund(project, units, funder=by)
        output(ctx, results, f"{by} funded {project} with {format_amount(units, grouping=True)}")


def _project_view(s: Session, record: ProjectRecord, flags: list) -> Group:  # type: ignore[type-arg]
    def a(value: int) -> str:
        return format_amount(value, grouping=True)

    summary = table(
        None,
        ["field", "value"],
        [
            ("project", record.id),
            ("owner", s.name_of(record.owner)),
            ("status", record.status),
            ("funded", a(record.funded)),
            ("spent", a(record.spent)),
            ("reserved", a(record.reserved)),
            ("refunded", a(record.refunded)),
            ("balance", a(record.balance)),
            ("free", a(record.free)),
            ("budget", a(record.budget)),
            (
                "dual control",
                a(record.thresholds.dual_control) if record.thresholds.dual_control else "off",
            ),
            ("substitute financing", "yes" if record.substitute_financing else "no"),
        ],
    )
    lines = table(
        "budget lines",
        ["category", "cap", "spent", "reserved", "left"],
        [(ln.category, a(ln.cap), a(ln.spent), a(ln.reserved), a(ln.left)) for ln in record.lines],
    )
    milestones = table(
        "milestones",
        ["index", "stage", "state", "tranche", "spent", "reserved"],
        [
            (
                m.index,
                m.stage,
                "approved" if m.approved else "pending",
                a(m.tranche),
                a(m.spent),
                a(m.reserved),
            )
            for m in record.milestones
        ],
    )
    funders = table(
        "funders",
        ["funder", "amount"],
        [(s.name_of(f.address), a(f.amount)) for f in record.funders],
    )
    flag_table = table(
        "risk flags",
        ["block", "code", "subject", "value"],
        [
            (
                f.block,
                f.code,
                s.name_of(f.subject)
                if f.subject.startswith("0x") and len(f.subject) == 42
                else f.subject,
                f.value_text,
            )
            for f in flags
        ],
    )
    return Group(
        summary,
        "",
        lines,
        "",
        milestones,
        "",
        funders,
        "",
        flag_table if flags else "no risk flags",
    )


@app.command("show")
def show_command(ctx: typer.Context, project: ProjectId) -> None:
    """Budget lines (cap, spent, reserved, left), milestones, balance, funders and flags."""
    with session(ctx, writable=False) as s:
        ledger = Ledger(s)
        record = ledger.project(project)
        flags = ledger.flags(project)
        output(
            ctx, {**record.model_dump(mode="json"), "flags": flags}, _project_view(s, record, flags)
        )


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every project with its totals."""
    with session(ctx, writable=False) as s:
        ledger = Ledger(s)
        records = [ledger.project(p) for p in ledger.project_ids()]
        rows = [
            (
                r.id,
                s.name_of(r.owner),
                r.status,
                format_amount(r.budget, grouping=True),
                format_amount(r.funded, grouping=True),
                format_amount(r.spent, grouping=True),
                format_amount(r.balance, grouping=True),
            )
            for r in records
        ]
        output(
            ctx,
            records,
            table(
                None, ["project", "owner", "status", "budget", "funded", "spent", "balance"], rows
            )
            if records
            else "no projects",
        )


@app.command("flags")
def flags_command(ctx: typer.Context, project: ProjectId) -> None:
    """The project's on-chain risk flags."""
    with session(ctx, writable=False) as s:
        flags = Ledger(s).flags(project)
        rows = [(f.block, f.code, f.subject, f.value_text, f.tx_hash) for f in flags]
        output(
            ctx,
            flags,
            table(None, ["block", "code", "subject", "value", "tx"], rows)
            if flags
            else "no risk flags",
        )


@app.command("disburse")
def disburse_command(
    ctx: typer.Context,
    project: ProjectId,
    to: Annotated[str | None, typer.Option(help="Payee: an alias or address.")] = None,
    amount: Annotated[str | None, typer.Option(help='Amount, e.g. "1200000.00".')] = None,
    category: Annotated[str | None, typer.Option(help="Budget line.")] = None,
    milestone: Annotated[int | None, typer.Option(help="Milestone number, from 0.")] = None,
    memo: Annotated[str, typer.Option(help="Free text recorded with the payment.")] = "",
    invoice: Annotated[str | None, typer.Option(help="Invoice reference (text, or @file).")] = None,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Many payments: columns to,amount,category,milestone,memo,invoice."
        ),
    ] = None,
    run: Annotated[
        str | None,
        typer.Option(
            "--run",
            help="With --csv: names a new payment run of a file paid before (e.g. 2026-12, "
            "at most 31 bytes); without it the run is 'default', and paying the same file "
            "again only pays what has not landed.",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Pay a supplier or team wallet (sent by the project owner).

    With --csv, the whole file is checked first, then paid in chunks of 200 rows, each one
    transaction that lands whole or not at all. Running the same file again resumes it:
    chunks already paid are skipped, never paid twice.
    """
    single = [to, amount, category, milestone]
    if csv is not None:
        if any(v is not None for v in single):
            raise InputError("give either --csv or --to/--amount/--category/--milestone, not both")
        _disburse_file(ctx, project, load_payments_csv(csv), run=run or DEFAULT_RUN, by=by)
        return
    if run is not None:
        raise InputError("--run names a run of a payments file: use it with --csv")
    if any(v is None for v in single):
        raise InputError(
            "a payment needs --to, --amount, --category and --milestone (or --csv FILE)"
        )
    fields = {"to": to, "amount": amount, "category": category, "milestone": milestone}
    payment = parse_spec(PaymentSpec, {**fields, "memo": memo, "invoice": invoice})
    with session(ctx, writable=True) as s:
        ledger = Ledger(s)
        ledger.owner(project)
        with (
            console.status("sending the payment", spinner="dots")
            if not state(ctx).json
            else nullcontext()
        ):
            result = ledger.disburse(project, payment, sender=by)
        output(
            ctx,
            {"payments": 1, "total": format_amount(payment.amount), "transaction": result},
            f"paid {format_amount(payment.amount, grouping=True)} "
            f"to {s.name_of(s.accounts.resolve(payment.to))} from {project} "
            f"(gas {result.gas_used:,})",
        )


def _disburse_file(
    ctx: typer.Context, project: str, payments: list[PaymentSpec], *, run: str, by: str | None
) -> None:
    """Pay a checked payments file in keyed chunks, with a progress bar; a chunk that fails
    names what landed before it and how to resume."""
    with session(ctx, writable=True) as s:
        ledger = Ledger(s)
        ledger.owner(project)
        landed: list[ChunkOutcome] = []
        bar = Progress(console=console, transient=True, disable=state(ctx).json)
        task = bar.add_task(f"paying {len(payments)} payments", total=None)

        def advance(outcome: ChunkOutcome) -> None:
            landed.append(outcome)
            bar.update(task, completed=sum(c.rows for c in landed), total=len(payments))

        # a refusal names the chunk and payments, what landed and how to go on
        with bar:
            ledger.pay_file(project, payments, run=run, sender=by, progress=advance)
        paid = [c for c in landed if c.status == "paid"]
        skipped = [c for c in landed if c.status != "paid"]
        total = sum(c.total for c in paid)
        text = (
            f"paid {sum(c.rows for c in paid)} payments, {format_amount(total, grouping=True)} "
            f"in all, from {project} in {len(paid)} transaction(s)"
        )
        if skipped:
            text += (
                f"; {len(skipped)} chunk(s), {sum(c.rows for c in skipped)} rows, were "
                "already paid and skipped"
            )
        output(
            ctx,
            {
                "payments": sum(c.rows for c in paid),
                "total": format_amount(total),
                "skipped": sum(c.rows for c in skipped),
                "chunks": [c.model_dump(mode="json") for c in landed],
            },
            text,
        )


@app.command("approve-payment")
def approve_payment_command(
    ctx: typer.Context,
    project: ProjectId,
    to: Annotated[str, typer.Option(help="Payee: an alias or address.")],
    amount: Annotated[str, typer.Option(help="The exact amount.")],
    category: Annotated[str, typer.Option(help="Budget line.")],
    milestone: Annotated[int, typer.Option(help="Milestone number, from 0.")],
    invoice: Annotated[str | None, typer.Option(help="Invoice reference (text, or @file).")] = None,
    by: By = None,
) -> None:
    """Pre-approve exactly one payment at or above dual control (sent by a reviewer)."""
    fields = {"to": to, "amount": amount, "category": category, "milestone": milestone}
    payment = parse_spec(PaymentSpec, {**fields, "invoice": invoice})
    with session(ctx, writable=True) as s:
        result = Ledger(s).approve_payment(project, payment, sender=by or "reviewer")
        output(
            ctx,
            result,
            f"approved a payment of {format_amount(payment.amount, grouping=True)} "
            f"to {s.name_of(s.accounts.resolve(to))} from {project}",
        )


@app.command("reallocate")
def reallocate_command(
    ctx: typer.Context,
    project: ProjectId,
    amount: AmountArg,
    source: Annotated[str, typer.Option("--from", help="Budget line giving cap.")],
    target: Annotated[str, typer.Option("--to", help="Budget line receiving cap.")],
    by: By = None,
) -> None:
    """Propose moving cap between budget lines (sent by the owner; a reviewer approves)."""
    units = parse_amount(amount)
    with session(ctx, writable=True) as s:
        result, proposal = Ledger(s).propose_reallocation(project, source, target, units, sender=by)
        output(
            ctx,
            {"proposal": proposal, "transaction": result},
            f"proposal {proposal}: move {format_amount(units, grouping=True)} "
            f"from {source} to {target} "
            f"(a reviewer runs `scf project approve-reallocation {project} {proposal}`)",
        )


@app.command("approve-reallocation")
def approve_reallocation_command(
    ctx: typer.Context,
    project: ProjectId,
    proposal: Annotated[int, typer.Argument(help="The proposal number.")],
    by: By = None,
) -> None:
    """Approve a proposed reallocation (sent by a reviewer)."""
    with session(ctx, writable=True) as s:
        result = Ledger(s).approve_reallocation(project, proposal, sender=by or "reviewer")
        output(ctx, result, f"reallocation {proposal} of {project} approved")


@app.command("close")
def close_command(ctx: typer.Context, project: ProjectId, by: By = None) -> None:
    """Close a project (owner or admin); funders then claim what is left, pro rata."""
    with session(ctx, writable=True) as s:
        ledger = Ledger(s)
        result = ledger.close(project, sender=by)
        left = ledger.project(project).balance
        output(
            ctx,
            {"remaining": format_amount(left), "transaction": result},
            f"{project} closed; {format_amount(left, grouping=True)} left for its funders to claim",
        )


@app.command("claim")
def claim_command(
    ctx: typer.Context,
    project: ProjectId,
    by: Annotated[str, typer.Option("--by", help="The funder claiming its share.")],
) -> None:
    """A funder takes its pro-rata share of a closed project's remaining balance."""
    with session(ctx, writable=True) as s:
        ledger = Ledger(s)
        amount = ledger.claimable(project, by)
        result = ledger.claim(project, funder=by)
        output(
            ctx,
            {"claimed": format_amount(amount), "transaction": result},
            f"{by} claimed {format_amount(amount, grouping=True)} from {project}",
        )


Wallet = Annotated[str, typer.Argument(help="The wallet: an alias or address.")]


@team.command("add")
def team_add_command(ctx: typer.Context, project: ProjectId, wallet: Wallet, by: By = None) -> None:
    """Allow a team wallet as payee (sent by a reviewer)."""
    with session(ctx, writable=True) as s:
        result = Ledger(s).set_team_wallet(project, wallet, True, sender=by or "reviewer")
        output(ctx, result, f"{s.name_of(s.accounts.resolve(wallet))} may be paid by {project}")


@team.command("remove")
def team_remove_command(
    ctx: typer.Context, project: ProjectId, wallet: Wallet, by: By = None
) -> None:
    """Remove a team wallet (sent by a reviewer)."""
    with session(ctx, writable=True) as s:
        result = Ledger(s).set_team_wallet(project, wallet, False, sender=by or "reviewer")
        output(
            ctx,
            result,
            f"{s.name_of(s.accounts.resolve(wallet))} may no longer be paid by {project}",
        )
