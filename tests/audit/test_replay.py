"""The decision replay agrees with real trigger calls, collections and settlements, and
names the rule and both values when a logged decision is edited to one the rules do not
give."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chain_client.audit.collect import collect
from chain_client.audit.replay import Replay, replay
from chain_client.audit.report import explain_order, run_audit
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.contracts.financing_fixtures import World, setup_world

DAY = 86_400
Rows = list[dict[str, Any]]


@pytest.fixture
def story(session: Session) -> tuple[World, Rows]:
    """Three orders of resist_a, handled in the work list's order (1, then 3, which the
    financed 1 swaps into its slot, then 2): 1 is settled after delivery, 3 is collected and
    closed undelivered, and 2 finds the rolling window full."""
    world = setup_world(session)
    f = world.financing
    world.policy(window_cap_bps=3500)  # 3,500,000.00 over 30 days
    delivered = world.order(value=2_000_000_00)
    world.order(value=1_000_000_00)  # the window is full by the time it comes
    undelivered = world.order(value=2_000_000_00, due="30d")
    f.report_disruption("resist_a", "FIRE")
    world.deliver(delivered)
    f.settle_order(delivered)
    world.session.advance_time(95 * DAY)
    f.collect_facility(2, sender="stranger")
    f.close_undelivered(undelivered)
    return world, collect(world.session)


def run(rows: Rows) -> Replay:
    return replay(rows)


def one(rows: Rows, event: str, **match: Any) -> dict[str, Any]:
    (row,) = [
        r
        for r in rows
        if r["event"] == event and all(r["args"].get(k) == v for k, v in match.items())
    ]
    return row


def test_the_replay_agrees_with_what_the_contracts_did(story: tuple[World, Rows]) -> None:
    world, rows = story
    result = run(rows)
    assert result.disagreements == []
    # the oracle's report (its quorum round), the report (window room) + 3 orders; 2
    # collections, 2 pool repayments, 1 settlement, 1 closing undelivered
    assert result.decisions == 1 + 1 + 3 + 2 + 2 + 1 + 1
    report = run_audit(world.session)
    (check,) = [c for c in report.checks if c.name == "decisions replayed"]
    assert (check.ok, report.decisions) == (True, 11)
    story_lines = explain_order(world.session, 2)
    assert story_lines[-1].endswith("WINDOW_CAP")
    assert any(line.startswith("passed over sub_mid (") for line in explain_order(world.session, 1))


def test_a_substitute_the_policy_did_not_pick_is_named_with_the_one_it_picks(
    story: tuple[World, Rows],
) -> None:
    world, rows = story
    edited = copy.deepcopy(rows)
    one(edited, "SubstituteFinanced", order=1)["args"]["to"] = world.a("sub_mid")
    disagreement = run(edited).disagreements[0]  # later ones follow from it
    assert disagreement.rule == "substitute choice and terms"
    assert disagreement.where.endswith("order 1")
    assert f"moved to {world.a('sub_mid')}" in disagreement.recorded
    assert f"moved to {world.a('sub_hi')}" in disagreement.replayed


@pytest.mark.parametrize(
    ("event", "field", "value", "shows"),
    [
        ("SubstituteFinanced", "amount", 1_400_000_00, "advance 1,400,000.00"),
        ("FacilityTerms", "advanceBps", 7000, "70% advanced"),
        ("SubstituteFinanced", "due", None, "due "),
        ("SubstituteFinanced", "rateBps", 650, "6.50% a year"),
    ],
)
def test_a_wrong_band_rate_or_due_date_is_caught(
    story: tuple[World, Rows], event: str, field: str, value: Any, shows: str
) -> None:
    _, rows = story
    edited = copy.deepcopy(rows)
    key = {"order": 1} if event == "SubstituteFinanced" else {"facility": 1}
    args = one(edited, event, **key)["args"]
    args[field] = value if value is not None else int(args[field]) - DAY
    failures = run(edited).disagreements
    assert failures[0].rule == "substitute choice and terms"  # later ones follow from it
    assert (
        shows in failures[0].recorded
        and shows not in failures[0].replayed
        or (field == "due" and failures[0].recorded != failures[0].replayed)
    )


def test_a_wrong_reason_for_not_financing_is_caught(story: tuple[World, Rows]) -> None:
    _, rows = story
    edited = copy.deepcopy(rows)
    one(edited, "SubstituteUnavailable", order=2)["args"]["reason"] = (
        "0x" + to_bytes32("NO_CASH").hex()
    )
    (disagreement,) = run(edited).disagreements
    assert "NO_CASH" in disagreement.recorded and "WINDOW_CAP" in disagreement.replayed


def test_a_wrong_window_announcement_is_caught(story: tuple[World, Rows]) -> None:
    _, rows = story
    edited = copy.deepcopy(rows)
    one(edited, "SupplierDisrupted")["args"]["windowRoom"] = 5_000_000_00
    (disagreement,) = run(edited).disagreements
    assert (disagreement.rule, disagreement.recorded, disagreement.replayed) == (
        "room left in the rolling window",
        "5,000,000.00",
        "3,500,000.00",
    )


def test_a_collection_split_off_the_rules_is_caught(story: tuple[World, Rows]) -> None:
    _, rows = story
    edited = copy.deepcopy(rows)
    collected = [r for r in edited if r["event"] == "FacilityCollected"][0]["args"]
    collected["interest"], collected["principal"] = (
        int(collected["interest"]) + 1,
        int(collected["principal"]) - 1,
    )
    (disagreement,) = run(edited).disagreements
    assert disagreement.rule.startswith("split of ")
    assert "interest" in disagreement.recorded and disagreement.recorded != disagreement.replayed


def test_a_remainder_paid_before_the_pool_is_caught(story: tuple[World, Rows]) -> None:
    world, rows = story
    settled = one(rows, "OrderSettled", order=1)
    pool_legs = ("PoolRepaidFromReservation", "FacilityCollected", "FundsDisbursed")
    edited = [
        r
        for r in copy.deepcopy(rows)
        if not (
            r["tx"] == settled["tx"]
            and r["event"] in pool_legs
            and r["args"].get("to", world.pool.address) == world.pool.address
        )
    ]
    one(edited, "OrderSettled", order=1)["args"]["toPool"] = 0
    problems = {d.recorded for d in run(edited).disagreements}
    assert "the supplier paid while the pool's facility was open" in problems


def test_a_settlement_to_someone_else_is_caught(story: tuple[World, Rows]) -> None:
    world, rows = story
    edited = copy.deepcopy(rows)
    one(edited, "OrderSettled", order=1)["args"]["supplier"] = world.a("resist_b")
    (disagreement,) = run(edited).disagreements
    assert disagreement.recorded.startswith(f"paid {world.a('resist_b')}, not the order's")


def money(units: int) -> str:
    return f"{units / 100:,.2f}"


@pytest.mark.parametrize(
    ("event", "field", "shows"),
    [
        ("RecoveryRecorded", "amount", "recovery recorded {took+1}"),
        ("OrderClosedUndelivered", "recovery", "recovery {took+1}"),
        ("OrderClosedUndelivered", "returned", "returned {left+1} of {left} left reserved"),
    ],
)
def test_a_recovery_that_does_not_match_what_the_pool_took_is_caught(
    story: tuple[World, Rows], event: str, field: str, shows: str
) -> None:
    world, rows = story
    closed = one(rows, "OrderClosedUndelivered", order=3)["args"]
    took, left = int(closed["recovery"]), int(closed["returned"])
    # the pool took the advance with its interest, out of the 2,000,000.00 reserved
    assert took + left == 2_000_000_00 and took > 1_600_000_00
    edited = copy.deepcopy(rows)
    args = one(edited, event, **({"order": 3} if event.startswith("Order") else {"ref": 3}))["args"]
    args[field] = int(args[field]) + 1
    (disagreement,) = run(edited).disagreements
    expected = (
        shows.replace("{took+1}", money(took + 1))
        .replace("{left+1}", money(left + 1))
        .replace("{left}", money(left))
    )
    assert (disagreement.rule, disagreement.recorded, disagreement.replayed) == (
        "recovery on order 3 closed undelivered",
        expected,
        f"{money(took)} the pool took, owed by {world.a('sub_hi')}",
    )


def test_a_recovery_charged_to_someone_else_is_caught(story: tuple[World, Rows]) -> None:
    world, rows = story
    edited = copy.deepcopy(rows)
    one(edited, "RecoveryRecorded", ref=3)["args"]["debtor"] = world.a("resist_a")
    (disagreement,) = run(edited).disagreements
    assert disagreement.recorded == f"owed by {world.a('resist_a')}"
