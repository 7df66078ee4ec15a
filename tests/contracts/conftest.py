"""Fixtures of the contract tests."""

from __future__ import annotations

import pytest

from chain_client.session import Session
from tests.contracts.ledger_fixtures import Litho, setup_litho


@pytest.fixture
def litho(session: Session) -> Litho:
    """LITHO-14 created, funded with 21,000,000.00 by gov_fund, milestone 0 approved."""
    return setup_litho(session)
