"""The risk report: where a cut-off would find no one to move orders to, and which
suppliers show warning signs in their own history or attested facts.

Everything is read from the registry's and the policy's views and from the deployment's
events (`chain_client.credit.history`); nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from ..contracts import Financing, Pool, Registry
from ..credit.history import HistoryBuilder
from ..models import SubstituteRecord, SupplierRecord
from ..session import Session

#: Attested indicators past these are flagged (docs/risk.md).
TAX_GRADE_AT_OR_BELOW = 4  # C or D
RD_TURNOVER_ABOVE_BPS = 3_000
INVENTORY_TURNS_BELOW_X100 = 200
#: A supplier with one buyer at or above this share of its business is flagged.
BUYER_SHARE_BPS = 8_000
#: A supplier with this share of its capacity committed or more is flagged.
CAPACITY_BPS = 9_000


class PartRisk(BaseModel):
    """One part: who makes it, and which substitutes a trigger could use now."""

    part: str
    makers: list[str]
    substitutes: int
    eligible: list[str]


class RiskFinding(BaseModel):
    kind: str
    subject: str
    detail: str


class RiskReport(BaseModel):
    block: int
    parts: list[PartRisk]
    findings: list[RiskFinding]


def _eligible(financing: Financing, candidate: SubstituteRecord, exposure_cap: int) -> bool:
    """The trigger's tests of a candidate that do not depend on a particular order: Active,
    capacity left, exposure under its cap (the trigger adds any advance to it), a band with
    an advance under the terms version it accepted (the first band whose floor its score
    reaches), and that version still valid."""
    if candidate.status != "Active" or candidate.capacity_left <= 0:
        return False
    if financing.exposure(candidate.address) >= exposure_cap:
        return False
    floors, advances, valid = financing.terms_for(candidate.terms_version)
    for floor, advance in zip(floors, advances, strict=True):
        if candidate.score >= floor:
            return valid and advance != 0
    return False


def _route_findings(
    part: str,
    maker: str,
    eligible: list[str],
    by_address: dict[str, SupplierRecord],
    name: Callable[[str], str],
) -> list[RiskFinding]:
    """What would stand in for `maker` on `part`: no one (after those sourcing an input
    `maker` makes, which the trigger passes over as SHARED_UPSTREAM), or only substitutes of
    one region (one regional shock, the maker's own included, leaves none), or only
    substitutes that all source one upstream input (one failure upstream leaves none)."""
    made = set(by_address[maker].parts)
    shared = [e for e in eligible if e != maker and made & set(by_address[e].inputs)]
    others = [e for e in eligible if e != maker and e not in shared]
    subject = f"{part} / {name(maker)}"
    if not others:
        why = f" ({', '.join(name(e) for e in shared)} source what it makes)" if shared else ""
        return [
            RiskFinding(
                kind="NO_ELIGIBLE_SUBSTITUTE",
                subject=subject,
                detail=f"if {name(maker)} were cut off, no eligible substitute for {part}{why}",
            )
        ]
    findings = []
    regions = {by_address[e].region for e in others}
    if len(regions) == 1 and None not in regions:
        (region,) = regions
        own = " (its own)" if by_address[maker].region == region else ""
        findings.append(
            RiskFinding(
                kind="ONE_REGION",
                subject=subject,
                detail=f"every eligible substitute is in region {region}{own}: a shock there "
                f"leaves {name(maker)}'s {part} orders without one",
            )
        )
    common = set.intersection(*(set(by_address[e].inputs) for e in others))
    if common:
        findings.append(
            RiskFinding(
                kind="ONE_UPSTREAM_INPUT",
                subject=subject,
                detail=f"every eligible substitute sources {', '.join(sorted(common))}: a "
                f"failure of that input leaves {name(maker)}'s {part} orders without one",
            )
        )
    return findings


def risk_report(session: Session) -> RiskReport:
    from ..audit.collect import collect  # the audit's event cache, loaded on use

    registry, financing = Registry(session), Financing(session)
    name = session.name_of
    suppliers = registry.suppliers()
    findings: list[RiskFinding] = []
    parts: dict[str, list[str]] = {}
    for s in suppliers:
        for part in s.parts:
            parts.setdefault(part, [])
            if s.status == "Active":
                parts[part].append(s.address)
    by_address: dict[str, SupplierRecord] = {s.address: s for s in suppliers}
    report_parts: list[PartRisk] = []
    # the trigger's cap on one substitute's exposure: a share of the pool's assets now
    exposure_cap = (
        Pool(session).status().total_assets * financing.policy().exposure_cap_bps // 10_000
    )
    for part in sorted(parts):
        candidates = registry.candidates(part)
        eligible: list[str] = [
            c.address for c in candidates if _eligible(financing, c, exposure_cap)
        ]
        makers = parts[part]
        report_parts.append(
            PartRisk(
                part=part,
                makers=makers,
                substitutes=len(candidates),
                eligible=eligible,
            )
        )
        for maker in makers:
            findings += _route_findings(part, maker, eligible, by_address, name)
    block = int(session.w3.eth.block_number)
    rows = collect(session)
    builders = {s.address: HistoryBuilder(s.address) for s in suppliers}
    for row in rows:
        for builder in builders.values():
            builder.feed(row)
    when = int(session.w3.eth.get_block(block)["timestamp"])
    for s in suppliers:
        h = builders[s.address].history(block, when)
        who = name(s.address)
        a = {k: v.value for k, v in h.attestations.items()}
        grade = a.get("TAX_GRADE", 0)
        if grade >= TAX_GRADE_AT_OR_BELOW:
            letter = "ABMCD"[grade - 1] if grade <= 5 else f"code {grade}"
            findings.append(
                RiskFinding(kind="INDICATOR", subject=who, detail=f"tax grade {letter}")
            )
        if a.get("RD_STAFF_TURNOVER_BPS", 0) > RD_TURNOVER_ABOVE_BPS:
            findings.append(
                RiskFinding(
                    kind="INDICATOR",
                    subject=who,
                    detail=f"R&D staff turnover {a['RD_STAFF_TURNOVER_BPS'] / 100:.2f} % a year",
                )
            )
        if (
            "INVENTORY_TURNOVER_X100" in a
            and a["INVENTORY_TURNOVER_X100"] < INVENTORY_TURNS_BELOW_X100
        ):
            findings.append(
                RiskFinding(
                    kind="INDICATOR",
                    subject=who,
                    detail=f"inventory turnover {a['INVENTORY_TURNOVER_X100'] / 100:.2f} a year",
                )
            )
        if h.orders and h.largest_buyer_bps >= BUYER_SHARE_BPS:
            findings.append(
                RiskFinding(
                    kind="CONCENTRATION",
                    subject=who,
                    detail=f"{name(h.largest_buyer or '')} places "
                    f"{h.largest_buyer_bps / 100:.2f} % of its business",
                )
            )
        if h.capacity_used_bps >= CAPACITY_BPS:
            findings.append(
                RiskFinding(
                    kind="CAPACITY",
                    subject=who,
                    detail=f"{h.capacity_used_bps / 100:.2f} % of its capacity committed",
                )
            )
        if h.recoveries_recorded > h.recoveries_repaid:
            findings.append(
                RiskFinding(
                    kind="RECOVERY_OUTSTANDING",
                    subject=who,
                    detail=f"owes {h.recoveries_recorded - h.recoveries_repaid} in recoveries",
                )
            )
    return RiskReport(block=block, parts=report_parts, findings=findings)
