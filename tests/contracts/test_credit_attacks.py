"""Attacks on credit profiles, published scores and the early-warning tools, as a bank credit
officer and as an attacker. Each test asserts the behaviour a lender needs; see the report
for who loses what when it fails."""

from __future__ import annotations

from datetime import UTC, datetime

from chain_client import roles
from chain_client.audit.collect import collect
from chain_client.credit.history import supplier_history
from chain_client.credit.model import score
from chain_client.credit.service import attest, profile
from chain_client.credit.verify import published_score_failures
from chain_client.risk.report import risk_report
from chain_client.risk.whatif import played_copy, what_if
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.contracts.financing_fixtures import World, setup_world
from tests.contracts.ledger_fixtures import SPEC

DAY = 86_400


def block_time(session: Session, block: int) -> int:
    return int(session.w3.eth.get_block(block)["timestamp"])


def time_of(session: Session):  # type: ignore[no-untyped-def]
    return lambda block: block_time(session, block)


def due_of(world: World, order: int) -> int:
    return int(world.financing.order(order).due.timestamp())


def deliver_at(world: World, order: int, when: int, *, accept: bool = True) -> None:
    world.session.set_next_timestamp(when)
    world.deliver(order, accept=accept)


def points(p: object) -> dict[str, int]:
    return {f.name: f.points for f in p.score.factors}  # type: ignore[attr-defined]


def second_project(world: World, project: str, owner: str, funding: int = 5_000_000_00) -> None:
    world.litho.ledger.create_project({**SPEC, "id": project, "owner": owner})
    world.litho.token.mint("gov_fund", funding)
    world.litho.ledger.fund(project, funding, funder="gov_fund")
    world.litho.ledger.approve_milestone(project, 0, "phase-1 report")


# 1. non-delivery is free: only a recorded delivery can be late


def test_an_order_never_delivered_scores_no_better_than_one_delivered_late(world: World) -> None:
    """resist_a lets its order run 10 days past due without delivering; resist_b delivers
    its identical order 10 days late. Not delivering must not score better than delivering
    late (today it scores 30 points better: only a recorded delivery is ever late)."""
    withheld = world.order(1_000_000_00, "resist_a")
    late = world.order(1_000_000_00, "resist_b")
    deliver_at(world, late, due_of(world, late) + 10 * DAY)
    assert world.session.latest_timestamp() > due_of(world, withheld) + 10 * DAY - DAY
    assert world.financing.order(withheld).status == "Open"
    a = profile(world.session, "resist_a")
    b = profile(world.session, "resist_b")
    assert a.score.score <= b.score.score, (a.score.score, b.score.score)


# 2. "facilities repaid" credits a substitute that delivered nothing


def test_a_facility_collected_on_an_undelivered_order_is_not_a_repayment_by_the_substitute(
    world: World,
) -> None:
    """sub_hi takes an order and an advance, delivers nothing; at the facility's due date a
    stranger collects the pool's due out of the project's reservation. Model 1 gives +30 'per
    advance repaid on a delivered order': sub_hi must get nothing for it."""
    order = world.order(3_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.outcomes[0].substitute == world.a("sub_hi")
    world.session.advance_time(121 * DAY)  # past due (90 d + 30 d lag), before the stop
    world.financing.collect_facility(1, sender="stranger")
    assert world.financing.order(order).status == "Financed"  # still nothing delivered
    p = profile(world.session, "sub_hi")
    assert p.history.facilities_repaid == 0
    assert points(p)["facilities_repaid"] == 0


def test_an_advance_handed_straight_back_is_not_a_repaid_facility(world: World) -> None:
    """sub_hi repays its advance a few seconds after it was paid (interest of a few units)
    and has delivered nothing: no +30."""
    world.order(3_000_000_00)
    world.financing.report_disruption("resist_a", "FIRE")
    world.litho.token.mint("sub_hi", 1_000_00)  # the few units of interest
    world.financing.repay(1, 2_500_000_00, by="sub_hi")
    assert world.financing.facility(1).status == "Repaid"
    assert profile(world.session, "sub_hi").history.facilities_repaid == 0


# 3. a delivery "rejected by closing" stays an on-time delivery


def test_a_delivery_ended_by_close_undelivered_is_not_an_on_time_delivery(world: World) -> None:
    """closeUndelivered on an order in status Delivered rejects that delivery (the
    contract's own words). The substitute must not keep +25 'on time' for it, and it counts
    as a rejection."""
    world.policy(acceptance_days=90)  # acceptance tests of a resist may take a quarter
    order = world.order(3_000_000_00)
    world.financing.report_disruption("resist_a", "FIRE")
    deliver_at(world, order, due_of(world, order) - DAY, accept=False)  # sub_hi, "on time"
    stop = int(world.financing.facility(1).stop.timestamp())
    world.session.advance_time(stop - world.session.latest_timestamp() + 1)
    world.financing.close_undelivered(order)
    assert world.financing.order(order).status == "ClosedUndelivered"
    h = profile(world.session, "sub_hi").history
    assert h.closed_undelivered == 1
    assert (h.delivered_on_time, h.rejected) == (0, 1), (h.delivered_on_time, h.rejected)


# 4. the concentration guard counts projects, not buyers


def test_one_owner_with_two_projects_is_one_buyer(world: World) -> None:
    """chipco owns LITHO-14 and LITHO-15 and places all of resist_b's business. The guard
    docs/credit.md names against an owner building a record for a supplier is 'one buyer
    places 80 % or more': it must give -40, not -20."""
    second_project(world, "LITHO-15", "chipco")
    for project in ("LITHO-14", "LITHO-15"):
        order = world.order(1_000_000_00, "resist_b", project=project)
        deliver_at(world, order, due_of(world, order) - DAY)
    p = profile(world.session, "resist_b")
    assert points(p)["concentration"] == -40, p.history.largest_buyer_bps


def test_a_cancelled_order_is_not_business(world: World) -> None:
    """LITHO-14 is resist_b's only real buyer. Another project registers a large order with
    resist_b and cancels it in the next block (nothing paid, nothing reserved after): the
    share of LITHO-14 must stay 100 % (-40), not fall to 25 % (0)."""
    delivered = world.order(1_000_000_00, "resist_b")
    deliver_at(world, delivered, due_of(world, delivered) - DAY)
    second_project(world, "FAB-2", "stranger")
    ghost = world.order(3_000_000_00, "resist_b", project="FAB-2")
    world.financing.cancel_order(ghost)
    p = profile(world.session, "resist_b")
    assert (p.history.orders, p.history.business) == (1, 1_000_000_00)
    assert points(p)["concentration"] == -40


# 5. a same-day correction of an attestation is ignored


def test_a_same_day_correction_of_an_attestation_takes_effect(world: World) -> None:
    """The rater records TAX_GRADE A with the CLI's default date (the chain's time now),
    then corrects it to D with `--as-of` that same day (midnight). docs/credit.md keeps 'the
    latest SupplierAttested per indicator (by the date the fact held on)': same date, the
    later record wins. Today the correction is ignored and the supplier keeps +60 for A
    instead of -120 for D."""
    now = datetime.fromtimestamp(world.session.latest_timestamp(), UTC)
    attest(world.session, "resist_b", "TAX_GRADE", 1, "certificate 2026-118", now)
    same_day = datetime(now.year, now.month, now.day, tzinfo=UTC)
    assert same_day < now
    attest(world.session, "resist_b", "TAX_GRADE", 5, "tax bureau notice 2026-77", same_day)
    p = profile(world.session, "resist_b")
    assert p.history.attestations["TAX_GRADE"].value == 5
    assert points(p)["tax_grade"] == -120


# 6. the audit passes a score published on a stale history


def test_the_audit_flags_a_score_that_ignores_events_mined_before_its_publication(
    world: World,
) -> None:
    """The rater publishes resist_b's score of an old block, before a delivery 60 days
    late (-130). Inputs and score match that old block, so the audit's 'published scores
    recompute' passes, while the score sets the advance band with the default already on
    chain. The audit must flag it."""
    session = world.session
    on_time = world.order(1_000_000_00, "resist_b")
    deliver_at(world, on_time, due_of(world, on_time) - DAY)
    late = world.order(1_000_000_00, "resist_b")
    old_block = session.w3.eth.block_number
    stale = score(
        supplier_history(
            collect(session, use_cache=False),
            world.a("resist_b"),
            old_block,
            block_time(session, old_block),
        )
    )
    deliver_at(world, late, due_of(world, late) + 60 * DAY)
    fresh = profile(session, "resist_b").score
    assert fresh.score < stale.score - 100
    registry = world.litho.registry.contract.functions
    session.transact(
        registry.publishScore(
            world.a("resist_b"), stale.score, 1, bytes.fromhex(stale.inputs_hash[2:]), old_block
        ),
        "rater",
    )
    assert world.litho.registry.supplier("resist_b").score == stale.score
    assert published_score_failures(collect(session, use_cache=False), time_of(session)) != []


# 7. the risk report and what the trigger does


def test_a_substitute_at_its_exposure_cap_is_not_eligible_in_the_risk_report(
    session: Session,
) -> None:
    """sub_hi is the only substitute for ARF_RESIST and already carries an advance above the
    policy's exposure cap: the trigger passes it over (EXPOSURE_CAP) for any order, so the
    report must not call it eligible and must name resist_b NO_ELIGIBLE_SUBSTITUTE."""
    world = setup_world(session, substitutes={"sub_hi": (13, 900)})
    world.order(3_000_000_00, "resist_a")
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.policy(exposure_cap_bps=2_000)  # 20 % of ~10,000,000.00 < the 2,400,000.00 out
    report = risk_report(session)
    (resist,) = [p for p in report.parts if p.part == "ARF_RESIST"]
    # what the trigger does for resist_b right after
    world.order(1_000_000_00, "resist_b")
    actual = world.financing.report_disruption("resist_b", "FIRE")
    assert [(o.financed, o.reason) for o in actual.outcomes] == [(False, "NO_SUBSTITUTE")]
    assert [p.reason for p in actual.outcomes[0].passed_over] == ["EXPOSURE_CAP"]
    assert resist.eligible == []
    assert f"ARF_RESIST / {session.name_of(world.a('resist_b'))}" in [
        f.subject for f in report.findings if f.kind == "NO_ELIGIBLE_SUBSTITUTE"
    ]


def test_the_risk_report_survives_any_attested_tax_grade(world: World) -> None:
    """The registry records any value for TAX_GRADE (only the CLI checks 1 to 5). One
    attestation of 6 by another tool must not take the whole early-warning report down
    (today: IndexError in 'ABMCD'[grade - 1])."""
    registry = world.litho.registry.contract.functions
    now = world.session.latest_timestamp()
    world.session.transact(
        registry.attest(world.a("resist_b"), to_bytes32("TAX_GRADE"), 6, b"\1" * 32, now),
        "rater",
    )
    world.order(1_000_000_00, "resist_a")
    report = risk_report(world.session)
    assert [f.kind for f in report.findings if f.kind == "CONCENTRATION"] == ["CONCENTRATION"]


# 8. the what-if during a disruption already half reported


def outcome_keys(outcomes: list) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (o.order, o.financed, o.substitute, o.facility, o.advance, o.reason, o.passed_over)
        for o in outcomes
    ]


def test_the_what_if_predicts_a_cut_off_already_reported_by_one_oracle(session: Session) -> None:
    """Quorum 2, one oracle has reported resist_a: the what-if is most needed now. It must
    predict what the second report does, not fail with FinancingAlreadyReported (it sends
    its reports from the first `quorum` oracles, including the one that already voted)."""
    world = setup_world(session)
    roles.grant(session, "oracle", "stranger")
    world.policy(quorum=2)
    world.order(1_000_000_00, "resist_a")
    assert not world.financing.report_disruption("resist_a", "FIRE").disrupted
    with played_copy(session.settings) as copy:
        predicted = what_if(copy, "resist_a")
    actual = world.financing.report_disruption("resist_a", "FIRE", sender="stranger")
    assert actual.disrupted
    assert outcome_keys(predicted.outcomes) == outcome_keys(actual.outcomes)


# 9. publish-score stamps a block later than the events it read


def test_a_block_mined_while_publish_score_reads_the_events_does_not_break_the_audit(
    world: World, monkeypatch: object
) -> None:
    """On a node, blocks keep coming while `publish` reads the events (page by page): it
    reads the rows up to block N, then stamps the score with the block number it asks for
    afterwards (N+1). If N+1 holds one of the supplier's events, the honest publication
    names inputs that are not the history up to its block and the audit fails it (exit 1).
    Here a delivery of resist_b lands between the read and the stamp."""
    import chain_client.audit.collect as collect_module
    from chain_client.credit.service import publish

    order = world.order(1_000_000_00, "resist_b")
    real = collect_module.collect

    mined: list[int] = []

    def collect_then_a_block(session: Session, **kwargs: object) -> list:  # type: ignore[type-arg]
        rows = real(session, **kwargs)  # type: ignore[arg-type]
        if not mined:  # one event lands while the first read runs
            world.financing.record_delivery(order, "delivery note", sender="resist_b")
            mined.append(1)
        return rows

    monkeypatch.setattr(collect_module, "collect", collect_then_a_block)  # type: ignore[attr-defined]
    publish(world.session, "resist_b")
    monkeypatch.undo()  # type: ignore[attr-defined]
    assert (
        published_score_failures(collect(world.session, use_cache=False), time_of(world.session))
        == []
    )
