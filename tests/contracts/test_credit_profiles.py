"""Credit profiles from the ledger's own history: scores that differ by what suppliers did,
attestations, published scores and the audit that recomputes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chain_client.audit.collect import collect
from chain_client.credit.history import supplier_history
from chain_client.credit.model import MODEL_VERSION, inputs_hash, score
from chain_client.credit.service import attest, profile, publish, source_hash
from chain_client.credit.verify import published_score_failures
from chain_client.errors import ContractRevert, InputError
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import World

DAY = 86_400


def block_time(session: Session, block: int) -> int:
    return int(session.w3.eth.get_block(block)["timestamp"])


def time_of(session: Session):  # type: ignore[no-untyped-def]
    return lambda block: block_time(session, block)


def deliver_at(world: World, order: int, when: int) -> None:
    world.session.set_next_timestamp(when)
    world.deliver(order)


def due_of(world: World, order: int) -> int:
    return int(world.financing.order(order).due.timestamp())


def test_two_suppliers_with_different_delivery_records_get_different_scores(world: World) -> None:
    on_time = world.order(1_000_000_00, "resist_a")
    late = world.order(1_000_000_00, "resist_b")
    deliver_at(world, on_time, due_of(world, on_time) - DAY)
    deliver_at(world, late, due_of(world, late) + 5 * DAY)  # exactly five days late
    a = profile(world.session, "resist_a")
    b = profile(world.session, "resist_b")
    assert (a.history.delivered_on_time, a.history.delivered_late) == (1, 0)
    assert (b.history.delivered_on_time, b.history.delivered_late, b.history.days_late) == (0, 1, 5)
    points_a = {f.name: f.points for f in a.score.factors}
    points_b = {f.name: f.points for f in b.score.factors}
    differ = {name for name in points_a if points_a[name] != points_b[name]}
    assert differ == {"on_time", "late"}
    assert (points_a["on_time"], points_b["on_time"]) == (25, 0)
    assert (points_a["late"], points_b["late"]) == (0, -10 - 2 * 5)
    assert a.score.score - b.score.score == 25 + 20
    assert a.history.evidence["delivered_on_time"][0].startswith(f"order {on_time} (block ")


def test_a_rejected_delivery_and_a_disruption_lower_the_score_and_are_named(world: World) -> None:
    order = world.order(1_000_000_00, "resist_b")
    world.financing.record_delivery(order, "delivery note", sender="resist_b")
    world.financing.reject_delivery(order, "failed incoming inspection")
    before = profile(world.session, "resist_b").score
    world.financing.report_disruption("resist_b", "FIRE")
    after = profile(world.session, "resist_b")
    assert after.history.rejected == 1 and after.history.disruptions == 1
    points = {f.name: f.points for f in after.score.factors}
    assert (points["rejected"], points["disruptions"]) == (-40, -50)
    assert before.score - after.score.score == 50


def test_attestations_enter_the_profile_with_their_source_and_date(world: World) -> None:
    when = datetime.fromtimestamp(world.session.latest_timestamp() - 30 * DAY, UTC)
    result = attest(
        world.session, "resist_a", "TAX_GRADE", 1, "tax bureau certificate 2026-118", when
    )
    assert events(
        world.session, result.tx_hash, world.litho.registry.contract, "SupplierAttested"
    ) == [
        {
            "supplier": world.a("resist_a"),
            "indicator": to_bytes32("TAX_GRADE"),
            "value": 1,
            "source": source_hash("tax bureau certificate 2026-118"),
            "asOf": int(when.timestamp()),
            "rater": world.a("rater"),
        }
    ]
    attest(world.session, "resist_a", "PATENTS", 7, "0x" + "ab" * 32, when)
    p = profile(world.session, "resist_a")
    points = {f.name: f.points for f in p.score.factors}
    assert (points["tax_grade"], points["patents"]) == (60, 28)
    assert p.history.attestations["PATENTS"].source == "0x" + "ab" * 32


@pytest.mark.parametrize(
    ("indicator", "value", "source", "message"),
    [
        ("CREDIT_LIMIT", 1, "x", "indicator 'CREDIT_LIMIT' is not one of"),
        ("TAX_GRADE", 6, "x", "TAX_GRADE 6 is not 1 to 5"),
        ("PATENTS", -1, "x", "value -1 is negative"),
        ("PATENTS", 1, "  ", "the source is empty"),
    ],
)
def test_bad_attestations_are_refused_before_sending(
    world: World, indicator: str, value: int, source: str, message: str
) -> None:
    block = world.session.w3.eth.block_number
    when = datetime.fromtimestamp(world.session.latest_timestamp(), UTC)
    with pytest.raises(InputError, match=message):
        attest(world.session, "resist_a", indicator, value, source, when)
    assert world.session.w3.eth.block_number == block


def test_the_registry_refuses_an_attestation_without_source_or_dated_ahead(world: World) -> None:
    registry = world.litho.registry.contract.functions
    now = world.session.latest_timestamp()
    tax = to_bytes32("TAX_GRADE")
    with pytest.raises(ContractRevert) as excinfo:
        world.session.transact(
            registry.attest(world.a("resist_a"), tax, 1, b"\0" * 32, now), "rater"
        )
    assert_revert(excinfo, "RegistryAttestationInvalid", indicator=tax, source=b"\0" * 32, asOf=now)
    ahead = now + 10 * DAY
    with pytest.raises(ContractRevert) as excinfo:
        world.session.transact(
            registry.attest(world.a("resist_a"), tax, 1, b"\1" * 32, ahead), "rater"
        )
    assert_revert(
        excinfo, "RegistryAttestationInvalid", indicator=tax, source=b"\1" * 32, asOf=ahead
    )


def test_a_published_score_sets_the_score_and_the_audit_recomputes_it(world: World) -> None:
    order = world.order(1_000_000_00, "resist_a")
    deliver_at(world, order, due_of(world, order) - DAY)
    current, result = publish(world.session, "resist_a")
    assert world.litho.registry.supplier("resist_a").score == current.score.score
    [published] = events(
        world.session, result.tx_hash, world.litho.registry.contract, "ScorePublished"
    )
    assert published == {
        "supplier": world.a("resist_a"),
        "score": current.score.score,
        "modelVersion": MODEL_VERSION,
        "inputs": bytes.fromhex(current.score.inputs_hash[2:]),
        "asOfBlock": current.history.as_of_block,
        "rater": world.a("rater"),
    }
    rows = collect(world.session, use_cache=False)
    assert published_score_failures(rows, time_of(world.session)) == []
    # recomputed from the events up to the named block: later events do not matter
    world.financing.report_disruption("resist_a", "FIRE")
    assert (
        published_score_failures(collect(world.session, use_cache=False), time_of(world.session))
        == []
    )


def test_the_audit_flags_a_published_score_that_does_not_follow_from_its_inputs(
    world: World,
) -> None:
    order = world.order(1_000_000_00, "resist_a")
    deliver_at(world, order, due_of(world, order) - DAY)
    session = world.session
    block = session.w3.eth.block_number
    rows = collect(session, use_cache=False)
    honest = score(supplier_history(rows, world.a("resist_a"), block, block_time(session, block)))
    registry = world.litho.registry.contract.functions
    digest = bytes.fromhex(honest.inputs_hash[2:])
    # the right inputs, a score raised by hand
    session.transact(
        registry.publishScore(world.a("resist_a"), honest.score + 100, 1, digest, block), "rater"
    )
    # inputs that are not this history's
    other = bytes.fromhex(inputs_hash({"made": "up"})[2:])
    session.transact(
        registry.publishScore(world.a("resist_a"), honest.score, 1, other, block), "rater"
    )
    # a model this audit does not know
    session.transact(
        registry.publishScore(world.a("resist_a"), honest.score, 9, digest, block), "rater"
    )
    failures = published_score_failures(collect(session, use_cache=False), time_of(session))
    assert len(failures) == 3
    assert failures[0].endswith(f"but model 1 gives {honest.score} from its inputs")
    assert f"but the history up to block {block} hashes to {honest.inputs_hash}" in failures[1]
    assert failures[2].endswith("names scoring model 9; this audit knows 1")


def test_the_registry_refuses_a_score_without_model_inputs_or_a_mined_block(world: World) -> None:
    registry = world.litho.registry.contract.functions
    session = world.session
    block = session.w3.eth.block_number
    cases = [
        (0, b"\1" * 32, block),
        (1, b"\0" * 32, block),
        (1, b"\1" * 32, block + 2),  # after the publishing transaction's own block
    ]
    for version, inputs, at in cases:
        with pytest.raises(ContractRevert) as excinfo:
            session.transact(
                registry.publishScore(world.a("resist_a"), 700, version, inputs, at), "rater"
            )
        assert_revert(
            excinfo, "RegistryScoreInputsInvalid", modelVersion=version, inputs=inputs, asOfBlock=at
        )
