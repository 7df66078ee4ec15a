"""Shared fixtures: one deployed embedded chain per test session, isolated per test by
snapshot and revert; helpers to assert exact events and custom errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3.logs import DISCARD

from chain_client.config import Settings
from chain_client.deploy import deploy
from chain_client.errors import ContractRevert
from chain_client.session import Session, open_session


@pytest.fixture(scope="session")
def deployed_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with scf deployed on its embedded chain (made once per test run)."""
    path = tmp_path_factory.mktemp("deployed") / "ws"
    with open_session(Settings(workspace=path), writable=True) as session:
        deploy(session)
    return path


@pytest.fixture(scope="session")
def _shared_session(deployed_workspace: Path) -> Iterator[Session]:
    with open_session(Settings(workspace=deployed_workspace), writable=True) as session:
        yield session


@pytest.fixture
def session(_shared_session: Session) -> Iterator[Session]:
    """The deployed session; every chain and alias change is undone after the test."""
    tester = _shared_session.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    snapshot = tester.take_snapshot()
    aliases = _shared_session.workspace.get("aliases", {})
    yield _shared_session
    tester.revert_to_snapshot(snapshot)
    _shared_session.workspace.put("aliases", aliases)


def events(
    session: Session, receipt_or_hash: Any, contract: Any, name: str
) -> list[dict[str, Any]]:
    """The decoded `name` events a transaction emitted from `contract`, as plain dicts."""
    receipt = (
        receipt_or_hash
        if not isinstance(receipt_or_hash, str | bytes)
        else session.w3.eth.get_transaction_receipt(receipt_or_hash)
    )
    decoded = getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return [dict(e["args"]) for e in decoded]


def all_event_names(session: Session, tx_hash: str, contracts: list[Any]) -> list[str]:
    """Names of every event of the transaction, in log order, across `contracts`."""
    receipt = session.w3.eth.get_transaction_receipt(tx_hash)
    by_address = {c.address: c for c in contracts}
    names = []
    for log in receipt["logs"]:
        contract = by_address[log["address"]]
        for event in contract.events:
            try:
                decoded = event.process_log(log)
            except Exception:  # noqa: BLE001 - not this event's topic
                continue
            names.append(decoded["event"])
            break
    return names


def assert_revert(
    excinfo: pytest.ExceptionInfo[ContractRevert], name: str, **arguments: Any
) -> None:
    """The revert is exactly the custom error `name` with exactly these arguments."""
    error = excinfo.value
    assert error.error_name == name, f"expected {name}, got {error.error_name}: {error}"
    assert error.arguments == arguments
