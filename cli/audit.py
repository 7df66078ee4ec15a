"""`scf audit report|export|verify`: the books rebuilt from the event logs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.progress import Progress

from chain_client.audit.export import export, verify
from chain_client.audit.html import render_html
from chain_client.audit.report import AuditReport, audit_with_books, explain_order, run_audit
from chain_client.contracts import Financing
from chain_client.session import Session
from chain_client.units import format_amount

from .common import console, output, session, state, table

app = typer.Typer(
    help="Audit the fund-flow logs: rebuild the books from events and check them.",
    no_args_is_help=True,
)


def _run(ctx: typer.Context, s: Session) -> AuditReport:
    if state(ctx).json:
        return run_audit(s)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("reading events", total=None)
        return run_audit(
            s, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )


#: Findings listed one by one up to this many; beyond it, one row per kind (all with --all).
FINDINGS_SHOWN = 20


def render(s: Session, report: AuditReport, *, every_finding: bool = False) -> Group:
    def a(v: int) -> str:
        return format_amount(v, grouping=True)

    verdict = "[bold green]clean[/]" if report.clean else "[bold red]NOT clean[/]"
    head = (
        f"audit of chain {report.chain_id}, blocks {report.from_block}-{report.to_block}: "
        f"{report.events} events, {report.movements} movements, {report.decisions} decisions "
        f"replayed — {verdict}"
    )
    checks = table(
        "checks",
        ["check", "result", "detail"],
        [(c.name, "pass" if c.ok else "FAIL", c.detail) for c in report.checks],
    )
    projects = table(
        "projects (from events)",
        ["project", "funded", "disbursed", "reserved", "refunded", "recovered", "balance"],
        [
            (
                p.project,
                a(p.funded),
                a(p.disbursed),
                a(p.reserved),
                a(p.refunded),
                a(p.recovered),
                a(p.balance),
            )
            for p in report.projects
        ],
    )
    pool = report.pool
    pool_table = table(
        "pool (from events)",
        [
            "deposits",
            "withdrawals",
            "advances",
            "repaid",
            "interest",
            "outstanding",
            "cash",
            "share price",
        ],
        [
            (
                a(pool.deposits),
                a(pool.withdrawals),
                a(pool.advances),
                a(pool.repaid_principal),
                a(pool.interest),
                a(pool.outstanding),
                a(pool.cash),
                pool.share_price,
            )
        ],
    )
    suppliers = table(
        "suppliers (from events)",
        ["supplier", "name", "received", "advances", "orders", "facilities"],
        [
            (
                s.name_of(x.supplier),
                x.name,
                a(x.received),
                a(x.advances),
                len(x.orders),
                len(x.facilities),
            )
            for x in report.suppliers
        ],
    )
    parts: list[RenderableType] = [head, checks, "", projects, "", suppliers, "", pool_table]
    found = [*report.findings, *report.patterns]

    def subject(f: Any) -> str:
        return str(s.name_of(f.subject) if f.subject.startswith("0x") else f.subject)

    if found and (every_finding or len(found) <= FINDINGS_SHOWN):
        parts += [
            "",
            table(
                "findings and patterns worth a look",
                ["kind", "subject", "detail"],
                [(f.kind, subject(f), f.detail) for f in found],
            ),
        ]
    elif found:
        kinds: dict[str, list[Any]] = {}
        for f in found:
            kinds.setdefault(f.kind, []).append(f)
        parts += [
            "",
            table(
                f"findings and patterns worth a look: {len(found)}, by kind (each one with --all)",
                ["kind", "count", "first subject", "first detail"],
                [(k, len(v), subject(v[0]), v[0].detail) for k, v in kinds.items()],
            ),
        ]
    return Group(*parts)


@app.command("report")
def report_command(
    ctx: typer.Context,
    every_finding: Annotated[
        bool,
        typer.Option(
            "--all",
            help=f"List every finding (past {FINDINGS_SHOWN} they are summarised by kind; --json "
            "always holds them all).",
        ),
    ] = False,
) -> None:
    """Rebuild the books from events, check them against state; exit 1 if not clean."""
    with session(ctx, writable=True) as s:
        report = _run(ctx, s)
        output(ctx, report, render(s, report, every_finding=every_finding))
    if not report.clean:
        raise typer.Exit(1)


@app.command("explain")
def explain_command(
    ctx: typer.Context,
    order: Annotated[int, typer.Argument(help="The order number.", min=1)],
) -> None:
    """Replay one order's life from the logs: every decision on it, in words."""
    with session(ctx, writable=True) as s:
        Financing(s).order(order)  # an unknown order is one line, not an empty story
        story = explain_order(s, order)
        output(
            ctx,
            {"order": order, "story": story},
            "\n".join([f"order {order}:"] + [f"  {i}. {line}" for i, line in enumerate(story, 1)]),
        )


@app.command("html")
def html_command(
    ctx: typer.Context,
    output_path: Annotated[Path, typer.Option("--output", "-o", help="FILE.html")],
) -> None:
    """One self-contained HTML file: the flow diagram, the checks, the patterns and the early
    warning of `scf risk report`."""
    with session(ctx, writable=True) as s:
        report, books = audit_with_books(s)
        pool = s.deployment().address("FinancingPool")
        from chain_client.risk.report import risk_report

        risk = risk_report(s)
        page = render_html(report, books, lambda a: s.accounts.name_of(a) or a, pool, risk)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(page, encoding="utf-8")
    output(
        ctx,
        {"written": str(output_path), "bytes": len(page), "clean": report.clean},
        f"wrote {output_path} ({len(page) // 1024:,} KiB); open it in a browser",
    )


@app.command("export")
def export_command(
    ctx: typer.Context,
    output_path: Annotated[Path, typer.Option("--output", "-o", help="FILE.jsonl or FILE.csv")],
) -> None:
    """Write every movement (tx hash, block, log index) with a manifest and a hash chain."""
    with session(ctx, writable=True) as s:
        manifest = export(s, output_path)
        output(
            ctx,
            manifest,
            f"wrote {manifest['rows']} movements to {output_path} "
            f"(manifest {output_path.name}.manifest.json, "
            f"head {manifest['hash_chain_head'][:16]}…)",
        )


@app.command("verify")
def verify_command(
    ctx: typer.Context, export_path: Annotated[Path, typer.Argument(help="The export file.")]
) -> None:
    """Re-read the chain and name every exported row changed, added or dropped."""
    with session(ctx, writable=True) as s:
        result = verify(s, export_path)
    lines = [
        f"{export_path}: {result.rows} rows — " + ("holds" if result.holds else "DOES NOT HOLD")
    ]
    lines += [f"  row {n} changed" for n in result.changed]
    lines += [f"  row {n} added (not on the chain)" for n in result.added]
    lines += [f"  dropped: {d}" for d in result.dropped]
    lines += [f"  hash chain breaks at row {n}" for n in result.chain_breaks]
    lines += [f"  {p}" for p in result.manifest]
    output(ctx, result, "\n".join(lines))
    if not result.holds:
        raise typer.Exit(1)
