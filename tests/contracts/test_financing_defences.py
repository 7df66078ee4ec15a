"""Attacks on the financing money paths that the code defeats, each showing a defence
working (the attack, and why it fails, in the docstring)."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from chain_client.audit.books import build_books
from chain_client.audit.checks import check_conservation, check_rules
from chain_client.audit.report import audit_with_books, run_audit
from chain_client.errors import ContractRevert
from chain_client.session import Session
from tests.audit.test_checks_on_synthetic_events import ADDRESSES, SUB, b32, good
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import PART, World, setup_world

DAY = 86_400
YEAR = 365 * DAY


def defaulted(world: World) -> tuple[int, int]:
    """A 3,000,000.00 order moved to sub_hi, never delivered, closed after its stop."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(155 * DAY)
    world.financing.close_undelivered(order)
    return order, world.litho.ledger.recovery_owed("LITHO-14", "sub_hi")


def ledger_books_match(world: World) -> None:
    """The ledger's token balance is exactly the sum of its projects' balances, and the
    audit's rebuilt reserved total is the ledger's."""
    ledger, token = world.litho.ledger, world.litho.token
    report, books = audit_with_books(world.session)
    assert report.clean, [c.failures for c in report.checks if not c.ok]
    projects = [ledger.project(pid) for pid in ledger.project_ids()]
    assert token.balance_of(ledger.address) == sum(p.balance for p in projects)
    for p in projects:
        assert books.projects[p.id].reserved == p.reserved
        assert books.projects[p.id].balance == p.balance


# DisruptionLogic ------------------------------------------------------------------------


def test_the_linked_library_refuses_direct_calls(world: World) -> None:
    """Attack: call DisruptionLogic's external functions (report, process, recover) directly,
    with a storage slot and Deps of one's choice, hoping to write SubstituteFinancing's
    state or drive the registry and pool. Defence: the library's runtime code embeds its
    own address and reverts any state-changing call not made by DELEGATECALL (Solidity's
    library call guard); run directly, it would anyway only touch the library's own empty
    storage, and the registry's and pool's roles belong to SubstituteFinancing alone."""
    session = world.session
    lib = session.deployment().address("DisruptionLogic")
    code = bytes(session.w3.eth.get_code(lib))
    assert code[:1] == b"\x73" and code[1:21] == bytes.fromhex(lib[2:])  # PUSH20 self
    order = world.order()
    d = session.deployment()
    deps = (
        d.address("SupplierRegistry"),
        d.address("FundLedger"),
        d.address("FinancingPool"),
        d.address("FinancingPolicy"),
    )
    supplier = world.a("resist_a")
    calls = {
        "report(DisruptionLogic.State storage,DisruptionLogic.Deps,address,bytes32,bytes32)": (
            ["uint256", "(address,address,address,address)", "address", "bytes32", "bytes32"],
            [0, deps, supplier, b"FIRE".ljust(32, b"\0"), bytes(32)],
        ),
        "process(DisruptionLogic.State storage,DisruptionLogic.Deps,address)": (
            ["uint256", "(address,address,address,address)", "address"],
            [0, deps, supplier],
        ),
        "recover(DisruptionLogic.State storage,DisruptionLogic.Deps,address)": (
            ["uint256", "(address,address,address,address)", "address"],
            [0, deps, supplier],
        ),
    }
    for signature, (types, values) in calls.items():
        selector = keccak(text=signature)[:4]
        assert selector.hex() in code.hex()  # the real entry points of the library
        tx = {"from": world.a("stranger"), "to": lib, "data": selector + encode(types, values)}
        with pytest.raises(Exception):  # noqa: B017 - a bare revert, no error data
            session.w3.eth.call(tx)
    assert world.litho.registry.supplier("resist_a").status == "Active"
    assert world.financing.order(order).status == "Open"
    assert world.pool.status().outstanding_principal == 0


# set-off ----------------------------------------------------------------------------------


def test_set_off_never_crosses_projects_or_debtors(world: World) -> None:
    """Attack: make a recovery owed by sub_hi to LITHO-14 eat into another payee's
    settlement, or into sub_hi's settlement on another project. Defence: recoveries are
    keyed (project, debtor) and payReservation sets off only the payee's own debt to the
    order's own project."""
    ledger, token = world.litho.ledger, world.litho.token
    _, owed = defaulted(world)
    # another payee of the same project is paid in full
    mid = world.order(value=1_000_000_00, supplier="sub_mid")
    world.deliver(mid)
    before = token.balance_of("sub_mid")
    assert world.financing.settle_order(mid).set_off == 0
    assert token.balance_of("sub_mid") == before + 1_000_000_00
    # sub_hi on another project is paid in full too
    ledger.create_project(
        {
            "id": "ETCH-7",
            "owner": "chipco",
            "budget": {"MATERIALS": "5000000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "5000000.00"}],
        }
    )
    ledger.fund("ETCH-7", 5_000_000_00, funder="gov_fund")
    ledger.approve_milestone("ETCH-7", 0, "ok")
    other = world.order(value=1_000_000_00, supplier="sub_hi", project="ETCH-7")
    world.deliver(other)
    before = token.balance_of("sub_hi")
    assert world.financing.settle_order(other).set_off == 0
    assert token.balance_of("sub_hi") == before + 1_000_000_00
    assert ledger.recovery_owed("LITHO-14", "sub_hi") == owed
    ledger_books_match(world)


def test_the_pool_is_paid_before_any_set_off_and_the_books_hold(world: World) -> None:
    """Attack (depositors' side): a debtor substitute wins a new financed order of the same
    project; hope the set-off of its old recovery eats the reservation before the pool is
    repaid. Defence: settleOrder repays the pool from the reservation first; payReservation
    (and its set-off) only sees the rest. The ledger's tokens equal its books, the audit is
    clean, and the project then closes and its funder claims every unit left."""
    ledger, token = world.litho.ledger, world.litho.token
    world.litho.registry.qualify(PART, "30d", supplier="resist_b")  # a second substitute
    world.litho.registry.rate("resist_b", 950)
    _, owed = defaulted(world)  # resist_b (950) was chosen: the debtor is resist_b
    owed = ledger.recovery_owed("LITHO-14", "resist_b")
    assert owed > 0
    # resist_a recovers and takes a new order; disrupted again, resist_b is chosen again
    world.financing.report_recovery("resist_a")
    order = world.order(value=3_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.outcomes[0].substitute == world.a("resist_b")
    world.session.advance_time(10 * DAY)
    world.deliver(order)
    settlement = world.financing.settle_order(order)
    facility = world.financing.facility(report.outcomes[0].facility)
    assert facility.status == "Repaid"
    assert settlement.to_pool > report.outcomes[0].advance  # principal and interest
    assert settlement.set_off == min(owed, 3_000_000_00 - settlement.to_pool)
    assert world.pool.status().outstanding_principal == 0
    ledger_books_match(world)
    ledger.close("LITHO-14")
    ledger.claim("LITHO-14", funder="gov_fund")
    assert token.balance_of(ledger.address) == ledger.project("LITHO-14").balance <= 1


def test_a_tampered_set_off_is_caught_by_the_audit() -> None:
    """Attack on the audit: a set-off that keeps money without repaying the recovery
    (RecoverySetOff with no RecoveryRepaid), or a set-off against a payee that was not
    Active. Defence: conservation (events vs the ledger's balance) and the eligible-payee
    replay both fail."""
    chain = good()
    chain.add(
        "RecoverySetOff",
        project=b32("LITHO-14"),
        debtor=SUB,
        ref=1,
        amount=50,
        category=b32("MATERIALS"),
        milestone=0,
    )
    books = build_books(chain.rows, ADDRESSES)
    # the ledger (truth) kept the 0.50 and recorded it as recovered: balance unchanged
    assert not check_conservation(books, {"LITHO-14": 700}).ok
    checks = {c.name: c for c in check_rules(chain.rows, ADDRESSES)}
    assert not checks["eligible payees"].ok  # SUB was never Active in these events


# the pool's depositors ------------------------------------------------------------------


def test_timing_a_deposit_around_a_set_off_or_a_close_undelivered_moves_no_value(
    world: World,
) -> None:
    """Attack: a depositor enters just before a close-undelivered (which collects the
    facility from the reservation) and just before a settlement with a set-off, and leaves
    just after, hoping to capture a jump in the share price. Defence: a collection swaps what
    is owed for cash one for one (the facility stopped accruing at its stop), and a set-off
    never touches the pool: the depositor gets back what it put in, within a unit."""
    token = world.litho.token
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(155 * DAY)  # past the stop, nothing collected yet
    token.mint("stranger", 5_000_000_00)
    world.pool.deposit(5_000_000_00, by="stranger")
    before = world.total_assets()
    world.financing.close_undelivered(order)
    assert 0 <= world.total_assets() - before <= 1  # past the stop nothing accrues
    world.pool.withdraw(world.pool.assets_of("stranger"), by="stranger")
    assert 4_999_999_99 <= token.balance_of("stranger") <= 5_000_000_01
    # a settlement with a set-off
    again = world.order(value=3_000_000_00, supplier="sub_hi")
    world.deliver(again)
    start = token.balance_of("stranger")
    world.pool.deposit(start, by="stranger")
    assert world.financing.settle_order(again).set_off > 0
    world.pool.withdraw(world.pool.assets_of("stranger"), by="stranger")
    assert start - 1 <= token.balance_of("stranger") <= start + 1


# the project owner and the reservation -----------------------------------------------------


def test_an_owner_cannot_make_a_facility_owe_more_than_its_reservation(world: World) -> None:
    """Attack (owner, substitute): make the facility outgrow the reservation — a long quoted
    lead time at a high rate, then try to cancel the financed order, reallocate the reserved
    line away, or spend the reserved cash. Defence: the advance is lowered until what it
    owes at its stop fits the order value; interest stops at the stop; a financed order
    cannot be cancelled; reserved money is outside every line, tranche and free balance.
    A year after the stop the pool still collects in full, from the reservation alone."""
    registry, ledger = world.litho.registry, world.litho.ledger
    world.policy(margin_bps=4000)  # 44 % a year: version 2
    registry.qualify(PART, "365d", supplier="sub_hi")  # re-confirms version 2, 365 days
    registry.withdraw_qualification(PART, supplier="sub_mid")
    registry.withdraw_qualification(PART, supplier="sub_lo")
    order = world.order()
    report = world.financing.report_disruption("resist_a", "FIRE")
    (financed,) = events(
        world.session, report.tx_hash, world.financing.contract, "SubstituteFinanced"
    )
    assert financed["lowered"] and financed["amount"] < 2_400_000_00
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.cancel_order(order)
    assert excinfo.value.error_name == "FinancingOrderStatus"
    _, proposal = ledger.propose_reallocation("LITHO-14", "MATERIALS", "EQUIPMENT", 12_000_000_00)
    with pytest.raises(ContractRevert) as excinfo:
        ledger.approve_reallocation("LITHO-14", proposal)
    assert excinfo.value.error_name == "LedgerBudgetExceeded"
    with pytest.raises(ContractRevert) as excinfo:
        world.litho.pay(5_000_000_01, to="resist_b")  # tranche 0: 8M, 3M of it reserved
    assert excinfo.value.error_name == "LedgerTrancheExhausted"
    stop = int(world.financing.facility(1).stop.timestamp())
    world.session.advance_time(stop - world.session.latest_timestamp() + YEAR)
    record = world.financing.facility(1)
    assert record.owed_principal + record.owed_interest <= 3_000_000_00
    world.financing.close_undelivered(order)
    assert world.financing.facility(1).status == "Repaid"
    assert world.pool.status().outstanding_principal == 0
    ledger_books_match(world)


def test_nothing_an_owner_registers_makes_a_report_revert(world: World) -> None:
    """Attack (owner): register orders that trip every refusal — pending (not yet approved),
    on an unapproved milestone, too small for an advance, already overdue — next to a normal
    one, hoping the oracle's report reverts and the supplier is never disrupted. Defence:
    each odd order gets its SubstituteUnavailable reason and the normal one is financed."""
    pending = world.order(value=2_500_000_00, approve=False)
    unapproved = world.order(value=500_000_00, category="EQUIPMENT", milestone=1)
    tiny = world.order(value=1_00)
    overdue = world.order(value=500_000_00, due="1d")
    normal = world.order(value=1_000_000_00)
    world.session.advance_time(2 * DAY)
    report = world.financing.report_disruption("resist_a", "FIRE")
    outcomes = {o.order: (o.financed, o.reason) for o in report.outcomes}
    assert outcomes == {
        pending: (False, "ORDER_NOT_APPROVED"),
        unapproved: (False, "MILESTONE_NOT_APPROVED"),
        tiny: (False, "TOO_SMALL"),
        overdue: (True, None),
        normal: (True, None),
    }


# terms and opt-ins -----------------------------------------------------------------------


def test_no_financing_without_a_current_opt_in(world: World) -> None:
    """Attack (substitute, registrar slip): be financed without standing consent — after
    being suspended and reinstated, after being unqualified, after withdrawing. Defence:
    suspension, unqualify and withdrawal delete the opt-in; only a new `qualify` (accepting
    the terms then in force) puts the substitute back on the list."""
    registry = world.litho.registry
    registry.suspend("sub_hi")
    registry.reinstate("sub_hi")
    registry.unqualify(PART, "sub_mid")
    registry.withdraw_qualification(PART, supplier="sub_lo")
    world.order()
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.financed, o.reason) for o in report.outcomes] == [(False, "NO_SUBSTITUTE")]
    world.policy(margin_bps=200)  # new terms: version 2
    registry.qualify(PART, "30d", supplier="sub_lo")
    later = world.financing.process_disruption("resist_a")
    assert [(o.substitute, o.rate_bps) for o in later.outcomes] == [(world.a("sub_lo"), 600)]
    assert world.financing.facility(1).terms_version == 2
    assert run_audit(world.session).clean


def test_re_confirming_while_financed_changes_no_open_facility(world: World) -> None:
    """Attack (substitute): once financed, re-qualify with a shorter lead time after new,
    cheaper terms are published, hoping the open facility's rate, due date or stop follow.
    Defence: a facility stores its own terms at opening; opt-ins only steer future
    choices."""
    world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    before = world.financing.facility(1)
    world.policy(base_rate_bps=100, margin_bps=0, payment_lag_days=0, grace_days=1)
    world.litho.registry.qualify(PART, "1d", supplier="sub_hi")
    after = world.financing.facility(1)
    assert (after.rate_bps, after.due, after.stop, after.terms_version) == (
        before.rate_bps,
        before.due,
        before.stop,
        1,
    )
    assert after.rate_bps == 500
    assert run_audit(world.session).clean


# caps -------------------------------------------------------------------------------------


def test_splitting_or_re_registering_orders_gives_no_window_room(world: World) -> None:
    """Attack (owner): split one order into several small ones, or cancel a capped order
    and register it again, hoping for fresh window room. Defence: the window sums every
    advance against the supplier's disruptions for 30 days, whatever the orders; a Disrupted
    supplier takes no new order, and recovering gives no new room."""
    world.policy(window_cap_bps=3000)  # 3,000,000.00
    for _ in range(4):
        world.order(value=1_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    capped = [o for o in report.outcomes if not o.financed]
    assert [o.reason for o in capped] == ["WINDOW_CAP"] and len(report.outcomes) == 4
    world.financing.cancel_order(capped[0].order)
    with pytest.raises(ContractRevert) as excinfo:
        world.order(value=1_000_000_00)
    assert excinfo.value.error_name == "FinancingSupplierNotEligible"
    world.financing.report_recovery("resist_a")
    again = world.order(value=1_000_000_00)
    cycled = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.reason) for o in cycled.outcomes] == [(again, "WINDOW_CAP")]
    assert world.pool.status().outstanding_principal == 2_400_000_00


def test_strangers_cannot_collect_early_or_close_and_their_repayment_moves_no_value(
    world: World,
) -> None:
    """Attack (stranger): pull a facility's collection forward while the substitute is
    Active, close an order undelivered, or repay a facility to move the share price.
    Defence: collection waits for the due date unless the substitute is no longer Active;
    closing is the reviewer's; a repayment swaps what is owed for cash one for one."""
    world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    due = int(world.financing.facility(1).due.timestamp())
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.collect_facility(1, sender="stranger")
    assert_revert(excinfo, "FinancingNotCollectable", facility=1, due=due)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.close_undelivered(1, sender="stranger")
    assert_revert(excinfo, "FinancingNotReviewer", account=world.a("stranger"))
    world.session.advance_time(40 * DAY)
    world.litho.token.mint("stranger", 3_000_000_00)
    before = world.total_assets()
    world.financing.repay(1, 3_000_000_00, by="stranger")
    assert 0 <= world.total_assets() - before <= 1 + 2_400_000_00 * 500 * 15 // (YEAR * 10_000)
    assert world.financing.facility(1).status == "Repaid"
    assert run_audit(world.session).clean


def test_the_audit_stays_clean_with_old_terms_and_set_off_together(session: Session) -> None:
    """Attempt to make the audit misjudge a mix: a facility under a replaced terms version
    (inside its notice period), a close-undelivered, and a settlement set off against the
    recovery. Defence: the audit judges each facility by the version it recorded and books a
    set-off as spent and recovered at once; it is clean, and the ledger's tokens match."""
    world = setup_world(session)
    world.policy(margin_bps=300)  # version 2; every opt-in is still version 1
    _, owed = defaulted(world)
    assert world.financing.facility(1).terms_version == 1
    order = world.order(value=1_000_000_00, supplier="sub_hi")
    world.deliver(order)
    assert world.financing.settle_order(order).set_off == 1_000_000_00
    ledger_books_match(world)
    assert world.litho.ledger.recovery_owed("LITHO-14", "sub_hi") == owed - 1_000_000_00
