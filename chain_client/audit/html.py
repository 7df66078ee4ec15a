"""A self-contained HTML audit report: the flow diagram, the checks and the patterns, and
the early warning of the risk report.

The diagram is a plotly Sankey (its JavaScript is embedded, so the file opens offline):
funders → projects → budget lines → payees, and banks → pool → substitutes.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable

import plotly.graph_objects as go

from ..risk.report import RiskReport
from ..units import format_amount
from .books import Books
from .report import AuditReport

Namer = Callable[[str], str]
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    ".clean{color:#16794c}.unclean{color:#b42318}"
)


def flows(books: Books, namer: Namer, pool: str) -> dict[tuple[str, str], int]:
    """Summed money flows between named nodes, each payment to its final payee."""
    links: dict[tuple[str, str], int] = defaultdict(int)
    for m in books.movements:
        amount, event = int(m["amount"]), m["event"]
        if event == "ProjectFunded":
            links[(f"funder {namer(m['from'])}", f"project {m['project']}")] += amount
        elif event == "FundsDisbursed":
            line = f"{m['project']} · {m['category']}"
            links[(f"project {m['project']}", line)] += amount
            target = "pool" if m["to"] == pool else f"payee {namer(m['to'])}"
            links[(line, target)] += amount
        elif event == "RecoverySetOff":
            # kept from a payment to its payee to repay its recoveries: drawn as that payment
            # (and the RecoveryRepaid rows as the money coming back), so the node balances
            line = f"{m['project']} · {m['category']}"
            links[(f"project {m['project']}", line)] += amount
            links[(line, f"payee {namer(m['to'])}")] += amount
        elif event == "Deposit":
            links[(f"bank {namer(m['from'])}", "pool")] += amount
        elif event == "SubstituteFinanced":
            links[("pool", f"substitute {namer(m['to'])}")] += amount
        elif event == "FacilityRepaid":
            links[(f"repaid by {namer(m['from'])}", "pool")] += amount
        elif event == "RecoveryRepaid":
            links[(f"recovery from {namer(m['from'])}", f"project {m['project']}")] += amount
        elif event == "FundsRefunded":
            links[(f"project {m['project']}", f"refund to {namer(m['to'])}")] += amount
    return links


def render_html(
    report: AuditReport,
    books: Books,
    namer: Namer,
    pool: str,
    risk: RiskReport | None = None,
) -> str:
    """The audit as one self-contained page; with `risk`, its early-warning section (the
    parts a cut-off would leave without a substitute, and the findings of the risk report)."""
    links = flows(books, namer, pool)
    nodes = list(dict.fromkeys(n for pair in links for n in pair))
    index = {n: i for i, n in enumerate(nodes)}
    figure = go.Figure(
        go.Sankey(
            node={"label": nodes, "pad": 18, "thickness": 14},
            link={
                "source": [index[a] for a, _ in links],
                "target": [index[b] for _, b in links],
                "value": [v / 100 for v in links.values()],
                "customdata": [format_amount(v, grouping=True) for v in links.values()],
                "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
            },
        )
    )
    figure.update_layout(title_text="Where the money went", font_size=12, height=560)
    diagram = figure.to_html(include_plotlyjs=True, full_html=False, div_id="flow")

    def rows(items: list[tuple[str, ...]]) -> str:
        return "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in items
        )

    checks = rows([(c.name, "pass" if c.ok else "FAIL", c.detail) for c in report.checks])
    found = (
        rows(
            [
                (f.kind, namer(f.subject) if f.subject.startswith("0x") else f.subject, f.detail)
                for f in [*report.findings, *report.patterns]
            ]
        )
        or "<tr><td colspan=3>none</td></tr>"
    )
    episodes = (
        "".join(
            f"<h3>block {e.block}: {html.escape(e.supplier)}'s disruption "
            f"(report #{e.episode})</h3>"
            + "".join(
                f"<p>order {order}</p><ul>"
                + "".join(f"<li>{html.escape(line)}</li>" for line in lines)
                + "</ul>"
                for order, lines in e.orders.items()
            )
            for e in report.episodes
        )
        or "<p>no trigger calls</p>"
    )
    warning = _risk_section(risk, namer, rows) if risk is not None else ""
    verdict = "clean" if report.clean else "NOT clean"
    css = "clean" if report.clean else "unclean"
    head = "<tr><th>kind</th><th>subject</th><th>detail</th></tr>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>scf audit — chain {report.chain_id}</title><style>{STYLE}</style></head><body>
<h1>scf audit <span class="{css}" id="verdict">{verdict}</span></h1>
<p>Chain {report.chain_id}, blocks {report.from_block}–{report.to_block}:
{report.events} events, {report.movements} movements, {report.decisions} decisions replayed.
Rebuilt from event logs alone, then checked against on-chain state.</p>
{diagram}
<h2>Checks</h2>
<table id="checks"><tr><th>check</th><th>result</th><th>detail</th></tr>{checks}</table>
<h2>Findings and patterns worth a look</h2>
<table id="patterns">{head}{found}</table>
<h2>Disruption decisions, replayed from the logs</h2>
<div id="episodes">{episodes}</div>
{warning}
</body></html>
"""


def _risk_section(
    risk: RiskReport, namer: Namer, rows: Callable[[list[tuple[str, ...]]], str]
) -> str:
    parts = rows(
        [
            (
                p.part,
                ", ".join(namer(m) for m in p.makers) or "-",
                str(p.substitutes),
                ", ".join(namer(e) for e in p.eligible) or "none",
            )
            for p in risk.parts
        ]
    )
    found = rows([(f.kind, f.subject, f.detail) for f in risk.findings])
    return f"""<h2>Early warning at block {risk.block}</h2>
<table id="risk-parts"><tr><th>part</th><th>makers</th><th>substitutes</th>
<th>eligible now</th></tr>{parts or "<tr><td colspan=4>no parts</td></tr>"}</table>
<table id="risk-findings"><tr><th>kind</th><th>subject</th><th>detail</th></tr>
{found or "<tr><td colspan=3>no findings</td></tr>"}</table>"""
