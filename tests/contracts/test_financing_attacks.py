"""Attacks on the financing money paths and the audit, each asserting the behaviour that stops it.

Every docstring says who attacks, who loses, and what should happen instead. The synthetic
audit tests reuse the event builder of tests/audit/test_checks_on_synthetic_events.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from chain_client.audit.checks import check_rules
from chain_client.audit.html import flows
from chain_client.audit.report import audit_with_books, run_audit
from chain_client.errors import ContractRevert
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.audit.test_checks_on_synthetic_events import (
    ADDRESSES,
    ORDER_DUE,
    OTHER,
    POLICY,
    POOL,
    SUB,
    SUPPLIER,
    Chain,
    b32,
    good,
)
from tests.conftest import assert_revert
from tests.contracts.financing_fixtures import PART, World, setup_world
from tests.contracts.ledger_fixtures import P

PART32 = to_bytes32(PART)

DAY = 86_400
YEAR = 365 * DAY
TX_GAS_CAP = 2**24  # EIP-7825's per-transaction cap, the budget the project's own tests use


# helpers ------------------------------------------------------------------------------


def defaulted(world: World) -> tuple[int, int]:
    """A 3,000,000.00 order of resist_a moved to sub_hi, never delivered, closed after the
    stop: sub_hi owes LITHO-14 a recovery. Returns (order, recovery owed)."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(155 * DAY)  # due 120 days, stop a midnight + 30 days later
    world.financing.close_undelivered(order)
    owed = world.litho.ledger.recovery_owed("LITHO-14", "sub_hi")
    assert owed > 2_400_000_00
    return order, owed


def traceable_failures(chain: Chain) -> list[str]:
    checks = {c.name: c for c in check_rules(chain.rows, ADDRESSES)}
    return checks["facilities traceable"].failures


def at(chain: Chain, time: int, event: str, contract: str = "FundLedger", **args: Any) -> Chain:
    """An event in a transaction of its own at `time`."""
    n = len(chain.rows) + 1
    chain.rows.append(
        {
            "event": event,
            "contract": contract,
            "block": n,
            "time": time,
            "tx": f"0x{n:064x}",
            "log_index": 0,
            "args": args,
            "types": {},
        }
    )
    return chain


def advance_rows(
    chain: Chain,
    time: int,
    *,
    order: int,
    facility: int,
    value: int = 200,
    version: int = 1,
    rate: int = 500,
    lead: int = 30,
    lag: int = 30,
    grace: int = 30,
    share: int = 8000,
    score: int = 810,
    order_due: int = ORDER_DUE,
    to: str = SUB,
    episode: int = 1,
    previous: str = SUPPLIER,
) -> Chain:
    """A SubstituteFinanced and its FacilityTerms at `time`, derived exactly as the trigger
    derives them (advance = the band's share, not lowered)."""
    ready = time + lead * DAY
    due = max(order_due, ready) + lag * DAY
    stop = -(-due // DAY) * DAY + grace * DAY
    at(
        chain,
        time,
        "SubstituteFinanced",
        "SubstituteFinancing",
        order=order,
        facility=facility,
        project=b32("LITHO-14"),
        **{"from": POOL},
        to=to,
        amount=value * share // 10_000,
        previousSupplier=previous,
        rateBps=rate,
        due=due,
        episode=episode,
        stop=stop,
        lowered=False,
    )
    return chain.also(
        "FacilityTerms",
        "SubstituteFinancing",
        facility=facility,
        termsVersion=version,
        stage=0,
        score=score,
        advanceBps=share,
        leadDays=lead,
        paymentLagDays=lag,
        graceDays=grace,
        deliverable=ready <= order_due,
    )


def order_row(chain: Chain, time: int, order: int, value: int = 200) -> Chain:
    return at(
        chain,
        time,
        "OrderRegistered",
        "SubstituteFinancing",
        order=order,
        project=b32("LITHO-14"),
        part=b32("RESIST"),
        supplier=SUPPLIER,
        value=value,
        category=b32("MATERIALS"),
        milestone=0,
        due=ORDER_DUE,
        po=b32(f"PO-{order}"),
        pending=False,
    )


def last_time(chain: Chain) -> int:
    return int(chain.rows[-1]["time"])


# 1. the rolling window's backlog: an owner's small orders brick a supplier's reports -----


def test_expired_window_draws_make_the_next_report_cost_grow_without_bound(
    world: World,
) -> None:
    """Attacker: a project owner (alone; anyone may call processDisruption). Who loses:
    every project ordering from the supplier, and the pool, because the supplier can no
    longer be reported disrupted.

    Each advance pushes a `Draw` on the disrupted supplier's window; `_drawn` drops every
    draw that left the window in the first call after it did, in one loop with no bound
    ("amortised", but one call pays for the whole backlog). An owner registers many orders
    of the smallest financeable size (1,250.00 → an advance of the 1,000.00 minimum) with
    supplier S; once S is disrupted they are financed ten per call. 30 days later the next
    report of S (and any processDisruption) must delete all of those draws before anything
    else; `report` calls `_drawn` at quorum, so the whole report reverts out of gas and S
    can never be marked Disrupted again (no other function prunes the window).

    Measured here: each expired draw adds ~5,800 gas to the next report. With the demo's
    10,000,000.00 pool the default window (50 % of assets, 1,000.00 minimum advance) admits
    5,000 draws, i.e. ~29 M gas, over the 2**24 per-transaction cap the project's own gas
    tests use (about 2,800 draws, 3.5 M of orders, already exceed it). Docs: "Nothing an
    order's owner registers can make a report revert". Expected: the report's cost does not
    depend on how many draws expired (prune a bounded number per call, or bucket draws per
    day), so the projected report for a full window fits a transaction.
    """
    few, many = 2, 22
    for _ in range(few):
        world.order(value=1_250_00)
    for _ in range(many):
        world.order(value=1_250_00, supplier="resist_b")
    for supplier in ("resist_a", "resist_b"):
        world.financing.report_disruption(supplier, "FIRE")
        while world.financing.open_orders(supplier):
            world.financing.process_disruption(supplier, sender="chipco")
        world.financing.report_recovery(supplier)
    assert world.financing.counts() == (few + many, few + many)
    world.session.advance_time(31 * DAY)  # every draw has left the window

    def report_gas(supplier: str) -> int:
        fn = world.financing.contract.functions.reportDisruption(
            world.a(supplier), b"FIRE".ljust(32, b"\0"), bytes(32)
        )
        return int(fn.estimate_gas({"from": world.a("oracle")}))

    base, grown = report_gas("resist_a"), report_gas("resist_b")
    per_draw = (grown - base) / (many - few)
    policy = world.financing.policy()
    window_draws = (
        world.pool.status().total_assets * policy.window_cap_bps // 10_000 // policy.min_advance
    )
    projected = base + per_draw * (window_draws - few)
    assert projected <= TX_GAS_CAP, (
        f"{per_draw:.0f} gas per expired draw; a full window of {window_draws} draws makes "
        f"the next report of the supplier cost ~{projected / 1e6:.1f} M gas"
    )


# 2. the audit calls right books unclean: pass-overs of an earlier, failed attempt ---------


def test_audit_judges_a_facility_against_pass_overs_of_an_earlier_failed_attempt(
    world: World,
) -> None:
    """Actors: ordinary ones (substitutes withdrawing, anyone processing). Who loses: the
    audit's users, told the books are unclean when they are right.

    `facility_failures` collects `SubstitutePassedOver` per ORDER across every trigger call,
    and judges the facility finally opened against all of them, with the scores current at
    the facility. Here the first attempt picks sub_hi (900) and passes over sub_mid (750)
    and sub_lo (650) as LOWER_SCORE, then stops on PROJECT_CAP; sub_hi and sub_mid then
    leave the list; the first order settles, freeing the project's room; a later
    processDisruption correctly finances sub_lo, the only candidate left. The audit
    reports "sub_mid scored 750, above the chosen 650". Expected: only the pass-overs of the
    transaction that opened the facility are compared with it; the audit is clean.
    """
    world.policy(project_cap_bps=2000)  # 2,000,000.00 of principal per project
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot review")
    first = world.order(value=2_000_000_00)
    second = world.order(value=1_000_000_00, supplier="resist_b", category="EQUIPMENT", milestone=1)
    world.financing.report_disruption("resist_a", "FIRE")
    attempt = world.financing.report_disruption("resist_b", "FIRE")
    assert [(o.order, o.reason) for o in attempt.outcomes] == [(second, "PROJECT_CAP")]
    assert {p.reason for p in attempt.outcomes[0].passed_over} == {"LOWER_SCORE"}
    world.litho.registry.withdraw_qualification(PART, supplier="sub_hi")
    world.litho.registry.withdraw_qualification(PART, supplier="sub_mid")
    world.deliver(first)
    world.financing.settle_order(first)
    later = world.financing.process_disruption("resist_b")
    assert [(o.order, o.substitute) for o in later.outcomes] == [(second, world.a("sub_lo"))]
    report = run_audit(world.session)
    assert report.clean, [c.failures for c in report.checks if not c.ok]


def test_audit_calls_a_late_substitute_chosen_later_a_later_delivery_pass_over(
    session: Session,
) -> None:
    """Same root cause with LATER_DELIVERY. First attempt: `near` (30 days) can deliver by
    the order's due date and is picked; `far` (200 days) is passed over as LATER_DELIVERY;
    the attempt stops on PROJECT_CAP. `near` then withdraws and a later call rightly
    finances `far`, the only candidate. The audit fails the facility with "passed over for
    later delivery by a late substitute", about the very substitute it financed. Expected:
    clean.
    """
    world = setup_world(session, substitutes={"far": (13, 900), "near": (14, 720)}, qualify=False)
    world.policy(project_cap_bps=2000)
    world.litho.registry.qualify(PART, "200d", supplier="far")
    world.litho.registry.qualify(PART, "30d", supplier="near")
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot review")
    first = world.order(value=2_000_000_00)
    second = world.order(value=1_000_000_00, supplier="resist_b", category="EQUIPMENT", milestone=1)
    world.financing.report_disruption("resist_a", "FIRE")
    attempt = world.financing.report_disruption("resist_b", "FIRE")
    assert [(o.order, o.reason) for o in attempt.outcomes] == [(second, "PROJECT_CAP")]
    assert [p.reason for p in attempt.outcomes[0].passed_over] == ["LATER_DELIVERY"]
    world.litho.registry.withdraw_qualification(PART, supplier="near")
    world.deliver(first)
    world.financing.settle_order(first)
    later = world.financing.process_disruption("resist_b")
    assert [(o.order, o.substitute) for o in later.outcomes] == [(second, world.a("far"))]
    report = run_audit(world.session)
    assert report.clean, [c.failures for c in report.checks if not c.ok]


# 3. the audit does not re-derive the backing rule ---------------------------------------


def test_audit_misses_a_facility_that_would_owe_more_than_its_order_at_its_stop() -> None:
    """Rule bypassed: "the trigger lowers an advance until what the facility would owe at
    its stop fits in the reservation" — the rule that makes every advance backed by the
    project's reserved cash. Who loses if a contract ever breaks it: the pool's depositors
    (collection from the reservation stops short; the rest is never collectable, yet stays
    in totalAssets).

    Synthetic events: terms version 2 at 50 % a year; SUB re-confirms for 365 days' lead;
    an order of 2.00 gets an advance of 1.60 (80 %), not lowered, stopping ~425 days later:
    it would owe ~2.53 at its stop, more than the 2.00 reserved. `facility_failures` checks
    the advance is at most the band's share and equal to it unless `lowered`, never that
    owedAtStop(advance, rate, opened, stop) <= the order's value, so the audit passes it.
    Expected: a failure naming facility 2.
    """
    chain = good()
    t = last_time(chain) + 3600
    at(
        chain,
        t,
        "PolicyUpdated",
        "FinancingPolicy",
        policy={**POLICY, "baseRateBps": 4900},
        termsVersion=2,
    )
    at(
        chain,
        t + 3600,
        "SubstituteQualified",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=SUB,
        position=0,
        leadDays=365,
        termsVersion=2,
    )
    order_row(chain, t + 7200, 2)
    opened = t + 10_800
    advance_rows(chain, opened, order=2, facility=2, version=2, rate=5000, lead=365)
    stop = int(chain.rows[-2]["args"]["stop"])
    owed_at_stop = 160 + -(-160 * 5000 * (stop - opened) // (YEAR * 10_000))
    assert owed_at_stop > 200  # the advance is not backed by the order's reservation
    failures = traceable_failures(chain)
    assert any(f.startswith("facility 2") for f in failures), failures


def test_audit_misses_a_second_facility_on_an_order_already_financed() -> None:
    """Rule bypassed: one order, one reservation, one facility (a Financed order leaves the
    trigger's work list). Two advances against one order's reservation mean at most one is
    backed. Who loses if it ever happens: the pool's depositors.

    Synthetic events: order 1 is financed (facility 1, from good()) and then financed again
    to the same substitute (facility 2) with the same terms. Every per-facility check
    passes, and nothing in the audit tracks which orders already have a facility, so the
    books are called clean. Expected: a failure naming facility 2.
    """
    chain = good()
    advance_rows(chain, last_time(chain) + 3600, order=1, facility=2)
    failures = traceable_failures(chain)
    assert any(f.startswith("facility 2") for f in failures), failures


def test_audit_misses_an_opt_in_used_after_its_notice_period() -> None:
    """Rule bypassed: an opt-in under replaced terms holds only `noticeDays` after the
    replacing version took effect (TERMS_CHANGED afterwards). Who loses if it is broken: the
    substitute (financed on terms it no longer stands behind) or the depositors (an old,
    cheaper rate).

    Synthetic events: SUB opted in under version 1; version 2 (margin 300) takes effect;
    40 days later (notice 30) SUB is financed on version 1. The audit checks the opt-in's
    version matches and the terms of that version are applied, never that the version was
    still valid at the facility's time. Expected: a failure naming facility 2.
    """
    chain = good()
    t = last_time(chain) + 3600
    at(
        chain,
        t,
        "PolicyUpdated",
        "FinancingPolicy",
        policy={**POLICY, "marginBps": 300},
        termsVersion=2,
    )
    order_row(chain, t + 40 * DAY, 2)
    advance_rows(chain, t + 40 * DAY + 3600, order=2, facility=2, version=1)
    failures = traceable_failures(chain)
    assert any(f.startswith("facility 2") for f in failures), failures


def test_audit_misses_a_facility_to_a_substitute_that_was_not_active() -> None:
    """Rule bypassed: a candidate that is not Active (Disrupted, or Suspended) is passed over
    as NOT_ACTIVE. A Disrupted substitute keeps its opt-in, so an advance to it passes every
    check of `facility_failures` (which never looks at `SupplierStatusChanged`). Expected: a
    failure naming facility 2."""
    chain = good()
    t = last_time(chain) + 3600
    at(chain, t, "SupplierStatusChanged", "SupplierRegistry", supplier=SUB, previous=1, current=2)
    order_row(chain, t + 3600, 2)
    advance_rows(chain, t + 7200, order=2, facility=2)
    failures = traceable_failures(chain)
    assert any(f.startswith("facility 2") for f in failures), failures


def test_audit_misses_a_better_opted_in_candidate_skipped_without_a_pass_over() -> None:
    """Rule bypassed: the ranking (deliverable, then score, then position). The audit only
    compares the chosen substitute with candidates the contract itself says it passed over;
    a contract that silently skipped a better candidate is called clean.

    Synthetic events: OTHER opts in for RESIST at score 950 (Active, same lead time and
    terms); order 2 is financed to SUB (810) and no `SubstitutePassedOver` names OTHER.
    Expected: the audit re-derives the candidate list from the opt-ins and fails facility 2
    (every opted-in candidate other than the disrupted supplier is either chosen or passed
    over with a reason)."""
    chain = good()
    t = last_time(chain) + 3600
    at(chain, t, "SupplierRated", "SupplierRegistry", supplier=OTHER, previousScore=650, score=950)
    at(
        chain,
        t + 1,
        "SupplierStatusChanged",
        "SupplierRegistry",
        supplier=OTHER,
        previous=0,
        current=1,
    )
    at(
        chain,
        t + 2,
        "SubstituteQualified",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=OTHER,
        position=1,
        leadDays=30,
        termsVersion=1,
    )
    order_row(chain, t + 3600, 2)
    advance_rows(chain, t + 7200, order=2, facility=2)
    failures = traceable_failures(chain)
    assert any(f.startswith("facility 2") for f in failures), failures


def test_audit_misses_a_deliverable_candidate_passed_over_for_a_late_one() -> None:
    """Rule bypassed: deliverability ranks first ("a higher-scored one quoting 180 days is
    passed over"). The audit checks a LOWER_SCORE pass-over only against scores, never
    whether the passed candidate could deliver in time while the chosen one could not.

    Synthetic events: OTHER (650) opted in with 30 days' lead — deliverable by the order's
    due date; SUB (810) re-confirmed with 200 days — not deliverable. The facility goes to
    SUB and OTHER is passed over as LOWER_SCORE: the contract's ranking inverted, and the
    project gets a substitute that cannot deliver in time. The audit is clean. Expected: a
    failure naming facility 2 (the passed candidate's opt-in says it could deliver by the
    due date and the chosen one could not).
    """
    chain = good()
    t = last_time(chain) + 3600
    at(
        chain,
        t,
        "SupplierStatusChanged",
        "SupplierRegistry",
        supplier=OTHER,
        previous=0,
        current=1,
    )
    at(
        chain,
        t + 1,
        "SubstituteQualified",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=OTHER,
        position=1,
        leadDays=30,
        termsVersion=1,
    )
    at(
        chain,
        t + 2,
        "SubstituteQualified",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=SUB,
        position=0,
        leadDays=200,
        termsVersion=1,
    )
    order_row(chain, t + 3600, 2)
    opened = t + 7200
    at(
        chain,
        opened,
        "SubstitutePassedOver",
        "SubstituteFinancing",
        order=2,
        candidate=OTHER,
        reason=b32("LOWER_SCORE"),
    )
    advance_rows(chain, opened, order=2, facility=2, lead=200)
    assert chain.rows[-1]["args"]["deliverable"] is False
    assert opened + 30 * DAY <= ORDER_DUE  # OTHER could have delivered in time
    failures = traceable_failures(chain)
    assert any(f.startswith("facility 2") for f in failures), failures


# 4. set-off -----------------------------------------------------------------------------


def test_suspending_a_defaulted_substitute_blocks_the_set_off_and_freezes_the_project(
    world: World,
) -> None:
    """Actors: a substitute that defaulted, then the registrar doing what the docs expect
    ("the registrar, notified by the event, decides on suspension"). Who loses: the
    project's funders: the recovery stays unpaid although the project holds the
    substitute's payable, and the project can never close (nor its funders claim) until the
    defaulter is reinstated.

    sub_hi owes LITHO-14 ~2.45 M (an order closed undelivered). It had also delivered a direct
    1,000,000.00 order, accepted by the owner. Suspended, it is not an eligible payee, so
    settleOrder reverts FinancingPayeeNotEligible (no facility, nothing to the pool) and
    the set-off never runs, though set-off transfers nothing to the payee. Expected: the
    part of the payable that the set-off covers is applied (RecoverySetOff/RecoveryRepaid,
    no transfer) even while the payee is not eligible; only a remainder owed to it is held.
    Here the whole 1,000,000.00 is set off, the order settles and the project can close.
    """
    ledger = world.litho.ledger
    direct = world.order(value=1_000_000_00, supplier="sub_hi", due="200d")
    _, owed = defaulted(world)
    world.deliver(direct)  # sub_hi records delivery, the owner accepts
    world.litho.registry.suspend("sub_hi")
    world.financing.settle_order(direct, sender="stranger")
    assert world.financing.order(direct).status == "Settled"
    assert ledger.recovery_owed("LITHO-14", "sub_hi") == owed - 1_000_000_00
    ledger.close("LITHO-14")


def test_a_direct_payment_to_a_debtor_is_refused(world: World) -> None:
    """Actors: a substitute that defaulted and a project owner who pays it directly (an
    ordinary `disburse`) instead of through an order. Who would lose: the funders, the
    project paying the debtor in cash while its recovery stays unpaid.

    Set-off applies to payments out of an order's reservation; a direct payment to a payee
    that owes the project recoveries is refused (`LedgerPayeeOwesRecovery`): the debtor
    repays first, or is paid through an order, whose settlement sets the debt off. The
    audit fails a direct payment to a debtor (tested on synthetic events)."""
    token, ledger = world.litho.token, world.litho.ledger
    _, owed = defaulted(world)
    before = token.balance_of("sub_hi")
    with pytest.raises(ContractRevert) as excinfo:
        world.litho.pay(1_000_000_00, to="sub_hi")
    assert_revert(excinfo, "LedgerPayeeOwesRecovery", project=P, payee=world.a("sub_hi"), owed=owed)
    assert token.balance_of("sub_hi") == before
    assert ledger.recovery_owed("LITHO-14", "sub_hi") == owed


def test_the_audit_fails_a_direct_payment_to_a_debtor() -> None:
    chain = good()
    chain.add(
        "RecoveryRecorded",
        project=b32("LITHO-14"),
        debtor=SUPPLIER,
        ref=1,
        amount=50,
        category=b32("MATERIALS"),
        milestone=0,
    )
    chain.pay(amount=10, to=SUPPLIER)
    checks = {c.name: c for c in check_rules(chain.rows, ADDRESSES)}
    assert any(
        "directly while it owed the project 0.50 in recoveries" in f
        for f in checks["eligible payees"].failures
    )


def test_the_flow_diagram_does_not_balance_after_a_set_off(world: World) -> None:
    """The audit's flow diagram (docs: "each payment to its final payee") draws a set-off's
    RecoveryRepaid as money entering the project from the debtor but draws no matching
    payment to the debtor (RecoverySetOff is ignored by `flows`). The project node then
    shows the set-off amount (~2.45 M) more than the ledger holds: the diagram says
    ~20.45 M stayed in LITHO-14 while its balance is 18,000,000.00. The project's own test
    (test_the_flow_diagram_shows_recovered_money_entering_the_project) asserts this
    balance for a cash repayment. Expected: inflow − outflow of the project node equals its
    balance after a set-off too (draw the set-off as a payment to the payee, or neither leg).
    """
    _, owed = defaulted(world)
    order = world.order(value=3_000_000_00, supplier="sub_hi")
    world.deliver(order)
    assert world.financing.settle_order(order).set_off == owed
    report, books = audit_with_books(world.session)
    assert report.clean
    links = flows(books, lambda a: a, world.pool.address)
    node = "project LITHO-14"
    inflow = sum(v for (a, b), v in links.items() if b == node)
    outflow = sum(v for (a, b), v in links.items() if a == node)
    assert inflow - outflow == world.litho.ledger.project("LITHO-14").balance


def test_an_orders_life_omits_the_set_off_of_its_settlement(world: World) -> None:
    """`Financing.history` (scf order show) lists an order's settlement legs from
    `FundsDisbursed`, but a set-off pays the supplier without one: the order's life shows
    only the transferred remainder (~0.55 M of 3,000,000.00) and no trace of the ~2.45 M
    kept to repay the supplier's recovery. Expected: the order's RecoverySetOff
    (whose `ref` is the order) is part of its life."""
    _, owed = defaulted(world)
    order = world.order(value=3_000_000_00, supplier="sub_hi")
    world.deliver(order)
    world.financing.settle_order(order)
    steps = world.financing.history(order)
    assert "RecoverySetOff" in [s.event for s in steps]


# 5. caps --------------------------------------------------------------------------------


# 6. the registrar's removal ---------------------------------------------------------------


def test_a_substitute_the_registrar_removed_stays_out_until_readmitted(
    world: World,
) -> None:
    """Attacker: a substitute the registrar took off a list ("a squatter, a supplier no
    longer fit"). Who loses: the projects whose orders move to it and the funders who carry
    its non-delivery; against a squatter, the legitimate substitutes it keeps out.

    `unqualify` only deletes the opt-in; the supplier stays Active and registered for the
    part, and `qualify` checks nothing else, so it opts in again in the next transaction
    (at the end of the list, on the current terms) and the next report finances it — here
    it is the best-scored candidate, so it takes the order. The only lasting remedy is
    suspension, which also stops every payment to it. Expected: a registrar's removal
    holds until the registrar lifts it (the supplier's `qualify` for that part reverts).
    """
    registry = world.litho.registry
    registry.unqualify(PART, "sub_hi")
    with pytest.raises(ContractRevert) as excinfo:
        registry.qualify(PART, "30d", supplier="sub_hi")  # straight back in: refused
    assert_revert(excinfo, "RegistrySubstituteBarred", supplier=world.a("sub_hi"), part=PART32)
    world.order()
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.outcomes[0].substitute == world.a("sub_mid")
    registry.readmit(PART, "sub_hi")  # the registrar lifts its bar
    registry.qualify(PART, "30d", supplier="sub_hi")
    assert world.a("sub_hi") in registry.substitutes(PART)


# 7. consent to terms --------------------------------------------------------------------


def test_an_opt_in_naming_replaced_terms_is_refused(
    session: Session,
) -> None:
    """Actors: the admin changes the terms (rate 5 % → 24 %, payment lag 30 → 180 days)
    while a substitute's opt-in is in flight. Who loses: the substitute, financed at once on
    terms it never saw — the notice period protects only opt-ins made before the change.

    `qualify(part, leadDays)` records whatever version is current when it is mined; the
    substitute cannot say which terms it accepts. Here it reads version 1 (5 %, 30 days),
    the policy change lands first, its qualify records version 2, and the next report
    finances it at 24 % with a 180-day lag. Expected: the opt-in names the terms version
    the substitute accepts (`qualify(part, leadDays, termsVersion)`), and an opt-in naming
    a version that is no longer current reverts, so the substitute is only ever financed on
    the version it named.
    """
    world = setup_world(session, qualify=False)
    seen = world.financing.policy().terms_version
    world.policy(margin_bps=2000, payment_lag_days=180)  # mined before the opt-in
    with pytest.raises(ContractRevert) as excinfo:
        world.litho.registry.qualify(PART, "30d", supplier="sub_hi", terms_version=seen)
    assert_revert(excinfo, "RegistryTermsNotCurrent", named=seen, current=seen + 1)
    assert world.litho.registry.substitutes(PART) == []
