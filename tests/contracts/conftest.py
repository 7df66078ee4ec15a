"""Fixtures of the contract tests."""

from __future__ import annotations

import pytest

from chain_client.session import Session
from tests.contracts.financing_fixtures import World, setup_world
from tests.contracts.ledger_fixtures import Litho, setup_litho


@pytest.fixture
def litho(session: Session) -> Litho:
    """LITHO-14 created, funded with 21,000,000.00 by gov_fund, milestone 0 approved."""
    return setup_litho(session)


@pytest.fixture
def world(session: Session) -> World:
    """LITHO-14 funded; pool of 10,000,000.00 from bank; substitutes sub_hi (900),
    sub_mid (750), sub_lo (650) opted in for ARF_RESIST; resist_a (820) the usual supplier."""
    return setup_world(session)
