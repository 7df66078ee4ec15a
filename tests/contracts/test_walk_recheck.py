"""Cold re-check of the fixed regional-shock walk (Shock.position, the free look): one gap
fixed (`test_fixed_*`), a behaviour kept and documented (`test_known_*`), and attacks that
held (`test_holds_*`)."""

from __future__ import annotations

from chain_client.audit.report import run_audit
from tests.contracts.financing_fixtures import World

EAST = "EAST"


def failures(world: World) -> list[str]:
    return [f for c in run_audit(world.session).checks for f in c.failures]


def place(world: World, **regions: str) -> None:
    for supplier, region in regions.items():
        world.litho.registry.set_region(supplier, region)


def status(world: World, supplier: str) -> str:
    return world.litho.registry.supplier(supplier).status


def test_fixed_a_member_disrupted_just_before_the_shock_draws_on_its_cap(world: World) -> None:
    """Found: resist_a (EAST), reported on its own one block before the EAST shock, kept no
    shock, the walk skipped it, and every later processDisruption financed its orders with
    no SHOCK_CAP: the correlated loss was drawn outside the catastrophe limit. Now a
    supplier disrupted on its own draws on the cap of the shock in force in its region."""
    world.policy(shock_cap_bps=1000, max_per_call=1)  # cap 1,000,000.00
    place(world, resist_a=EAST, resist_b=EAST)
    orders = [world.order(value=500_000_00) for _ in range(4)]
    world.financing.report_disruption("resist_a", "FLOOD")  # one order financed, no shock yet
    walk = world.financing.report_shock(EAST, "FLOOD")
    assert world.financing.shock_of(world.a("resist_a")) == 0
    while walk.cursor != walk.members:
        walk = world.financing.process_shock(EAST, sender="stranger")
    reasons = []
    for _ in range(3):
        r = world.financing.process_disruption("resist_a", sender="stranger")
        reasons += [o.reason for o in r.outcomes]
    # two advances of 400,000.00 fit in the cap, the third would pass it
    assert reasons == [None, None, "SHOCK_CAP"]
    assert [world.financing.order(o).status for o in orders].count("Financed") == 3
    shock = world.financing.shock(EAST)
    assert shock is not None and shock.drawn == 800_000_00
    assert failures(world) == []


def test_holds_position_past_the_end_after_orders_leave_between_calls(world: World) -> None:
    """Walk stops inside resist_a's list (position 1); the owner cancels all its orders; the
    next call's free look finds position >= length and moves on: no loop, audit clean."""
    world.policy(max_per_call=2)
    place(world, resist_a=EAST, resist_b=EAST)
    pend = [world.order(value=2_000_000_00, approve=False) for _ in range(3)]
    waiting = world.order(value=500_000_00, supplier="resist_b")
    world.financing.report_shock(EAST, "FLOOD")
    shock = world.financing.shock(EAST)
    assert shock is not None and (shock.cursor, shock.position) == (0, 1)
    for o in pend:
        world.financing.cancel_order(o)
    walk = world.financing.process_shock(EAST, sender="stranger")
    assert walk.disrupted == [world.a("resist_b")]
    assert world.financing.order(waiting).status == "Financed"
    assert failures(world) == []


def test_known_walk_redisrupts_a_member_recovered_mid_walk(world: World) -> None:
    """Walk stops inside resist_a's orders; oracles report resist_a recovered (quorum); the
    next processShock (anyone) marks it Disrupted again under the same shock, new episode,
    and finances its remaining orders — no oracle said it failed again. Members before
    the cursor that recover stay Active, so the outcome depends on where the walk stands."""
    world.policy(max_per_call=2)
    place(world, resist_a=EAST, resist_b=EAST)
    world.order(value=2_000_000_00, approve=False)
    ok = world.order(value=500_000_00)
    world.financing.report_shock(EAST, "FLOOD")
    assert world.financing.order(ok).status == "Open"
    world.financing.report_recovery("resist_a")
    assert status(world, "resist_a") == "Active"
    walk = world.financing.process_shock(EAST, sender="stranger")
    assert world.a("resist_a") in walk.disrupted
    assert status(world, "resist_a") == "Disrupted"
    world.financing.process_shock(EAST, sender="stranger")
    assert world.financing.order(ok).status == "Financed"
    assert failures(world) == []


def test_holds_recover_and_rereport_mid_walk_never_finances_twice(world: World) -> None:
    """Walk mid resist_a (position 1); resist_a recovered then reported again on its own
    (under the shock: shockOf = shock); the walk resumes at the stale position. Each order
    financed at most once, shock drawn = sum of advances, audit clean."""
    world.policy(max_per_call=2, shock_cap_bps=2000)
    place(world, resist_a=EAST, resist_b=EAST)
    world.order(value=2_000_000_00, approve=False)
    orders = [world.order(value=500_000_00) for _ in range(3)]
    world.financing.report_shock(EAST, "FLOOD")
    world.financing.report_recovery("resist_a")
    world.financing.report_disruption("resist_a", "FIRE")
    assert world.financing.shock_of(world.a("resist_a")) == 1
    for _ in range(4):
        world.financing.process_shock(EAST, sender="stranger")
        world.financing.process_disruption("resist_a", sender="stranger")
    facilities = [world.financing.order(o).facility for o in orders]
    assert len([f for f in facilities if f]) == len(set(f for f in facilities if f))
    assert failures(world) == []


def test_holds_new_shock_starts_fresh_after_region_recovery(world: World) -> None:
    """Shock 1 stops mid resist_a (position 1); region recovers; resist_b recovers; shock 2
    starts at cursor 0, position 0; resist_a (still under shock 1) is skipped, not continued
    with shock 1's position; resist_b is disrupted under shock 2. Audit clean."""
    world.policy(max_per_call=2)
    place(world, resist_a=EAST, resist_b=EAST)
    world.order(value=2_000_000_00, approve=False)
    world.order(value=2_000_000_00, approve=False)
    world.order(value=500_000_00, supplier="resist_b")
    world.financing.report_shock(EAST, "FLOOD")
    world.financing.report_region_recovery(EAST)
    walk = world.financing.report_shock(EAST, "EARTHQUAKE")
    shock = world.financing.shock(EAST)
    assert shock is not None and shock.cursor >= 1
    assert world.financing.shock_of(world.a("resist_a")) == 1
    assert world.financing.shock_of(world.a("resist_b")) == 2
    assert walk.disrupted == [world.a("resist_b")]
    assert failures(world) == []
