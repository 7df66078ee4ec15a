"""While the ledger is paused no money leaves it by any path, and a depositor's exit is
limited to the pool's idle cash."""

from __future__ import annotations

import pytest

from chain_client.errors import ContractRevert, InputError
from chain_client.projects import PaymentSpec
from tests.conftest import assert_revert
from tests.contracts.financing_fixtures import World


def snapshot(world: World) -> tuple[object, ...]:
    token = world.litho.token
    return (
        world.litho.ledger.project("LITHO-14"),
        token.balance_of(world.litho.ledger.address),
        token.balance_of("resist_a"),
        token.balance_of("gov_fund"),
        world.financing.counts(),
    )


def test_every_path_out_of_the_ledger_is_shut_while_paused(world: World) -> None:
    ledger, financing = world.litho.ledger, world.financing
    delivered = world.order(value=1_000_000_00)
    world.deliver(delivered)
    ledger.pause()
    before = snapshot(world)
    payment = PaymentSpec(to="resist_a", amount="1.00", category="MATERIALS", milestone=0)
    attempts = {
        "disburse": lambda: ledger.disburse("LITHO-14", payment),
        "disburseBatch": lambda: ledger.disburse_batch("LITHO-14", [payment]),
        "fund": lambda: ledger.fund("LITHO-14", 1_00, funder="gov_fund"),
        # reserve, inside registering an order
        "registerOrder": lambda: world.order(value=1_000_00),
        # payReservation, inside settling a delivered order
        "settleOrder": lambda: financing.settle_order(delivered, sender="stranger"),
    }
    refused = {}
    for name, attempt in attempts.items():
        with pytest.raises(ContractRevert) as excinfo:
            attempt()
        assert_revert(excinfo, "EnforcedPause")
        refused[name] = excinfo.value.error_name
    assert len(refused) == len(attempts)
    # a payments file is tried before sending: refused with nothing sent
    with pytest.raises(InputError) as refusal:
        ledger.pay_file("LITHO-14", [payment])
    assert str(refusal.value) == (
        "chunk 1 of 1 (payments 1-1) would be refused: payments are paused by the admin (the "
        "admin runs `scf unpause`); nothing was sent"
    )
    assert snapshot(world) == before


def test_a_funder_cannot_claim_while_paused(world: World) -> None:
    ledger = world.litho.ledger
    ledger.close("LITHO-14")
    ledger.pause()
    with pytest.raises(ContractRevert) as excinfo:
        ledger.claim("LITHO-14", funder="gov_fund")
    assert_revert(excinfo, "EnforcedPause")
    ledger.unpause()
    ledger.claim("LITHO-14", funder="gov_fund")
    assert ledger.claimable("LITHO-14", "gov_fund") == 0


def test_a_depositor_redeems_only_against_idle_cash(world: World) -> None:
    order = world.order(value=3_000_000_00)
    world.financing.report_disruption("resist_a", "FIRE")
    assert world.financing.order(order).status == "Financed"
    status = world.pool.status()
    pool = world.pool.contract.functions
    bank = world.a("bank")
    shares = world.pool.shares_of("bank")
    idle_shares = int(pool.convertToShares(status.idle).call())
    assert int(pool.maxRedeem(bank).call()) == idle_shares < shares
    with pytest.raises(ContractRevert) as excinfo:
        world.session.transact(pool.redeem(shares, bank, bank), "bank")
    assert_revert(excinfo, "ERC4626ExceededMaxRedeem", owner=bank, shares=shares, max=idle_shares)
    world.session.transact(pool.redeem(idle_shares, bank, bank), "bank")
    assert world.pool.status().idle <= 1  # what rounding leaves
