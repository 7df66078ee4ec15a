"""Money invariants under random sequences of ledger, order and pool actions (Hypothesis).

Whatever the sequence — funding, payments, orders reserved, approved or not, delivered,
accepted or rejected, cancelled or settled, suppliers suspended and reinstated,
disruptions, repayments, time passing — after every step:

- every token leaving the ledger reaches a payee that was eligible for that payment at that
  block: an Active supplier or team wallet (as the ledger judged the block before), or the
  pool for exactly what it booked against a facility in the same transaction; and each such
  transfer is recorded by a `FundsDisbursed` of the same payee and amount;
- the ledger holds exactly the sum of its project's balance (tokens are conserved);
- no budget line has spent + reserved above its cap, no milestone above its tranche;
- the free balance (balance − reserved) is never negative;
- the pool's idle cash is what it holds, and its assets are idle cash plus facility value;
- the pool's share price never falls;
- every open facility's reservation covers what it would owe at its stop (due + grace);
- recoveries owed equal what the pool took on orders closed undelivered, less what was repaid;
- the audit rebuilt from events agrees with all of it.

Three profiles (`PROFILES` below): 300 steps in the default suite, 2,000 with `-m slow`,
20,000 with `-m long` (outside CI).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from web3.logs import DISCARD

from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import events
from tests.contracts.financing_fixtures import PART, World, setup_world

EXPECTED_REVERTS = {
    "LedgerBudgetExceeded",
    "LedgerTrancheExhausted",
    "LedgerInsufficientBalance",
    "LedgerMilestoneNotApproved",
    "LedgerPaymentNotApproved",
    "LedgerPayeeNotEligible",
    "RegistryCapacityExceeded",
    "FinancingSupplierNotEligible",
    "FinancingOrderStatus",
    "FinancingOrderPending",
    "FinancingDeliveryNotAccepted",
    "FinancingAcceptancePeriodOver",
    "FinancingPayeeNotEligible",
    "FinancingSupplierStatus",
    "FinancingNotCollectable",
    "FinancingGraceNotOver",
    "FinancingFacilityStatus",
    "FinancingNotOrderSupplier",
    "FinancingSupplierSuspended",
    "EnforcedPause",
    "ERC20InsufficientBalance",
}
amounts = st.integers(min_value=1, max_value=3_000_000_00)


def payments_out_of_the_ledger(world: World, receipt: Any) -> list[str]:
    """Each token transfer out of the ledger in `receipt` that did not reach an eligible payee
    (or is not recorded by a `FundsDisbursed` of the same payee and amount), described."""
    ledger, pool = world.litho.ledger, world.pool
    transfers = world.litho.token.contract.events.Transfer().process_receipt(
        receipt, errors=DISCARD
    )
    disbursed = [
        e["args"]
        for e in ledger.contract.events.FundsDisbursed().process_receipt(receipt, errors=DISCARD)
    ]
    booked = [
        int(e["args"]["amount"])
        for e in pool.contract.events.FacilityCollected().process_receipt(receipt, errors=DISCARD)
    ]
    block = int(receipt["blockNumber"])
    wrong = []
    for t in transfers:
        a = t["args"]
        if a["from"] != ledger.address:
            continue
        record = next(
            (d for d in disbursed if d["to"] == a["to"] and d["amount"] == a["value"]), None
        )
        if record is None:
            wrong.append(f"block {block}: {a['value']} to {a['to']} with no FundsDisbursed")
            continue
        if a["to"] == pool.address:
            if a["value"] not in booked:
                wrong.append(f"block {block}: the pool got {a['value']} it booked on no facility")
            else:
                booked.remove(a["value"])
            continue
        eligible = ledger.contract.functions.isEligiblePayee(record["project"], a["to"]).call(
            block_identifier=block - 1
        )
        if not eligible:
            wrong.append(f"block {block}: {a['value']} to {a['to']}, not eligible then")
    return wrong


def uncovered_facilities(world: World) -> list[str]:
    """Each open facility whose order's reservation would not cover what it owes at its stop
    (what it owes now plus the interest still to run, rounded up), described."""
    now = int(world.session.w3.eth.get_block("latest")["timestamp"])
    wrong = []
    for f in world.financing.facilities():
        if f.status != "Active":
            continue
        order = world.financing.order(f.order)
        left = world.litho.ledger.contract.functions.reservationLeft(
            to_bytes32(order.project), f.order
        ).call()
        to_run = max(0, int(f.stop.timestamp()) - now)
        at_stop = (
            f.owed_principal
            + f.owed_interest
            - (-f.owed_principal * f.rate_bps * to_run // (365 * 86_400 * 10_000))
        )
        if at_stop > left:
            wrong.append(
                f"facility {f.id} owes {at_stop} at its stop; order {f.order} holds {left}"
            )
    return wrong


def machine_for(world: World, steps: list[int]) -> type[RuleBasedStateMachine]:
    """The state machine over `world`; each step it takes is counted in `steps`."""
    tester = world.session.w3.provider.ethereum_tester  # type: ignore[attr-defined]

    class Money(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = tester.take_snapshot()
            self.orders: list[int] = []
            self.checked = len(world.session.journal)
            self.price = world.pool.share_price()
            self.recoveries = 0  # what closed-undelivered orders left owed, less repayments
            self.started = False

        def teardown(self) -> None:
            # the audit rebuilt from events agrees; then the chain goes back, which the
            # audit's cursor cache must treat as a reorganisation on the next run
            report = run_audit(world.session)
            assert report.clean, [c.detail for c in report.checks if not c.ok]
            tester.revert_to_snapshot(self.snapshot)

        def attempt(self, action: Any) -> None:
            try:
                action()
            except ContractRevert as exc:
                assert exc.error_name in EXPECTED_REVERTS, str(exc)

        @rule(amount=amounts)
        def fund(self, amount: int) -> None:
            world.litho.token.mint("gov_fund", amount)
            self.attempt(lambda: world.litho.ledger.fund("LITHO-14", amount, funder="gov_fund"))

        @rule(
            amount=amounts,
            payee=st.sampled_from(["resist_a", "resist_b", "sub_hi"]),
            category=st.sampled_from(["MATERIALS", "EQUIPMENT"]),
            milestone=st.sampled_from([0, 1]),
        )
        def disburse(self, amount: int, payee: str, category: str, milestone: int) -> None:
            self.attempt(
                lambda: world.litho.ledger.disburse(
                    "LITHO-14",
                    {"to": payee, "amount": amount, "category": category, "milestone": milestone},
                )
            )

        @rule(
            value=amounts,
            category=st.sampled_from(["MATERIALS", "EQUIPMENT"]),
            milestone=st.sampled_from([0, 1]),
            due=st.sampled_from(["20d", "90d", "1000d"]),
        )
        def register_order(self, value: int, category: str, milestone: int, due: str) -> None:
            def register() -> None:
                self.orders.append(
                    world.order(
                        value=value, category=category, milestone=milestone, due=due, approve=False
                    )
                )

            self.attempt(register)

        @rule(data=st.data())
        def act_on_an_order(self, data: st.DataObject) -> None:
            if not self.orders:
                return
            order = data.draw(st.sampled_from(self.orders))
            f = world.financing
            action = data.draw(
                st.sampled_from(["approve", "deliver", "accept", "reject", "settle", "cancel"])
            )
            self.attempt(
                {
                    "approve": lambda: f.approve_order(order),
                    "deliver": lambda: f.record_delivery(order, "note"),
                    "accept": lambda: f.accept_delivery(order),
                    "reject": lambda: f.reject_delivery(order, "short"),
                    "settle": lambda: self.settle(order),
                    "cancel": lambda: f.cancel_order(order),
                }[action]
            )

        def settle(self, order: int) -> None:
            settled = world.financing.settle_order(order, sender="stranger")
            self.recoveries -= settled.set_off  # a recovery repaid out of the payment

        @rule(
            substitute=st.sampled_from(["sub_hi", "sub_mid", "sub_lo"]),
            lead=st.sampled_from(["10d", "60d", "400d"]),
        )
        def substitute_opts_in_again(self, substitute: str, lead: str) -> None:
            # re-confirms the current terms (or rejoins after a suspension); 400 days is
            # beyond the policy's limit and refused
            def qualify() -> None:
                world.litho.registry.qualify(PART, lead, supplier=substitute)

            try:
                qualify()
            except ContractRevert as exc:
                assert exc.error_name in {"RegistryLeadTimeOutOfRange", "RegistryStatusInvalid"}

        @rule(supplier=st.sampled_from(["resist_a", "resist_b", "sub_hi", "sub_mid"]))
        def suspend_or_reinstate(self, supplier: str) -> None:
            registry = world.litho.registry
            status = registry.supplier(supplier).status
            if status == "Active":
                registry.suspend(supplier)
            elif status == "Suspended":
                registry.reinstate(supplier)

        @rule()
        def disrupt_or_recover(self) -> None:
            registry = world.litho.registry
            if registry.supplier("resist_a").status == "Active":
                self.attempt(lambda: world.financing.report_disruption("resist_a", "FIRE"))
            else:
                self.attempt(lambda: world.financing.report_recovery("resist_a"))

        @rule(days=st.integers(min_value=1, max_value=120))
        def time_passes(self, days: int) -> None:
            world.session.advance_time(days * 86_400)

        @rule(data=st.data())
        def collect_or_close_undelivered(self, data: st.DataObject) -> None:
            facilities = world.financing.counts()[1]
            if not facilities:
                return
            facility = world.financing.facility(data.draw(st.integers(1, facilities)))
            if data.draw(st.booleans()):
                self.attempt(
                    lambda: world.financing.collect_facility(facility.id, sender="stranger")
                )
                return

            def close() -> None:
                result = world.financing.close_undelivered(facility.order)
                (closed,) = events(
                    world.session,
                    result.tx_hash,
                    world.financing.contract,
                    "OrderClosedUndelivered",
                )
                self.recoveries += int(closed["recovery"])

            self.attempt(close)

        @rule(
            debtor=st.sampled_from(["sub_hi", "sub_mid", "sub_lo"]),
            amount=st.integers(min_value=1, max_value=3_000_000_00),
        )
        def repay_recovery(self, debtor: str, amount: int) -> None:
            owed = world.litho.ledger.recovery_owed("LITHO-14", debtor)
            if owed == 0:
                return
            world.litho.token.mint(debtor, amount)
            _, repaid = world.litho.ledger.repay_recovery("LITHO-14", debtor, amount, by=debtor)
            self.recoveries -= repaid

        @rule(base=st.sampled_from([400, 2000]))
        def rates_change(self, base: int) -> None:
            world.policy(base_rate_bps=base)  # existing facilities keep their terms

        @rule()
        def pause_or_unpause(self) -> None:
            ledger = world.litho.ledger
            (ledger.unpause if ledger.paused() else ledger.pause)()

        @rule(amount=amounts)
        def bank_deposits_or_withdraws(self, amount: int) -> None:
            pool = world.pool
            if pool.assets_of("bank") > amount and pool.status().idle >= amount:
                pool.withdraw(amount, by="bank")
            else:
                world.litho.token.mint("bank", amount)
                pool.deposit(amount, by="bank")

        @invariant()
        def count_steps(self) -> None:
            # invariants run once after the machine starts, then after every step
            if self.started:
                steps.append(1)
            self.started = True

        @invariant()
        def money_leaves_the_ledger_only_to_eligible_payees(self) -> None:
            journal = world.session.journal
            wrong = [
                w for r in journal[self.checked :] for w in payments_out_of_the_ledger(world, r)
            ]
            self.checked = len(journal)
            assert wrong == []

        @invariant()
        def books_hold(self) -> None:
            ledger, token, pool = world.litho.ledger, world.litho.token, world.pool
            project = ledger.project("LITHO-14")
            assert token.balance_of(ledger.address) == project.balance
            assert project.free >= 0
            for line in project.lines:
                assert line.spent + line.reserved <= line.cap
            for m in project.milestones:
                assert m.spent + m.reserved <= m.tranche
            status = pool.status()
            assert token.balance_of(pool.address) == status.idle
            assert status.total_assets >= status.idle
            assert token.balance_of(world.financing.address) == 0

        @invariant()
        def the_share_price_never_falls(self) -> None:
            price = world.pool.share_price()
            assert price >= self.price, (price, self.price)
            self.price = price

        @invariant()
        def every_facility_is_covered_by_its_reservation(self) -> None:
            assert uncovered_facilities(world) == []

        @invariant()
        def recoveries_match_what_the_pool_took(self) -> None:
            owed = sum(
                world.litho.ledger.recovery_owed("LITHO-14", who)
                for who in ("sub_hi", "sub_mid", "sub_lo")
            )
            assert owed == self.recoveries

    return Money


def _run(session: Session, examples: int, steps: int) -> int:
    """Run the machine until at least examples x steps steps were taken (Hypothesis ends some
    sequences early); returns the steps taken."""
    world = setup_world(session)
    world.litho.ledger.approve_milestone("LITHO-14", 1)
    taken: list[int] = []
    machine = machine_for(world, taken)
    while len(taken) < examples * steps:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    print(f"{len(taken)} steps")
    return len(taken)


#: Profiles, by steps in all (examples x steps per example): the default suite, the slow
#: one (`scripts/test -m slow tests/properties`) and the long one, outside CI
#: (`scripts/test -m long tests/properties`).
PROFILES = {"default": (15, 20), "slow": (50, 40), "long": (200, 100)}


def test_money_invariants_hold_under_random_actions(session: Session) -> None:
    _run(session, *PROFILES["default"])


@pytest.mark.slow
def test_money_invariants_hold_under_many_random_actions(session: Session) -> None:
    _run(session, *PROFILES["slow"])


@pytest.mark.long
def test_money_invariants_hold_under_a_long_run(session: Session) -> None:
    _run(session, *PROFILES["long"])


def test_the_profiles_run_300_2000_and_20000_steps() -> None:
    assert {name: e * s for name, (e, s) in PROFILES.items()} == {
        "default": 300,
        "slow": 2000,
        "long": 20000,
    }


def test_the_eligible_payee_invariant_fails_on_payments_it_must_refuse(session: Session) -> None:
    world = setup_world(session)
    paid = world.litho.pay(1_000_00)
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.deliver(order)
    settled = world.financing.settle_order(order, sender="stranger")
    w3 = session.w3
    payment = dict(w3.eth.get_transaction_receipt(paid.tx_hash))
    settlement = dict(w3.eth.get_transaction_receipt(settled.tx_hash))
    assert payments_out_of_the_ledger(world, payment) == []
    assert payments_out_of_the_ledger(world, settlement) == []
    # the same payment judged at the block that registered resist_a (eligible only after it)
    registered = world.litho.registry.contract.events.SupplierRegistered()
    registration = next(
        r
        for r in reversed(session.journal)
        if any(
            e["args"]["supplier"] == world.a("resist_a")
            for e in registered.process_receipt(r, errors=DISCARD)
        )
    )
    block = int(registration["blockNumber"])
    payment["blockNumber"] = block
    assert payments_out_of_the_ledger(world, payment) == [
        f"block {block}: 100000 to {world.a('resist_a')}, not eligible then"
    ]
    # the pool paid with its booking against the facility taken away
    pool_topic = world.pool.contract.events.FacilityCollected().topic
    settlement["logs"] = [
        log
        for log in settlement["logs"]
        if bytes(log["topics"][0]) != bytes.fromhex(pool_topic[2:])
    ]
    (wrong,) = payments_out_of_the_ledger(world, settlement)
    assert wrong.endswith("it booked on no facility") and "the pool got" in wrong
    # a transfer out of the ledger with no FundsDisbursed beside it
    disbursed = world.litho.ledger.contract.events.FundsDisbursed().topic
    payment["blockNumber"] = paid.block
    payment["logs"] = [
        log for log in payment["logs"] if bytes(log["topics"][0]) != bytes.fromhex(disbursed[2:])
    ]
    assert payments_out_of_the_ledger(world, payment) == [
        f"block {paid.block}: 100000 to {world.a('resist_a')} with no FundsDisbursed"
    ]
