"""Terms a substitute accepted and a bank would sign: lead time and deliverability, terms
versions with notice, the smallest advance, caps, and set-off of recoveries at settlement."""

from __future__ import annotations

from eth_utils import keccak

from chain_client.audit.report import run_audit
from chain_client.session import Session
from tests.conftest import events
from tests.contracts.financing_fixtures import PART, World, setup_world
from tests.contracts.ledger_fixtures import MATERIALS, P

DAY = 86_400


def opened_at(world: World, tx_hash: str) -> int:
    w3 = world.session.w3
    return int(
        w3.eth.get_block(w3.eth.get_transaction_receipt(tx_hash)["blockNumber"])["timestamp"]
    )


def test_a_substitute_that_can_deliver_in_time_beats_a_better_scored_late_one(
    session: Session,
) -> None:
    world = setup_world(session, substitutes={"far": (13, 900), "near": (14, 720)}, qualify=False)
    world.policy(max_lead_days=730)
    world.litho.registry.qualify(PART, "730d", supplier="far")
    world.litho.registry.qualify(PART, "30d", supplier="near")
    order = world.order(due="90d")
    report = world.financing.report_disruption("resist_a", "FIRE")
    outcome = report.outcomes[0]
    assert (outcome.order, outcome.substitute, outcome.advance) == (
        order,
        world.a("near"),
        2_100_000_00,  # 70 % for 720
    )
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("far"), "LATER_DELIVERY")
    ]
    (terms,) = events(session, report.tx_hash, world.financing.contract, "FacilityTerms")
    assert (terms["leadDays"], terms["deliverable"], terms["score"]) == (30, True, 720)


def test_when_nobody_can_deliver_in_time_the_score_decides_and_the_tenor_follows_the_lead(
    session: Session,
) -> None:
    world = setup_world(
        session, substitutes={"slow": (13, 650), "slower": (14, 900)}, qualify=False
    )
    world.litho.registry.qualify(PART, "120d", supplier="slow")
    world.litho.registry.qualify(PART, "200d", supplier="slower")
    world.order(due="90d")
    report = world.financing.report_disruption("resist_a", "FIRE")
    opened = opened_at(world, report.tx_hash)
    (financed,) = events(session, report.tx_hash, world.financing.contract, "SubstituteFinanced")
    assert financed["to"] == world.a("slower")
    # due = opening + 200 days' lead + 30 days' payment lag, not the order's 90 days
    assert financed["due"] == opened + 230 * DAY
    assert financed["stop"] == -(-(opened + 230 * DAY) // DAY) * DAY + 30 * DAY
    assert [(p.candidate, p.reason) for p in report.outcomes[0].passed_over] == [
        (world.a("slow"), "LOWER_SCORE")
    ]
    assert run_audit(session).clean


def test_opt_ins_under_replaced_terms_hold_for_the_notice_period_then_wait(
    world: World,
) -> None:
    first, second = world.order(value=1_000_000_00), world.order(value=1_000_000_00)
    world.policy(exposure_cap_bps=4000, max_per_call=1)  # operating limits: no new version
    assert world.financing.policy().terms_version == 1
    world.policy(margin_bps=300)  # the price changes: version 2
    assert world.financing.policy().terms_version == 2
    report = world.financing.report_disruption("resist_a", "FIRE")
    # inside the notice period the substitute is financed on the terms it accepted
    assert (report.outcomes[0].order, report.outcomes[0].rate_bps) == (first, 500)
    (terms,) = events(world.session, report.tx_hash, world.financing.contract, "FacilityTerms")
    assert terms["termsVersion"] == 1
    assert world.financing.facility(1).terms_version == 1
    world.session.advance_time(30 * DAY)
    later = world.financing.process_disruption("resist_a")
    assert [(o.order, o.reason) for o in later.outcomes] == [(second, "NO_SUBSTITUTE")]
    assert {p.reason for p in later.outcomes[0].passed_over} == {"TERMS_CHANGED"}
    world.litho.registry.qualify(PART, "30d", supplier="sub_mid")  # re-confirms version 2
    again = world.financing.process_disruption("resist_a")
    assert [(o.order, o.substitute, o.rate_bps) for o in again.outcomes] == [
        (second, world.a("sub_mid"), 700)
    ]
    # the first facility kept the terms it was opened under
    assert (world.financing.facility(1).rate_bps, world.financing.facility(1).terms_version) == (
        500,
        1,
    )
    assert run_audit(world.session).clean


def test_an_advance_below_the_minimum_is_not_made(world: World) -> None:
    order = world.order(value=1_249_99)  # 80 % is 999.99, under the 1,000.00 minimum
    kept = world.order(value=1_250_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.financed, o.reason, o.advance) for o in report.outcomes] == [
        (order, False, "TOO_SMALL", None),
        (kept, True, None, 1_000_00),
    ]


def test_settlement_sets_off_a_recovery_the_project_holds_on_the_substitute(
    world: World,
) -> None:
    ledger, token = world.litho.ledger, world.litho.token
    undelivered = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(155 * DAY)  # past the stop: due 120 days, grace 30
    world.financing.close_undelivered(undelivered)
    owed = ledger.recovery_owed("LITHO-14", "sub_hi")
    assert 2_400_000_00 < owed < 2_500_000_00
    # sub_hi later supplies the project directly, delivers, and is settled
    order = world.order(value=3_000_000_00, supplier="sub_hi")
    world.deliver(order)
    balance_before, held_before = token.balance_of("sub_hi"), token.balance_of(ledger.address)
    line_before = ledger.project("LITHO-14").lines[0].spent
    settlement = world.financing.settle_order(order)
    assert (settlement.to_supplier, settlement.set_off) == (3_000_000_00, owed)
    tx = settlement.tx_hash
    assert events(world.session, tx, ledger.contract, "RecoverySetOff") == [
        {
            "project": P,
            "debtor": world.a("sub_hi"),
            "ref": order,
            "amount": owed,
            "category": MATERIALS,
            "milestone": 0,
        }
    ]
    assert events(world.session, tx, ledger.contract, "RecoveryRepaid") == [
        {
            "project": P,
            "debtor": world.a("sub_hi"),
            "ref": undelivered,
            "from": world.a("sub_hi"),
            "to": ledger.address,
            "amount": owed,
            "category": MATERIALS,
            "milestone": 0,
        }
    ]
    (paid,) = events(world.session, tx, ledger.contract, "FundsDisbursed")
    assert (paid["to"], paid["amount"], paid["ref"]) == (
        world.a("sub_hi"),
        3_000_000_00 - owed,
        keccak(text=f"PO-{world.issued}"),  # the PO as invoice,
    )
    assert token.balance_of("sub_hi") == balance_before + 3_000_000_00 - owed
    assert token.balance_of(ledger.address) == held_before - (3_000_000_00 - owed)
    project = ledger.project("LITHO-14")
    assert ledger.recovery_owed("LITHO-14", "sub_hi") == 0
    assert project.recovered == owed
    # the line carries the delivered order in full; the undelivered one's spend is restored
    assert project.lines[0].spent == line_before + 3_000_000_00 - owed
    assert token.balance_of(ledger.address) == project.balance
    assert run_audit(world.session).clean


def test_a_set_off_larger_than_the_payment_transfers_nothing(world: World) -> None:
    ledger, token = world.litho.ledger, world.litho.token
    undelivered = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(155 * DAY)
    world.financing.close_undelivered(undelivered)
    owed = ledger.recovery_owed("LITHO-14", "sub_hi")
    order = world.order(value=1_000_000_00, supplier="sub_hi")
    world.deliver(order)
    before = token.balance_of("sub_hi")
    settlement = world.financing.settle_order(order)
    assert settlement.set_off == 1_000_000_00
    assert events(world.session, settlement.tx_hash, ledger.contract, "FundsDisbursed") == []
    assert token.balance_of("sub_hi") == before
    assert ledger.recovery_owed("LITHO-14", "sub_hi") == owed - 1_000_000_00
    assert run_audit(world.session).clean


def test_capacity_events_name_the_order(world: World) -> None:
    order = world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    registry = world.litho.registry.contract
    assert events(world.session, report.tx_hash, registry, "CapacityReleased") == [
        {"supplier": world.a("resist_a"), "ref": order, "amount": 1_000_000_00, "committed": 0}
    ]
    assert events(world.session, report.tx_hash, registry, "CapacityCommitted") == [
        {
            "supplier": world.a("sub_hi"),
            "ref": order,
            "amount": 1_000_000_00,
            "committed": 1_000_000_00,
        }
    ]


def test_a_project_whose_terms_exclude_substitute_financing_gets_no_advance(
    world: World,
) -> None:
    ledger = world.litho.ledger
    spec = {
        "id": "NO-SUB-1",
        "owner": "chipco",
        "budget": {"MATERIALS": "1000000.00"},
        "milestones": [{"stage": "RESEARCH", "amount": "1000000.00"}],
        "substitute_financing": False,
    }
    ledger.create_project(spec)
    assert ledger.project("NO-SUB-1").substitute_financing is False
    assert ledger.project("LITHO-14").substitute_financing is True
    world.litho.token.mint("gov_fund", 1_000_000_00)
    ledger.fund("NO-SUB-1", 1_000_000_00, funder="gov_fund")
    ledger.approve_milestone("NO-SUB-1", 0, "plan")
    excluded = world.financing.register_order(
        {
            "project": "NO-SUB-1",
            "po": "N-1",
            "part": PART,
            "supplier": "resist_a",
            "value": "500000.00",
            "category": "MATERIALS",
            "milestone": 0,
            "due": "90d",
        }
    )[1]
    financed = world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (excluded, False, "PROJECT_OPTED_OUT"),
        (financed, True, None),
    ]
    assert world.financing.order(excluded).status == "Open"
    assert world.financing.project_exposure("NO-SUB-1") == 0
    assert run_audit(world.session).clean


def test_the_advance_follows_the_policy_bands_in_force(world: World) -> None:
    world.policy(band_advance_bps=[6000, 5000, 4000], band_floors=[850, 700, 600])
    for substitute in ("sub_hi", "sub_mid"):  # opting in again accepts the new terms
        world.litho.registry.qualify(PART, "30d", supplier=substitute)
    top = world.order(value=1_000_000_00)  # sub_hi, 900: the first band
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.substitute, o.advance) for o in report.outcomes] == [
        (top, world.a("sub_hi"), 600_000_00)
    ]
    world.financing.report_recovery("resist_a")
    world.litho.registry.suspend("sub_hi")  # next best: sub_mid, 750, the second band
    second = world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.substitute, o.advance) for o in report.outcomes] == [
        (second, world.a("sub_mid"), 500_000_00)
    ]
