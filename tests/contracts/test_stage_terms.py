"""Terms by the life-cycle stage of the order's milestone: the policy's advance shares and
longest tenor per stage, the stage each facility was opened under, and the audit's replay of
both."""

from __future__ import annotations

import pytest

from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert, InputError
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import PART, World, setup_world

DAY = 86_400


def test_default_policy_keeps_the_same_terms_at_every_stage(world: World) -> None:
    policy = world.financing.policy()
    assert policy.stage_advance_bps == [[0, 0, 0]] * 4
    assert policy.stage_max_tenor_days == [0] * 4
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot plan")
    research = world.order(value=1_000_000_00)
    pilot = world.order(value=1_000_000_00, milestone=1)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.advance) for o in report.outcomes] == [
        (research, 800_000_00),
        (pilot, 800_000_00),
    ]


def test_the_stage_of_the_milestone_sets_the_advance_share_and_is_recorded(
    world: World,
) -> None:
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot plan")
    world.policy(stages={"research": {"advance_bps": [5000, 4000, 3000]}})
    assert world.financing.policy().terms_version == 2
    # the substitutes re-confirm the new terms version
    for name in ("sub_hi", "sub_mid", "sub_lo"):
        world.litho.registry.qualify(PART, "30d", supplier=name)
    research = world.order(value=1_000_000_00)  # milestone 0: research
    pilot = world.order(value=1_000_000_00, milestone=1)  # milestone 1: pilot
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.substitute, o.advance) for o in report.outcomes] == [
        (research, world.a("sub_hi"), 500_000_00),  # score 900: research band 1, 50 %
        (pilot, world.a("sub_hi"), 800_000_00),  # pilot keeps the bands' own 80 %
    ]
    terms = events(world.session, report.tx_hash, world.financing.contract, "FacilityTerms")
    assert [(t["facility"], t["stage"], t["advanceBps"], t["termsVersion"]) for t in terms] == [
        (1, 0, 5000, 2),
        (2, 1, 8000, 2),
    ]
    assert (world.financing.facility(1).stage, world.financing.facility(2).stage) == (
        "research",
        "pilot",
    )
    result = run_audit(world.session)
    assert result.clean, [f for c in result.checks for f in c.failures]


def test_a_facility_longer_than_the_stage_allows_is_passed_over_with_its_reason(
    session: Session,
) -> None:
    world = setup_world(session, substitutes={"best": (13, 900), "next": (14, 750)}, qualify=False)
    world.policy(max_lead_days=730, stages={"research": {"max_tenor_days": 125}})
    world.litho.registry.qualify(PART, "100d", supplier="best")  # due 100 + 30 days: 130
    world.litho.registry.qualify(PART, "95d", supplier="next")  # due 95 + 30 days: 125
    order = world.order(value=1_000_000_00, due="90d")
    report = world.financing.report_disruption("resist_a", "FIRE")
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.substitute, outcome.advance) == (
        order,
        world.a("next"),
        700_000_00,  # 70 % for 750
    )
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("best"), "TENOR_TOO_LONG")
    ]
    (financed,) = events(session, report.tx_hash, world.financing.contract, "SubstituteFinanced")
    block = session.w3.eth.get_block(
        session.w3.eth.get_transaction_receipt(report.tx_hash)["blockNumber"]
    )
    assert financed["due"] - int(block["timestamp"]) == 125 * DAY
    assert run_audit(session).clean


def test_with_every_candidate_too_long_the_order_waits_with_no_substitute(world: World) -> None:
    world.policy(stages={"research": {"max_tenor_days": 60}})  # 90 days + 30 days' lag: 120
    for name in ("sub_hi", "sub_mid", "sub_lo"):
        world.litho.registry.qualify(PART, "30d", supplier=name)
    order = world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.financed, outcome.reason) == (order, False, "NO_SUBSTITUTE")
    assert [p.reason for p in outcome.passed_over] == ["TENOR_TOO_LONG"] * 3
    assert run_audit(world.session).clean


def test_stage_terms_are_checked_and_versioned(world: World) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        world.policy(stages={"pilot": {"advance_bps": [5000, 6000, 3000]}})
    assert_revert(excinfo, "FinancingPolicyInvalid", field=to_bytes32("stageAdvanceBps"))
    with pytest.raises(ContractRevert) as excinfo:
        world.policy(stages={"pilot": {"advance_bps": [5000, 4000, 0]}})
    assert_revert(excinfo, "FinancingPolicyInvalid", field=to_bytes32("stageAdvanceBps"))
    with pytest.raises(ContractRevert) as excinfo:
        world.policy(stages={"pilot": {"max_tenor_days": 3651}})
    assert_revert(excinfo, "FinancingPolicyInvalid", field=to_bytes32("stageMaxTenorDays"))
    assert world.financing.policy().terms_version == 1
    world.policy(stages={"market": {"max_tenor_days": 365}})
    assert world.financing.policy().terms_version == 2
    world.policy(stages={"market": {"max_tenor_days": 365}})  # unchanged: same version
    assert world.financing.policy().terms_version == 2
    world.policy(**{"market.max_tenor_days": 0})
    assert world.financing.policy().terms_version == 3
    with pytest.raises(InputError, match="unknown stage 'prototype'"):
        world.policy(stages={"prototype": {"max_tenor_days": 1}})
    with pytest.raises(InputError, match="stage_advance_bps.0"):
        world.policy(stages={"research": {"advance_bps": [5000, 4000]}})
