"""How the trigger's outcome reads to a person."""

from __future__ import annotations

from chain_client.orders import OrderOutcome, ShockReport, TriggerReport
from chain_client.session import Session
from chain_client.units import format_amount

REASONS = {
    "NOT_ACTIVE": "not Active",
    "LOW_SCORE": "credit score below the lowest band",
    "TERMS_CHANGED": "opted in under terms replaced more than the notice period ago",
    "TENOR_TOO_LONG": "its facility would run longer than the policy allows at the order's stage",
    "SAME_REGION": "its region is under a regional shock in force",
    "SHARED_UPSTREAM": "it sources an upstream input the cut-off supplier makes",
    "NO_CAPACITY": "not enough capacity left for the order",
    "EXPOSURE_CAP": "its exposure would pass the per-supplier cap",
    "LATER_DELIVERY": "eligible, but another can deliver by the order's due date",
    "LOWER_SCORE": "eligible, but a better-scored (or earlier listed) substitute won",
    "NO_SUBSTITUTE": "no eligible substitute",
    "NO_CASH": "not enough idle cash in the pool",
    "PROJECT_CAP": "the project's exposure would pass the per-project cap",
    "WINDOW_CAP": "advances against this supplier's disruptions would pass the 30-day window cap",
    "SHOCK_CAP": "advances against this regional shock would pass its cap",
    "ORDER_NOT_APPROVED": "the order awaits the reviewer's approval",
    "PROJECT_OPTED_OUT": "the project's terms exclude substitute financing",
    "TOO_SMALL": "the advance would be below the policy's minimum advance",
    "MILESTONE_NOT_APPROVED": "the order's milestone is not approved: its reservation cannot pay",
}


def trigger_lines(s: Session, report: TriggerReport) -> str:
    lines = []
    who = s.name_of(report.supplier)
    if report.reports is not None and not report.disrupted:
        lines.append(
            f"report {report.reports} of {report.quorum} needed about {who}; nothing fired yet"
        )
    if report.disrupted:
        room = format_amount(report.window_room or 0, grouping=True)
        lines.append(
            f"{who} is now Disrupted (report #{report.episode}; {room} left in the window cap)"
        )
    lines += _outcome_lines(s, report.outcomes)
    if report.disrupted or report.waiting is not None:
        if report.outcomes == [] and report.waiting == 0:
            lines.append("no open orders to move")
        if report.waiting:
            lines.append(
                f"{report.waiting} order(s) still waiting: `scf disruption process` continues"
            )
    lines.append(f"gas {report.gas_used:,}")
    return "\n".join(lines)


def _outcome_lines(s: Session, outcomes: list[OrderOutcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.financed:
            assert o.substitute is not None and o.advance is not None and o.rate_bps is not None
            lines.append(
                f"order {o.order}: moved to {s.name_of(o.substitute)}, advance "
                f"{format_amount(o.advance, grouping=True)} at {o.rate_bps / 100:.2f}% a year "
                f"(facility {o.facility})"
            )
        else:
            lines.append(
                f"order {o.order}: no advance — {REASONS.get(o.reason or '', o.reason)}; stays open"
            )
        for p in o.passed_over:
            lines.append(
                f"    passed over {s.name_of(p.candidate)}: {REASONS.get(p.reason, p.reason)}"
            )
    return lines


def shock_lines(s: Session, report: ShockReport) -> str:
    lines = []
    if report.reports is not None and report.cap is None:
        lines.append(
            f"report {report.reports} of {report.quorum} needed about region {report.region}; "
            "nothing fired yet"
        )
    if report.cap is not None:
        lines.append(
            f"shock {report.shock} to region {report.region} is in force; its disruptions may "
            f"draw {format_amount(report.cap, grouping=True)} in all"
        )
    for who in report.disrupted:
        lines.append(f"{s.name_of(who)} is now Disrupted")
    lines += _outcome_lines(s, report.outcomes)
    if report.cursor is not None and report.members is not None:
        if report.cursor < report.members:
            lines.append(
                f"{report.cursor} of {report.members} members walked: "
                "`scf disruption shock-process` continues"
            )
        else:
            lines.append(f"all {report.members} members walked")
    lines.append(f"gas {report.gas_used:,}")
    return "\n".join(lines)
