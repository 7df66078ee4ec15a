"""SettlementToken: 2 decimals, minting gated by the minter role, two-step admin."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.contracts import Token
from chain_client.errors import ContractRevert
from chain_client.session import Session
from tests.conftest import assert_revert, events

MINTER = keccak(text="MINTER_ROLE")


def test_token_has_two_decimals_and_its_symbol(session: Session) -> None:
    token = Token(session)
    assert token.contract.functions.decimals().call() == 2
    assert token.symbol() == "SCF"


def test_mint_by_minter_credits_the_holder_and_emits_transfer(session: Session) -> None:
    token = Token(session)
    holder = session.accounts.test_accounts[7]
    result = token.mint(holder, 1_250_000_00)
    assert token.balance_of(holder) == 1_250_000_00
    assert events(session, result.tx_hash, token.contract, "Transfer") == [
        {"from": "0x" + "00" * 20, "to": holder, "value": 1_250_000_00}
    ]


def test_mint_reverts_for_an_account_without_the_minter_role(session: Session) -> None:
    token = Token(session)
    with pytest.raises(ContractRevert) as excinfo:
        token.mint("oracle", 100, sender="oracle")
    assert_revert(
        excinfo,
        "AccessControlUnauthorizedAccount",
        account=session.accounts.resolve("oracle"),
        neededRole=MINTER,
    )
    assert "oracle does not hold the minter role" in str(excinfo.value)
    assert token.balance_of("oracle") == 0


def test_admin_role_cannot_be_granted_in_one_step(session: Session) -> None:
    token = Token(session)
    fn = token.contract.functions.grantRole(b"\x00" * 32, session.accounts.resolve("reviewer"))
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(fn, "admin")
    assert_revert(excinfo, "AccessControlEnforcedDefaultAdminRules")
    deployment = session.deployment()
    assert token.contract.functions.defaultAdminDelay().call() == deployment.admin_delay
    assert token.contract.functions.defaultAdmin().call() == session.accounts.resolve("admin")
