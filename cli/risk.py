"""`scf risk`: early warning, played on a copy of the chain with the real contracts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group
from rich.text import Text

from chain_client.chain.workspace import DATABASE
from chain_client.errors import DeploymentError, InputError
from chain_client.units import format_amount

from .common import err_console, output, printable, session, state, table

app = typer.Typer(
    help="Early warning: what a cut-off would do, before it happens.", no_args_is_help=True
)


@app.command("whatif")
def whatif_command(
    ctx: typer.Context,
    supplier: Annotated[
        str | None, typer.Argument(help="The supplier to cut off: an alias or address.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Cut off every Active supplier of this region instead.")
    ] = None,
) -> None:
    """If a supplier (or a whole region) were cut off now: which orders would move, to whom,
    what the pool would advance and what would be left unfinanced. Played on a copy of the
    embedded chain; the workspace's chain is not changed."""
    from chain_client.risk.whatif import played_copy, what_if, what_if_region

    if (supplier is None) == (region is None):
        raise InputError("give a supplier or --region, not both")
    settings = state(ctx).settings
    if not (settings.workspace / DATABASE).is_file():
        raise DeploymentError(
            f"nothing is deployed for workspace {settings.workspace} (it does not exist yet)",
            hint="run `scf deploy` first, or give --workspace",
        )
    with played_copy(settings) as s:
        w = what_if(s, supplier) if supplier is not None else what_if_region(s, str(region))
        who = (
            s.name_of(w.supplier)
            if w.supplier
            else f"region {w.region} ({', '.join(s.name_of(d) for d in w.disrupted)})"
        )
        rows = [
            (
                o.order,
                "moves" if o.financed else "stays",
                s.name_of(o.substitute) if o.substitute else "-",
                format_amount(o.advance or 0),
                o.reason or "",
            )
            for o in w.outcomes
        ]
        head = Text(
            printable(
                f"if {who} were cut off at block {w.block}: "
                f"{w.open_orders} open order(s), {w.open_orders - w.unfinanced} would move, "
                f"the pool would advance {format_amount(w.advanced, grouping=True)} of "
                f"{format_amount(w.idle_before, grouping=True)} idle; "
                f"{w.unfinanced} left unfinanced "
                f"({format_amount(w.unfinanced_value, grouping=True)}, of which "
                f"{format_amount(w.short_of_cash, grouping=True)} for want of cash)"
            )
        )
        view = (
            Group(head, table(None, ["order", "outcome", "to", "amount", "reason"], rows))
            if rows
            else head
        )
        output(ctx, w, view)


@app.command("report")
def report_command(ctx: typer.Context) -> None:
    """Parts a cut-off would leave without an eligible substitute, attested indicators past
    their thresholds, buyer concentration, stretched capacity and open recoveries."""
    from chain_client.risk.report import risk_report

    with session(ctx, writable=False) as s:
        r = risk_report(s)
        parts = table(
            f"parts at block {r.block}",
            ["part", "makers", "substitutes", "eligible now"],
            [
                (
                    p.part,
                    ", ".join(s.name_of(m) for m in p.makers) or "-",
                    p.substitutes,
                    ", ".join(s.name_of(e) for e in p.eligible) or "none",
                )
                for p in r.parts
            ],
        )
        findings = (
            table(
                "findings",
                ["kind", "subject", "detail"],
                [(f.kind, f.subject, f.detail) for f in r.findings],
            )
            if r.findings
            else Text("no findings")
        )
        output(ctx, r, Group(parts, findings))


@app.command("stress")
def stress_command(
    ctx: typer.Context,
    runs: Annotated[int, typer.Option(min=1, max=10_000, help="How many random shocks.")] = 20,
    seed: Annotated[
        int, typer.Option(help="Seed: the same seed on the same state gives the same report.")
    ] = 1,
) -> None:
    """Random correlated shocks (by region and by part) played with the real contracts on a
    copy of the embedded chain: the distribution of the pool's shortfall, the orders left
    unfinanced and the project money at risk. The workspace's chain is not changed."""
    from rich.progress import Progress

    from chain_client.risk.stress import stress
    from chain_client.risk.whatif import played_copy

    settings = state(ctx).settings
    if not (settings.workspace / DATABASE).is_file():
        raise DeploymentError(
            f"nothing is deployed for workspace {settings.workspace} (it does not exist yet)",
            hint="run `scf deploy` first, or give --workspace",
        )
    quiet = state(ctx).json
    with (
        played_copy(settings) as s,
        Progress(console=err_console, transient=True, disable=quiet) as bar,
    ):
        task = bar.add_task("stress runs", total=runs)
        report = stress(s, runs, seed, progress=lambda done: bar.update(task, completed=done))

        def a(units: int) -> str:
            return format_amount(units, grouping=True)

        summary = table(
            f"{runs} runs, seed {seed}, from block {report.block} ({a(report.idle)} idle)",
            ["figure", "min", "median", "90th percentile", "max", "mean"],
            [
                ("pool shortfall", *(a(v) for v in report.shortfall.model_dump().values())),
                ("orders unfinanced", *(str(v) for v in report.unfinanced.model_dump().values())),
                ("project money at risk", *(a(v) for v in report.at_risk.model_dump().values())),
            ],
        )
        runs_table = table(
            "runs",
            ["run", "shocks", "disrupted", "orders", "financed", "advanced", "at risk"],
            [
                (
                    r.run,
                    "; ".join(r.shocks),
                    r.disrupted,
                    r.orders,
                    r.financed,
                    a(r.advanced),
                    a(r.at_risk),
                )
                for r in report.results
            ],
        )
        output(ctx, report, Group(summary, runs_table))
