"""The risk report: parts without an eligible substitute, and warning signs from history and
attested facts."""

from __future__ import annotations

from datetime import UTC, datetime

from chain_client.credit.service import attest
from chain_client.risk.report import risk_report
from chain_client.session import Session
from tests.contracts.financing_fixtures import setup_world


def test_the_report_names_parts_without_an_eligible_substitute_and_indicators(
    session: Session,
) -> None:
    world = setup_world(session)
    a = world.a
    world.litho.registry.rate("sub_lo", 550)  # below the lowest band (600): listed, not eligible
    report = risk_report(session)
    (resist,) = [p for p in report.parts if p.part == "ARF_RESIST"]
    assert resist.substitutes == 3
    assert resist.eligible == [a("sub_hi"), a("sub_mid")]
    assert not [f for f in report.findings if f.kind == "NO_ELIGIBLE_SUBSTITUTE"]
    # both eligible substitutes leave the list: every maker of the part is exposed
    world.litho.registry.suspend("sub_hi")
    world.litho.registry.suspend("sub_mid")
    when = datetime.fromtimestamp(session.latest_timestamp(), UTC)
    attest(session, "resist_b", "TAX_GRADE", 5, "tax bureau notice 2026-77", when)
    attest(session, "resist_b", "RD_STAFF_TURNOVER_BPS", 3_500, "HR filing 2026", when)
    report = risk_report(session)
    (resist,) = [p for p in report.parts if p.part == "ARF_RESIST"]
    assert resist.eligible == []
    exposed = sorted(f.subject for f in report.findings if f.kind == "NO_ELIGIBLE_SUBSTITUTE")
    names = [session.name_of(m) for m in resist.makers]
    assert exposed == sorted(f"ARF_RESIST / {n}" for n in names)
    indicators = [(f.subject, f.detail) for f in report.findings if f.kind == "INDICATOR"]
    assert indicators == [
        (session.name_of(a("resist_b")), "tax grade D"),
        (session.name_of(a("resist_b")), "R&D staff turnover 35.00 % a year"),
    ]


def test_the_report_flags_a_supplier_with_one_buyer(session: Session) -> None:
    world = setup_world(session)
    world.order(1_000_000_00, "resist_a")
    report = risk_report(session)
    concentration = [f for f in report.findings if f.kind == "CONCENTRATION"]
    assert [(f.subject, f.detail) for f in concentration] == [
        (
            session.name_of(world.a("resist_a")),
            f"{session.name_of(world.a('chipco'))} places 100.00 % of its business",
        )
    ]
