"""`scf risk`: early warning, played on a copy of the chain with the real contracts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group
from rich.text import Text

from chain_client.chain.workspace import DATABASE
from chain_client.errors import DeploymentError
from chain_client.units import format_amount

from .common import output, printable, session, state, table

app = typer.Typer(
    help="Early warning: what a cut-off would do, before it happens.", no_args_is_help=True
)


@app.command("whatif")
def whatif_command(
    ctx: typer.Context,
    supplier: Annotated[str, typer.Argument(help="The supplier to cut off: an alias or address.")],
) -> None:
    """If a supplier were cut off now: which orders would move, to whom, what the pool would
    advance and what would be left unfinanced. Played on a copy of the embedded chain; the
    workspace's chain is not changed."""
    from chain_client.risk.whatif import played_copy, what_if

    settings = state(ctx).settings
    if not (settings.workspace / DATABASE).is_file():
        raise DeploymentError(
            f"nothing is deployed for workspace {settings.workspace} (it does not exist yet)",
            hint="run `scf deploy` first, or give --workspace",
        )
    with played_copy(settings) as s:
        w = what_if(s, supplier)
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
                f"if {s.name_of(w.supplier)} were cut off at block {w.block}: "
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
