"""Early warning across regions and supply routes: the what-if of a regional shock predicts
exactly what the shock then does; a stress run is reproducible from its seed and leaves the
chain as it was; the risk report names a part whose substitutes share one region or one
upstream input, or that a shared input leaves without any."""

from __future__ import annotations

from typing import Any

from chain_client.risk.report import risk_report
from chain_client.risk.stress import stress
from chain_client.risk.whatif import played_copy, what_if_region
from chain_client.session import Session
from tests.contracts.financing_fixtures import PART, World, setup_world


def outcome_keys(outcomes: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (o.order, o.financed, o.substitute, o.facility, o.advance, o.reason, o.passed_over)
        for o in outcomes
    ]


def regional_world(session: Session) -> World:
    """resist_a and sub_hi in EAST, resist_b and sub_mid in WEST, sub_lo in SOUTH; resist_a
    with two orders, resist_b with one; 1,500,000.00 in the pool."""
    world = setup_world(session, pool_cash=1_500_000_00)
    world.policy(project_cap_bps=10_000, exposure_cap_bps=10_000, window_cap_bps=10_000)
    world.policy(shock_cap_bps=10_000)
    for supplier, region in (
        ("resist_a", "EAST"),
        ("sub_hi", "EAST"),
        ("resist_b", "WEST"),
        ("sub_mid", "WEST"),
        ("sub_lo", "SOUTH"),
    ):
        world.litho.registry.set_region(supplier, region)
    world.order(1_000_000_00, "resist_a")
    world.order(1_500_000_00, "resist_a")
    world.order(1_000_000_00, "resist_b")
    return world


def test_the_regional_what_if_predicts_exactly_what_the_shock_then_does(
    session: Session,
) -> None:
    world = regional_world(session)
    block = session.w3.eth.block_number
    with played_copy(session.settings) as copy:
        predicted = what_if_region(copy, "EAST")
    assert session.w3.eth.block_number == block
    assert world.litho.registry.supplier("sub_hi").status == "Active"
    actual = world.financing.report_shock("EAST", "EARTHQUAKE")
    assert predicted.disrupted == actual.disrupted == [world.a("resist_a"), world.a("sub_hi")]
    assert outcome_keys(predicted.outcomes) == outcome_keys(actual.outcomes)
    # sub_hi, in the shocked region, is passed over for both orders: sub_mid takes the first
    # and, its exposure then at the cap, sub_lo the second
    assert [(o.substitute, o.advance) for o in predicted.outcomes] == [
        (world.a("sub_mid"), 700_000_00),
        (world.a("sub_lo"), 750_000_00),
    ]
    assert [[(p.candidate, p.reason) for p in o.passed_over] for o in predicted.outcomes] == [
        [(world.a("sub_hi"), "SAME_REGION"), (world.a("sub_lo"), "LOWER_SCORE")],
        [(world.a("sub_hi"), "SAME_REGION"), (world.a("sub_mid"), "EXPOSURE_CAP")],
    ]
    assert (predicted.unfinanced, predicted.advanced) == (0, 1_450_000_00)


def test_a_stress_run_is_the_same_twice_from_one_seed_and_changes_nothing(
    session: Session,
) -> None:
    world = regional_world(session)
    block = session.w3.eth.block_number
    with played_copy(session.settings) as copy:
        first = stress(copy, 6, seed=7)
    with played_copy(session.settings) as copy:
        second = stress(copy, 6, seed=7)
        region = what_if_region(copy, "EAST")
    assert first.model_dump() == second.model_dump()
    assert session.w3.eth.block_number == block
    assert world.financing.open_orders("resist_a") != []
    assert first.menu == ["region EAST", "region SOUTH", "region WEST", f"part {PART}"]
    assert [r.run for r in first.results] == [1, 2, 3, 4, 5, 6]
    d = first.at_risk
    assert d.min <= d.p50 <= d.p90 <= d.max
    # seed 7 draws, in order: SOUTH; EAST; EAST and SOUTH; SOUTH; the part and SOUTH; EAST
    # and WEST (two shocks at once in a quarter of the runs)
    assert [r.shocks for r in first.results][:3] == [
        ["region SOUTH"],
        ["region EAST"],
        ["region EAST", "region SOUTH"],
    ]
    # the part's route failing cuts off every maker of it in turn, substitutes included:
    # resist_a's two orders move to substitutes that are cut off next (stranded), and nobody
    # is left for resist_b's; all 3,500,000.00 of them is at risk
    route = first.results[4]
    assert (route.disrupted, route.orders, route.unfinanced, route.stranded) == (5, 3, 1, 2)
    assert route.at_risk == 3_500_000_00
    # the run that shocked EAST alone left exactly what the what-if of EAST leaves
    for run in first.results:
        if run.shocks == ["region EAST"]:
            assert (run.orders, run.advanced, run.at_risk) == (
                len(region.outcomes),
                region.advanced,
                region.unfinanced_value,
            )
        if run.shocks == ["region SOUTH"]:
            assert (run.orders, run.at_risk) == (0, 0)  # sub_lo has no orders of its own
    assert "NO_CASH" not in str(first.model_dump_json())  # reasons are folded into figures
    assert '"time' not in first.model_dump_json() and "/" not in first.model_dump_json()


def test_the_risk_report_names_one_region_one_input_and_a_shared_input(
    session: Session,
) -> None:
    world = setup_world(session)
    registry = world.litho.registry
    for supplier in ("sub_hi", "sub_mid", "sub_lo"):
        registry.set_region(supplier, "EAST")
        registry.declare_inputs(supplier, ["PAG"])
    subject = f"{PART} / {session.name_of(world.a('resist_a'))}"
    kinds = {(f.kind, f.subject) for f in risk_report(session).findings}
    assert ("ONE_REGION", subject) in kinds
    assert ("ONE_UPSTREAM_INPUT", subject) in kinds
    details = [f.detail for f in risk_report(session).findings if f.kind == "ONE_UPSTREAM_INPUT"]
    assert details[0].startswith("every eligible substitute sources PAG")
    # the substitutes buy the very part resist_a makes: none would stand in for it
    for supplier in ("sub_hi", "sub_mid", "sub_lo"):
        registry.declare_inputs(supplier, [PART])
    findings = [f for f in risk_report(session).findings if f.subject == subject]
    assert [f.kind for f in findings] == ["NO_ELIGIBLE_SUBSTITUTE"]
    names = ", ".join(session.name_of(world.a(s)) for s in ("sub_hi", "sub_mid", "sub_lo"))
    assert f"({names} source what it makes)" in findings[0].detail
