"""Regions and supply routes: a regional shock disrupts a region's Active suppliers by oracle
quorum, bounded per call, under its own cap; while it is in force no substitute of the
region is chosen (SAME_REGION); a substitute that sources a part the cut-off supplier makes is
not chosen (SHARED_UPSTREAM). Every outcome is replayed by the audit."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chain_client.audit.collect import collect
from chain_client.audit.replay import replay
from chain_client.audit.report import run_audit
from chain_client.chain.accounts import AliasTarget
from chain_client.errors import ContractRevert, InputError
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import PART, World

EAST, WEST = "EAST", "WEST"


def clean(world: World) -> None:
    result = run_audit(world.session)
    assert result.clean, [f for c in result.checks for f in c.failures]


def add_supplier(world: World, alias: str) -> None:
    world.session.accounts.add(alias, AliasTarget(index=16))
    world.litho.registry.register(alias, alias, [PART], 5_000_000_00)


def place(world: World, **regions: str) -> None:
    for supplier, region in regions.items():
        world.litho.registry.set_region(supplier, region)


def test_a_substitute_in_the_shocked_region_is_passed_over_for_one_outside_it(
    world: World,
) -> None:
    place(world, resist_a=EAST, sub_hi=EAST, sub_mid=WEST)
    order = world.order(value=1_000_000_00)
    report = world.financing.report_shock(EAST, "EARTHQUAKE")
    assert (report.shock, report.cap) == (1, 5_000_000_00)  # half the pool's assets
    assert report.disrupted == [world.a("resist_a"), world.a("sub_hi")]
    (outcome,) = report.outcomes
    # sub_hi (900) would win on score; it is in the shocked region, not yet walked
    assert (outcome.order, outcome.substitute, outcome.advance) == (
        order,
        world.a("sub_mid"),
        700_000_00,
    )
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("sub_hi"), "SAME_REGION"),
        (world.a("sub_lo"), "LOWER_SCORE"),
    ]
    fc = world.financing.contract
    assert [
        (e["supplier"], e["shock"])
        for e in events(world.session, report.tx_hash, fc, "SupplierDisrupted")
    ] == [(world.a("resist_a"), 1), (world.a("sub_hi"), 1)]
    assert events(world.session, report.tx_hash, fc, "RegionalShockProcessed") == [
        {"region": to_bytes32(EAST), "shock": 1, "looked": 2, "cursor": 2, "members": 2}
    ]
    shock = world.financing.shock(EAST)
    assert shock is not None
    assert (shock.drawn, shock.in_force) == (700_000_00, True)
    assert world.financing.shock_of(world.a("sub_hi")) == 1
    clean(world)


def test_without_a_shock_the_same_region_is_no_bar(world: World) -> None:
    place(world, resist_a=EAST, sub_hi=EAST)
    world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.outcomes[0].substitute == world.a("sub_hi")


def test_a_substitute_sourcing_what_the_cut_off_supplier_makes_is_passed_over(
    world: World,
) -> None:
    world.litho.registry.declare_inputs("sub_hi", ["PAG", PART])
    order = world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.substitute) == (order, world.a("sub_mid"))
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("sub_hi"), "SHARED_UPSTREAM"),
        (world.a("sub_lo"), "LOWER_SCORE"),
    ]
    # an input the cut-off supplier does not make is no bar
    world.litho.registry.declare_inputs("sub_mid", ["PAG"])
    assert world.litho.registry.supplier("sub_mid").inputs == ["PAG"]
    clean(world)


def test_the_shock_cap_bounds_what_one_shock_draws_even_by_a_direct_report(
    world: World,
) -> None:
    world.policy(shock_cap_bps=1000)  # 1,000,000.00 of 10,000,000.00
    place(world, resist_a=EAST, resist_b=EAST)
    world.litho.registry.qualify(PART, "30d", supplier="sub_mid")
    first = world.order(value=1_000_000_00)  # 800,000.00 to sub_hi
    second = world.order(value=1_000_000_00, supplier="resist_b")
    report = world.financing.report_shock(EAST, "FLOOD")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (first, True, None),
        (second, False, "SHOCK_CAP"),  # 800,000.00 more would pass 1,000,000.00
    ]
    # a supplier of the region reported on its own while the shock is in force draws on the
    # same cap
    add_supplier(world, "resist_c")
    world.litho.registry.set_region("resist_c", EAST)
    world.order(value=500_000_00, supplier="resist_c")
    direct = world.financing.report_disruption("resist_c", "FIRE")
    assert (direct.outcomes[0].financed, direct.outcomes[0].reason) == (False, "SHOCK_CAP")
    assert world.financing.shock_of(world.a("resist_c")) == 1
    clean(world)


def test_a_shock_is_walked_in_bounded_calls_and_continued(world: World) -> None:
    world.policy(max_per_call=2)
    place(world, resist_a=EAST, resist_b=EAST)
    orders = [world.order(value=500_000_00) for _ in range(2)]
    orders.append(world.order(value=500_000_00, supplier="resist_b"))
    first = world.financing.report_shock(EAST, "FLOOD")
    # one unit to look at resist_a, one for its first order
    assert (first.looked, first.cursor, first.members) == (1, 0, 2)
    assert [o.order for o in first.outcomes] == orders[:1]
    second = world.financing.process_shock(EAST)
    # resist_a taken up again (a free look) and its second order (one unit), then resist_b
    # looked at and marked (the other unit)
    assert (second.looked, second.cursor, second.disrupted) == (2, 1, [world.a("resist_b")])
    assert [o.order for o in second.outcomes] == orders[1:2]
    third = world.financing.process_shock(EAST)
    assert third.disrupted == []
    assert [o.order for o in third.outcomes] == orders[2:]
    assert (third.looked, third.cursor, third.members) == (1, 2, 2)
    assert all(world.financing.order(o).status == "Financed" for o in orders)
    clean(world)


def test_region_recovery_ends_the_bar_and_suppliers_recover_one_by_one(world: World) -> None:
    place(world, resist_a=EAST, sub_hi=EAST)
    world.financing.report_shock(EAST, "FLOOD")
    world.financing.report_region_recovery(EAST)
    shock = world.financing.shock(EAST)
    assert shock is not None and not shock.in_force
    assert world.litho.registry.supplier("sub_hi").status == "Disrupted"
    world.financing.report_recovery("sub_hi")
    assert world.financing.shock_of(world.a("sub_hi")) == 0
    world.litho.registry.qualify(PART, "30d", supplier="sub_hi")
    add_supplier(world, "resist_c")
    world.order(value=1_000_000_00, supplier="resist_c")
    report = world.financing.report_disruption("resist_c", "FIRE")
    assert report.outcomes[0].substitute == world.a("sub_hi")
    clean(world)


def test_shock_reports_are_refused_with_their_reason(world: World) -> None:
    place(world, resist_a=EAST)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.process_shock(EAST)
    assert_revert(excinfo, "FinancingNoShock", region=to_bytes32(EAST))
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.report_region_recovery(EAST)
    assert_revert(excinfo, "FinancingNoShock", region=to_bytes32(EAST))
    world.financing.report_shock(EAST, "FLOOD")
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.report_shock(EAST, "FLOOD")
    assert_revert(excinfo, "FinancingShockInForce", region=to_bytes32(EAST), shock=1)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.report_shock(WEST, "FLOOD", sender="bank")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
    fn = world.financing.contract.functions.reportRegionalShock(bytes(32), bytes(32), bytes(32))
    with pytest.raises(ContractRevert) as excinfo:
        world.session.transact(fn, "oracle")
    assert_revert(excinfo, "FinancingRegionInvalid")
    with pytest.raises(InputError, match="unknown disruption reason"):
        world.financing.report_shock(WEST, "RAIN")


def test_a_second_oracle_report_is_needed_at_quorum_two(world: World) -> None:
    world.policy(quorum=2)
    place(world, resist_a=EAST)
    first = world.financing.report_shock(EAST, "FLOOD")
    assert (first.reports, first.quorum, first.shock) == (1, 2, None)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.report_shock(EAST, "FLOOD")
    assert_revert(
        excinfo,
        "FinancingAlreadyReportedRegion",
        region=to_bytes32(EAST),
        oracle=world.a("oracle"),
    )


def test_the_replay_catches_an_edited_shock(world: World) -> None:
    """The shock of the first test, replayed: the decisions agree; a SAME_REGION pass-over
    edited to LOWER_SCORE, a cap edited, and a walk that claims to have gone further are
    each named."""
    place(world, resist_a=EAST, sub_hi=EAST, sub_mid=WEST)
    world.litho.registry.declare_inputs("sub_lo", [PART])
    world.order(value=1_000_000_00)
    world.financing.report_shock(EAST, "EARTHQUAKE")
    rows = collect(world.session)
    result = replay(rows)
    assert result.disagreements == []
    # the oracle's report, the cap, resist_a's and sub_hi's windows announced, one order, the
    # walk
    assert result.decisions == 1 + 1 + 2 + 1 + 1
    assert any("SAME_REGION" in line for line in result.stories[1])

    def edited(event: str, field: str, value: Any, **match: Any) -> list[Any]:
        changed = copy.deepcopy(rows)
        (row,) = [
            r
            for r in changed
            if r["event"] == event and all(r["args"].get(k) == v for k, v in match.items())
        ]
        row["args"][field] = value
        return replay(changed).disagreements

    same_region = edited(
        "SubstitutePassedOver",
        "reason",
        "0x" + to_bytes32("LOWER_SCORE").hex(),
        candidate=world.a("sub_hi"),
    )
    assert "LOWER_SCORE" in same_region[0].recorded and "SAME_REGION" in same_region[0].replayed
    upstream = edited(
        "SubstitutePassedOver",
        "reason",
        "0x" + to_bytes32("LOWER_SCORE").hex(),
        candidate=world.a("sub_lo"),
    )
    assert "SHARED_UPSTREAM" in upstream[0].replayed
    (cap,) = edited("RegionalShock", "cap", 1)
    assert (cap.rule, cap.replayed) == ("the shock's cap", "5,000,000.00")
    (walk,) = edited("RegionalShockProcessed", "cursor", 3)
    assert (walk.rule, walk.recorded, walk.replayed) == (
        "members looked at and walked",
        "2 and 3",
        "2 and 2",
    )
