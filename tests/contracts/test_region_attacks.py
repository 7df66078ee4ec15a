"""Red-team of the regional-shock, supply-route and stage-terms money paths, and of the audit's
replay of them.

Naming: `test_fixed_*` is a problem found and fixed, asserted as the code behaves now;
`test_known_*` is a limit left as designed and documented (docs/contracts.md, docs/risk.md),
asserted exactly so that a change to it is seen; `test_holds_*` is an attack that failed, or
a legitimate sequence the audit must call clean. Every docstring says who acts, who loses,
and what happens.
"""

from __future__ import annotations

import copy
from typing import Any

from chain_client.audit.checks import check_rules
from chain_client.audit.collect import collect
from chain_client.audit.replay import replay
from chain_client.audit.report import run_audit
from chain_client.chain.accounts import AliasTarget
from chain_client.roles import grant
from chain_client.units import to_bytes32
from tests.contracts.financing_fixtures import PART, World

EAST, WEST = "EAST", "WEST"
DAY = 86_400


# helpers ------------------------------------------------------------------------------


def audit_failures(world: World) -> list[str]:
    result = run_audit(world.session)
    return [f for c in result.checks for f in c.failures]


def add_supplier(
    world: World, alias: str, index: int, *, part: str = PART, capacity: int = 5_000_000_00
) -> None:
    world.session.accounts.add(alias, AliasTarget(index=index))
    world.litho.registry.register(alias, alias, [part], capacity)


def place(world: World, **regions: str | None) -> None:
    for supplier, region in regions.items():
        world.litho.registry.set_region(supplier, region)


def status(world: World, supplier: str) -> str:
    return world.litho.registry.supplier(supplier).status


def addresses(world: World) -> dict[str, str]:
    return {n: r.address for n, r in world.session.deployment().contracts.items()}


def rule_failures(world: World, rows: list[Any]) -> list[str]:
    return [f for c in check_rules(rows, addresses(world)) for f in c.failures]


def second_oracle(world: World) -> None:
    grant(world.session, "oracle", "financier")


# 1. liveness of the walk ----------------------------------------------------------------


def test_fixed_every_walk_call_moves_on_even_at_one_order_per_call(world: World) -> None:
    """Found: with `maxPerCall` 1 the call's only unit went on looking at the member, so a
    member with an order that could not be financed (a Pending one, which any owner can
    place) stopped the walk for good. Now the look at the member a call takes up from the
    last one is free: every call handles an order or marks a member, and the walk ends."""
    world.policy(max_per_call=1)
    place(world, resist_a=EAST, resist_b=EAST)
    world.order(value=500_000_00)  # financeable
    world.order(value=2_000_000_00, approve=False)  # Pending: never financeable
    waiting = world.order(value=500_000_00, supplier="resist_b")
    calls = [world.financing.report_shock(EAST, "FLOOD")]
    assert (calls[0].disrupted, calls[0].outcomes, calls[0].looked) == (
        [world.a("resist_a")],
        [],
        1,
    )
    while calls[-1].cursor != calls[-1].members and len(calls) < 10:
        calls.append(world.financing.process_shock(EAST, sender="stranger"))
    # resist_a's two orders, resist_b marked, its order: one step per call
    assert [(len(c.outcomes), len(c.disrupted), c.cursor) for c in calls] == [
        (0, 1, 0),
        (1, 0, 0),
        (1, 0, 1),
        (0, 1, 1),
        (1, 0, 2),
    ]
    assert world.financing.order(waiting).status == "Financed"
    assert audit_failures(world) == []


def test_fixed_process_disruption_between_walk_calls_cannot_send_the_walk_back(
    world: World,
) -> None:
    """Found: the walk kept its place in a member's orders in the member's own trigger
    cursor, which `processDisruption` (anyone) resets to 0 at the end of the list, so a
    griefer could keep the walk on one member for ever. Now the walk keeps its own position
    (`Shock.position`): the interleaved call changes nothing for it."""
    world.policy(max_per_call=2)
    place(world, resist_a=EAST, resist_b=EAST)
    world.order(value=2_000_000_00, approve=False)
    world.order(value=2_000_000_00, approve=False)
    waiting = world.order(value=500_000_00, supplier="resist_b")
    walk = world.financing.report_shock(EAST, "FLOOD")
    assert (walk.looked, walk.cursor) == (1, 0)  # resist_a looked at, its first order
    shock = world.financing.shock(EAST)
    assert shock is not None and shock.position == 1
    world.financing.process_disruption("resist_a", sender="stranger")  # the griefer
    walk = world.financing.process_shock(EAST, sender="stranger")
    # resist_a's second order (its look is free), then resist_b looked at and marked
    assert [(o.order, o.reason) for o in walk.outcomes] == [(2, "ORDER_NOT_APPROVED")]
    assert (walk.disrupted, walk.cursor) == ([world.a("resist_b")], 1)
    walk = world.financing.process_shock(EAST, sender="stranger")
    assert [o.order for o in walk.outcomes] == [waiting]
    assert (walk.cursor, walk.members) == (2, 2)
    assert world.financing.order(waiting).status == "Financed"
    assert audit_failures(world) == []


def test_holds_work_per_call_is_bounded_by_max_per_call_whatever_the_list_length(
    world: World,
) -> None:
    """A registrar flipping a supplier's region grows the member list with stale entries
    (the list only grows); each still costs one unit, so a call looks at most `maxPerCall`
    entries, and a later call continues. Gas per call does not grow with the list."""
    world.policy(max_per_call=4)
    for _ in range(6):  # 12 entries of resist_b in EAST alternating with WEST
        place(world, resist_b=EAST)
        place(world, resist_b=WEST)
    place(world, resist_a=EAST)
    world.order(value=500_000_00)
    calls = [world.financing.report_shock(EAST, "FLOOD")]
    while calls[-1].cursor != calls[-1].members:
        calls.append(world.financing.process_shock(EAST, sender="stranger"))
    # four stale entries; then two stale ones, resist_a (a look) and its order
    assert [c.looked for c in calls] == [4, 3]
    assert [(c.cursor, c.members) for c in calls] == [(4, 7), (7, 7)]
    assert [len(c.outcomes) for c in calls] == [0, 1]
    assert status(world, "resist_b") == "Active"  # in WEST now: skipped
    assert audit_failures(world) == []


# 2. authority: who can make the pool pay -------------------------------------------------


def test_fixed_a_supplier_put_in_a_shocked_region_later_is_not_disrupted_by_it(
    world: World,
) -> None:
    """Found: while a shock was in force, the registrar alone could put any Active supplier
    in its region and anyone's `processRegionalShock` then disrupted it and paid an advance
    on its order, with no oracle naming it. Now the walk covers only the members listed at
    quorum (`RegionalShock.members`); a later arrival needs its own report."""
    place(world, resist_b=EAST)
    shock = world.financing.report_shock(EAST, "FLOOD")
    assert shock.disrupted == [world.a("resist_b")] and (shock.cursor, shock.members) == (1, 1)
    order = world.order(value=1_000_000_00)
    idle = world.pool.status().idle
    place(world, resist_a=EAST)  # the registrar alone
    walk = world.financing.process_shock(EAST, sender="stranger")
    assert (walk.disrupted, walk.outcomes, walk.looked, walk.cursor, walk.members) == (
        [],
        [],
        0,
        1,
        1,
    )
    assert world.pool.status().idle == idle
    assert status(world, "resist_a") == "Active"
    assert world.financing.order(order).supplier == world.a("resist_a")
    assert audit_failures(world) == []


def test_known_the_registrar_can_steer_an_order_by_route_data_set_just_before_a_report(
    world: World,
) -> None:
    """LOW (authority, by design but unchecked). `declareInputs` and `setRegion` take effect
    at once and nothing in the trigger or the audit looks at when they were made. Minutes
    before the oracles' report the registrar declares ARF_RESIST (what resist_a makes) as an
    input of sub_hi (900) and moves sub_mid (750) into the shocked region: the order goes to
    sub_lo (650, a 50 % advance instead of 80 %), and the audit is clean. Expected: route
    data changed shortly before a disruption is flagged by the audit (or takes effect only
    after a notice period, as terms do)."""
    place(world, resist_b=EAST)
    world.financing.report_shock(EAST, "FLOOD")
    order = world.order(value=1_000_000_00)
    world.litho.registry.declare_inputs("sub_hi", [PART])
    place(world, sub_mid=EAST)
    report = world.financing.report_disruption("resist_a", "FIRE")
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.substitute, outcome.advance) == (
        order,
        world.a("sub_lo"),
        500_000_00,
    )
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("sub_hi"), "SHARED_UPSTREAM"),
        (world.a("sub_mid"), "SAME_REGION"),
    ]
    assert audit_failures(world) == []


# 3. caps -------------------------------------------------------------------------------


def test_fixed_a_deposit_held_over_the_shock_report_does_not_widen_its_cap(
    world: World,
) -> None:
    """Found: the shock's cap was fixed at quorum and never re-tested, so a deposit held
    over the report (or banks withdrawing afterwards) let one shock draw 24 % of the pool
    under a 10 % cap. Now an advance is tested against the smaller of the cap fixed at
    quorum and `shockCapBps` of the pool's assets at the advance."""
    world.policy(shock_cap_bps=1000)
    world.litho.token.mint("bank", 90_000_000_00)
    world.pool.deposit(90_000_000_00, by="bank")
    place(world, resist_b=EAST)
    shock = world.financing.report_shock(EAST, "EARTHQUAKE")
    assert shock.cap == 10_000_000_00  # 10 % of 100,000,000.00
    world.pool.withdraw(90_000_000_00, by="bank")
    world.session.advance_time(3 * DAY)
    assert world.total_assets() == 10_000_000_00
    add_supplier(world, "resist_c", 20)
    place(world, resist_c=EAST)
    world.order(value=3_000_000_00, supplier="resist_c")
    report = world.financing.report_disruption("resist_c", "FIRE")
    assert world.financing.shock_of(world.a("resist_c")) == 1
    (outcome,) = report.outcomes
    # 2,400,000.00 would pass 10 % of the 10,000,000.00 the pool holds now
    assert (outcome.financed, outcome.reason) == (False, "SHOCK_CAP")
    assert world.financing.shock(EAST).drawn == 0  # type: ignore[union-attr]
    assert audit_failures(world) == []


def test_holds_shock_window_project_and_exposure_caps_through_a_messy_shock(
    world: World,
) -> None:
    """Attacks on the caps that held: duplicate member entries (a supplier leaving and
    rejoining), an individual report interleaved with the walk, `processDisruption` between
    walk calls, a member that left the region after being disrupted, region recovery and a
    re-shock. No shock draws above its cap; the per-supplier window, project and exposure caps
    are tested per advance; the audit replays every call clean (no false positive)."""
    world.policy(max_per_call=3, shock_cap_bps=2500)  # cap 2,500,000.00
    add_supplier(world, "quiet", 20)  # a member with no orders
    add_supplier(world, "resist_c", 21)
    place(world, resist_a=EAST, quiet=EAST)
    place(world, resist_b=EAST, resist_c=WEST)
    place(world, resist_b=WEST)
    place(world, resist_b=EAST)  # a second entry of resist_b
    a_orders = [world.order(value=1_000_000_00) for _ in range(3)]
    b_orders = [world.order(value=1_000_000_00, supplier="resist_b") for _ in range(2)]
    calls = [world.financing.report_shock(EAST, "FLOOD")]
    # an individual report of a region supplier, interleaved: under the same shock
    place(world, resist_c=EAST)
    c_order = world.order(value=500_000_00, supplier="resist_c")
    direct = world.financing.report_disruption("resist_c", "FIRE")
    assert world.financing.shock_of(world.a("resist_c")) == 1
    world.financing.process_disruption("resist_a", sender="stranger")
    for _ in range(12):
        calls.append(world.financing.process_shock(EAST, sender="stranger"))
        if calls[-1].cursor == calls[-1].members:
            break
    # resist_a disrupted under the shock leaves the region; its later entry is still walked
    place(world, resist_a=WEST)
    place(world, resist_a=EAST)
    place(world, resist_a=WEST)
    calls.append(world.financing.process_shock(EAST, sender="stranger"))
    shock = world.financing.shock(EAST)
    assert shock is not None and shock.drawn <= shock.cap == 2_500_000_00
    # entries added after quorum are not walked: the last call has nothing left to do
    assert (calls[-1].outcomes, calls[-1].cursor) == ([], calls[-1].members)
    outcomes = [o for c in calls for o in c.outcomes] + direct.outcomes
    assert "SHOCK_CAP" in [o.reason for o in outcomes if not o.financed]
    financed = [o.order for o in outcomes if o.financed]
    assert len(financed) == len(set(financed))  # no order financed twice
    assert set(financed) <= {*a_orders, *b_orders, c_order}
    assert world.financing.project_exposure("LITHO-14") <= world.total_assets() // 2
    for sub in ("sub_hi", "sub_mid", "sub_lo"):
        assert world.financing.exposure(sub) <= world.total_assets() // 2
    # recovery and a re-shock: the new shock gets a new cap; suppliers still disrupted under
    # the first shock keep drawing on the first shock's cap
    world.financing.report_region_recovery(EAST)
    world.financing.process_disruption("resist_b", sender="stranger")
    assert world.financing.shock_of(world.a("resist_b")) == 1
    assert world.financing.shock(EAST).drawn <= 2_500_000_00  # type: ignore[union-attr]
    world.financing.report_recovery("quiet")
    second = world.financing.report_shock(EAST, "FLOOD")
    assert second.shock == 2 and second.disrupted == [world.a("quiet")]
    world.financing.report_region_recovery(EAST)
    assert audit_failures(world) == []


def test_holds_duplicate_entries_retry_but_never_refinance_an_order(world: World) -> None:
    """resist_a listed twice in EAST (left and came back): the walk looks at it twice and the
    second look retries only the orders still open (here the one the shock cap refused the
    first time is refused again); nothing is financed twice and the audit is clean."""
    world.policy(shock_cap_bps=1000)  # 1,000,000.00
    place(world, resist_a=EAST)
    place(world, resist_a=WEST)
    place(world, resist_a=EAST)
    first = world.order(value=1_000_000_00)
    second = world.order(value=1_000_000_00)
    report = world.financing.report_shock(EAST, "FLOOD")
    assert (report.looked, report.cursor, report.members) == (2, 2, 2)
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (first, True, None),
        (second, False, "SHOCK_CAP"),
        (second, False, "SHOCK_CAP"),
    ]
    assert audit_failures(world) == []


# 4. routes: SAME_REGION, SHARED_UPSTREAM -------------------------------------------------


def test_known_shared_upstream_looks_only_at_the_supplier_replaced(
    world: World,
) -> None:
    """LOW (credit, design gap). SHARED_UPSTREAM compares a candidate's inputs only with the
    parts of the supplier being replaced. In a regional shock that also cut off the maker of
    the candidate's own input (pag_maker, the only PAG maker, in the shocked region), the
    candidate (sub_hi, which declared PAG) is chosen and paid an 80 % advance although its
    route is broken by the same event. Expected: under a shock, pass over a candidate whose
    declared input is made only by suppliers disrupted under that shock, or declare inputs
    with their source region and pass over a source region under a shock in force."""
    add_supplier(world, "pag_maker", 20, part="PAG")
    place(world, pag_maker=EAST, resist_a=EAST)
    world.litho.registry.declare_inputs("sub_hi", ["PAG"])
    order = world.order(value=1_000_000_00)
    report = world.financing.report_shock(EAST, "EARTHQUAKE")
    assert report.disrupted == [world.a("pag_maker"), world.a("resist_a")]
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.substitute, outcome.advance) == (
        order,
        world.a("sub_hi"),
        800_000_00,
    )
    assert audit_failures(world) == []


def test_holds_a_substitute_cannot_dodge_same_region_or_shared_upstream_by_itself(
    world: World,
) -> None:
    """Only the registrar sets regions and inputs; a substitute re-qualifying, withdrawing
    and re-joining the list, or being reinstated keeps its region and inputs, and is passed
    over whether or not the walk has reached it yet."""
    place(world, resist_a=EAST, sub_hi=EAST)
    world.litho.registry.declare_inputs("sub_mid", [PART])
    world.policy(max_per_call=1)  # the walk never gets past resist_a (see above)
    world.financing.report_shock(EAST, "FLOOD")
    assert status(world, "sub_hi") == "Active"  # not walked yet
    world.litho.registry.withdraw_qualification(PART, supplier="sub_hi")
    world.litho.registry.qualify(PART, "30d", supplier="sub_hi")
    world.litho.registry.qualify(PART, "30d", supplier="sub_mid")
    world.policy(max_per_call=10)
    add_supplier(world, "resist_c", 20)
    order = world.order(value=1_000_000_00, supplier="resist_c")
    report = world.financing.report_disruption("resist_c", "FIRE")
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.substitute) == (order, world.a("sub_lo"))
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("sub_mid"), "SHARED_UPSTREAM"),  # its input is what resist_c makes
        (world.a("sub_hi"), "SAME_REGION"),  # not walked yet, still passed over
    ]
    assert audit_failures(world) == []


# 5. stage terms ------------------------------------------------------------------------


def test_known_the_owner_chooses_the_milestone_and_so_the_stage(
    world: World,
) -> None:
    """INFO/LOW (stage terms). The stage is the milestone's, and the owner picks the
    milestone when registering the order: with research orders at 50 % and 60 days at most,
    the same purchase booked on the approved pilot milestone (any tranche with room) gets
    80 % and no tenor limit. Nothing ties an order's nature to its milestone; the reviewer's
    approval is needed only at or above dual control. "Nobody can move an order into a
    kinder stage afterwards" holds, but the choice is the owner's at registration. Expected
    (if the stage is meant as a credit control): a stage declared per order and approved by
    the reviewer whatever the value, or the order's milestone limited to the project's
    current one (the earliest not yet completed)."""
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot plan")
    world.policy(stages={"research": {"advance_bps": [5000, 4000, 3000], "max_tenor_days": 60}})
    for name in ("sub_hi", "sub_mid", "sub_lo"):
        world.litho.registry.qualify(PART, "30d", supplier=name)
    research = world.order(value=1_000_000_00)  # milestone 0: research
    booked_on_pilot = world.order(value=1_000_000_00, milestone=1)
    report = world.financing.report_disruption("resist_a", "FIRE")
    by_order = {o.order: o for o in report.outcomes}
    assert (by_order[research].financed, by_order[research].reason) == (False, "NO_SUBSTITUTE")
    assert [p.reason for p in by_order[research].passed_over] == ["TENOR_TOO_LONG"] * 3
    assert by_order[booked_on_pilot].advance == 800_000_00  # 80 %, 120 days
    assert audit_failures(world) == []


def test_known_a_tightened_stage_tenor_binds_old_terms_after_the_notice_period(
    world: World,
) -> None:
    """INFO (stage terms). The stage limits are part of the terms a substitute accepts, so a
    lender tightening research tenors to 60 days keeps financing 120-day research facilities
    for `noticeDays` (30) to every substitute that accepted the earlier version; only after
    the notice does the old version stop (TERMS_CHANGED, not TENOR_TOO_LONG). The terms
    version itself does move (checked in test_stage_terms.py). Expected, if the stage limits
    are the lender's risk limits rather than the supplier's terms: apply the policy's
    current tenor limit (a tightening binds at once), keep only the share/rate under notice."""
    world.policy(stages={"research": {"max_tenor_days": 60}})
    assert world.financing.policy().terms_version == 2
    order = world.order(value=1_000_000_00)  # due 90 days + 30 days' lag: 120 days
    report = world.financing.report_disruption("resist_a", "FIRE")
    (outcome,) = report.outcomes
    assert (outcome.order, outcome.financed, outcome.substitute) == (
        order,
        True,
        world.a("sub_hi"),
    )
    assert world.financing.facility(outcome.facility).stage == "research"  # type: ignore[arg-type]
    assert audit_failures(world) == []


# 6. the audit's replay ----------------------------------------------------------------


def _edited(rows: list[Any], event: str, field: str, value: Any, **match: Any) -> list[Any]:
    changed = copy.deepcopy(rows)
    (row,) = [
        r
        for r in changed
        if r["event"] == event and all(r["args"].get(k) == v for k, v in match.items())
    ]
    row["args"][field] = value
    return changed


def test_fixed_the_replay_checks_the_shock_of_an_individual_report(world: World) -> None:
    """Found: for a supplier reported on its own, `SupplierDisrupted.shock` was taken from
    the event; a row edited to 0 (a disruption escaping the shock's cap) replayed clean. Now
    the replay compares it with the shock in force in the supplier's region."""
    place(world, resist_b=EAST)
    world.financing.report_shock(EAST, "FLOOD")
    add_supplier(world, "resist_c", 20)
    place(world, resist_c=EAST)
    world.order(value=1_000_000_00, supplier="resist_c")
    report = world.financing.report_disruption("resist_c", "FIRE")
    assert report.outcomes[0].financed
    assert world.financing.shock_of(world.a("resist_c")) == 1
    rows = collect(world.session)
    assert replay(rows).disagreements == []
    forged = _edited(rows, "SupplierDisrupted", "shock", 0, supplier=world.a("resist_c"))
    (first, *_) = replay(forged).disagreements
    assert (first.rule, first.recorded, first.replayed) == (
        "the regional shock it falls under",
        "0",
        "1",
    )


def test_fixed_the_replay_counts_the_oracle_quorum_of_a_shock_and_of_its_end(
    world: World,
) -> None:
    """Found: nothing in the audit counted the oracles' reports. Now the replay keeps the
    quorum rounds as the contract does: a shock (or a disruption) with one report deleted
    at quorum 2 is named, and so is a region's recovery ended on one report."""
    world.policy(quorum=2)
    second_oracle(world)
    place(world, resist_a=EAST)
    world.order(value=1_000_000_00)
    first = world.financing.report_shock(EAST, "FLOOD")
    assert first.shock is None
    second = world.financing.report_shock(EAST, "FLOOD", sender="financier")
    assert second.shock == 1 and second.outcomes[0].financed
    world.financing.report_region_recovery(EAST)
    world.financing.report_region_recovery(EAST, sender="financier")
    rows = collect(world.session)
    assert replay(rows).disagreements == [] and rule_failures(world, rows) == []
    one_oracle = [
        r for r in rows if not (r["event"] == "RegionalShockReported" and r["args"]["reports"] == 1)
    ]
    rules = [d.rule for d in replay(one_oracle).disagreements]
    assert "reports about EAST and the quorum" in " ".join(rules) or any(
        r.startswith("reports about") for r in rules
    )
    assert any(r.startswith("RegionalShock of") for r in rules)
    ended_on_one = [
        r for r in rows if not (r["event"] == "RegionRecovered" and r["args"]["reports"] == 1)
    ]
    rules = [d.rule for d in replay(ended_on_one).disagreements]
    assert "RegionRecovered: ended" in rules


def test_holds_replay_catches_edits_inside_a_multi_call_walk(world: World) -> None:
    """Edits the replay does catch in a walk of two calls with a shock cap hit: a walked
    member's disruption deleted, its shock changed, a SHOCK_CAP reason changed, the advance
    of a walked order changed, the walk's cursor changed, and a member moved out of the
    region in the registry's record."""
    world.policy(max_per_call=2, shock_cap_bps=1000)
    place(world, resist_a=EAST, resist_b=EAST)
    world.order(value=1_000_000_00)
    world.order(value=1_000_000_00, supplier="resist_b")
    world.financing.report_shock(EAST, "FLOOD")
    world.financing.process_shock(EAST, sender="stranger")
    rows = collect(world.session)
    assert replay(rows).disagreements == []
    b = world.a("resist_b")
    deleted = [
        r for r in rows if not (r["event"] == "SupplierDisrupted" and r["args"]["supplier"] == b)
    ]
    cap_reason = "0x" + to_bytes32("NO_CASH").hex()
    edits = {
        "disruption deleted": deleted,
        "shock changed": _edited(rows, "SupplierDisrupted", "shock", 0, supplier=b),
        "SHOCK_CAP hidden": _edited(rows, "SubstituteUnavailable", "reason", cap_reason),
        "advance changed": _edited(rows, "SubstituteFinanced", "amount", 900_000_00),
        "cursor changed": _edited(rows, "RegionalShockProcessed", "cursor", 2, cursor=1),
        "member moved out": _edited(
            rows, "SupplierRegionSet", "region", "0x" + to_bytes32(WEST).hex(), supplier=b
        ),
    }
    missed = [name for name, changed in edits.items() if not replay(changed).disagreements]
    assert missed == []


def test_fixed_two_regions_whose_codes_are_not_utf8_stay_apart(world: World) -> None:
    """Found: the replay keyed regions by their text, so two codes that are not UTF-8 read
    the same and a correct shock was flagged twice. Now regions are keyed by their raw code."""
    registry = world.litho.registry.contract.functions
    east, west = b"\xff" + bytes(31), b"\xfe" + bytes(31)
    world.session.transact(registry.setRegion(world.a("resist_a"), east), "registrar")
    world.session.transact(registry.setRegion(world.a("sub_hi"), west), "registrar")
    world.order(value=1_000_000_00)
    fn = world.financing.contract.functions.reportRegionalShock(
        east, to_bytes32("FLOOD"), bytes(32)
    )
    world.session.transact(fn, "oracle")
    assert world.financing.order(1).supplier == world.a("sub_hi")
    assert audit_failures(world) == []
