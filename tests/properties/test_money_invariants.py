"""Money invariants under random sequences of ledger, order and pool actions (Hypothesis).

Whatever the sequence — funding, payments, orders reserved and cancelled or settled,
disruptions, repayments, time passing — after every step:

- the ledger holds exactly the sum of its project's balance (tokens are conserved);
- no budget line has spent + reserved above its cap, no milestone above its tranche;
- the free balance (balance − reserved) is never negative;
- the pool's idle cash is what it holds, and its assets are idle cash plus facility value;
- the audit rebuilt from events agrees with all of it.

The default run is short; `pytest -m slow tests/properties` runs a longer one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert
from chain_client.session import Session
from tests.contracts.financing_fixtures import World, setup_world

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
    "FinancingSupplierStatus",
    "ERC20InsufficientBalance",
}
amounts = st.integers(min_value=1, max_value=3_000_000_00)


def machine_for(world: World) -> type[RuleBasedStateMachine]:
    tester = world.session.w3.provider.ethereum_tester  # type: ignore[attr-defined]

    class Money(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = tester.take_snapshot()
            self.orders: list[int] = []

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
            world.litho.ledger.fund("LITHO-14", amount, funder="gov_fund")

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
        )
        def register_order(self, value: int, category: str, milestone: int) -> None:
            def register() -> None:
                self.orders.append(world.order(value=value, category=category, milestone=milestone))

            self.attempt(register)

        @rule(data=st.data())
        def cancel_or_settle(self, data: st.DataObject) -> None:
            if not self.orders:
                return
            order = data.draw(st.sampled_from(self.orders))
            settle = data.draw(st.booleans())
            f = world.financing
            self.attempt(lambda: f.settle_order(order) if settle else f.cancel_order(order))

        @rule()
        def disrupt_or_recover(self) -> None:
            registry = world.litho.registry
            if registry.supplier("resist_a").status == "Active":
                self.attempt(lambda: world.financing.report_disruption("resist_a", "FIRE"))
            else:
                world.financing.report_recovery("resist_a")

        @rule(days=st.integers(min_value=1, max_value=120))
        def time_passes(self, days: int) -> None:
            world.session.advance_time(days * 86_400)

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

    return Money


def _run(session: Session, examples: int, steps: int) -> None:
    world = setup_world(session)
    world.litho.ledger.approve_milestone("LITHO-14", 1)
    machine = machine_for(world)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_money_invariants_hold_under_random_actions(session: Session) -> None:
    _run(session, examples=6, steps=12)


@pytest.mark.slow
def test_money_invariants_hold_under_many_random_actions(session: Session) -> None:
    _run(session, examples=40, steps=30)
