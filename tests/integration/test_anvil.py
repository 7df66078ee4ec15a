"""Against a real node: anvil from npm, started by the test itself."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from chain_client.chain.accounts import AliasTarget
from chain_client.chain.node import read_node, start_anvil, stop_anvil
from chain_client.config import Settings
from chain_client.contracts import Registry, Token
from chain_client.deploy import deploy
from chain_client.session import open_session
from tests.cli.conftest import scf_process

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    workspace = tmp_path / "ws"
    info = start_anvil(workspace, _free_port())
    yield workspace, info["url"]
    stop_anvil(workspace)


def test_deploy_and_a_locally_signed_transaction_from_a_key_the_node_lacks(
    anvil: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, url = anvil
    deployed = scf_process(workspace, "--chain", url, "deploy", "--json")
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["chain_id"] == 31337

    outsider = Account.create()
    settings = Settings(chain=url, workspace=workspace)
    with open_session(settings, writable=True) as session:
        assert outsider.address not in session.w3.eth.accounts
        assert len(session.w3.eth.accounts) == 50
        session.accounts.add("lab", AliasTarget(address=outsider.address))
        session.w3.eth.send_transaction(
            {"from": session.w3.eth.accounts[0], "to": outsider.address, "value": 10**18}
        )
        Registry(session).register("lab", "Lab", ["ARF_RESIST"], 1_000_00)
        Token(session).mint("lab", 500_00)

    monkeypatch.setenv("SCF_KEY_LAB", "0x" + bytes(outsider.key).hex())
    with open_session(settings, writable=True) as session:
        assert session.accounts.signer_for(outsider.address) is not None
        result = Registry(session).qualify("ARF_RESIST", "30d", supplier="lab")
        assert result.sender == outsider.address
        assert Registry(session).substitutes("ARF_RESIST") == [outsider.address]
        tx = session.w3.eth.get_transaction(result.tx_hash)
        assert tx["from"] == outsider.address
    transfer = scf_process(
        workspace,
        "--chain",
        url,
        "token",
        "transfer",
        "admin",
        "1.00",
        "--by",
        "lab",
        "--json",
        env={"SCF_KEY_LAB": "0x" + bytes(outsider.key).hex()},
    )
    assert transfer.returncode == 0, transfer.stderr
    assert json.loads(transfer.stdout)["sender"] == outsider.address
    balance = scf_process(workspace, "--chain", url, "token", "balance", "lab", "--json")
    assert json.loads(balance.stdout)["balance"] == "499.00"
    without_key = scf_process(
        workspace,
        "--chain",
        url,
        "token",
        "transfer",
        "admin",
        "1.00",
        "--by",
        "lab",
        env={"SCF_KEY_LAB": ""},
    )
    assert without_key.returncode == 1
    assert without_key.stderr.strip() == (
        f"error: no key to sign for lab ({outsider.address}): the chain does not hold it "
        "(set SCF_KEY_LAB or add a keystore with `scf accounts add`)"
    )


def test_the_node_keeps_its_state_across_restarts(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    port = _free_port()
    url = start_anvil(workspace, port)["url"]
    try:
        with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
            deploy(session)
            Token(session).mint("oracle", 42_00)
    finally:
        stop_anvil(workspace)
    assert read_node(workspace) is None
    url = start_anvil(workspace, port)["url"]
    try:
        with open_session(Settings(chain=url, workspace=workspace), writable=False) as session:
            assert Token(session).balance_of("oracle") == 42_00
    finally:
        stop_anvil(workspace)


def test_scf_node_start_status_stop(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    port = str(_free_port())
    started = scf_process(workspace, "node", "start", "--port", port, "--json")
    assert started.returncode == 0, started.stderr
    try:
        status = json.loads(scf_process(workspace, "node", "status", "--json").stdout)
        assert status["running"] is True and status["node"]["port"] == int(port)
        chain = scf_process(
            workspace, "--chain", status["node"]["url"], "chain", "status", "--json"
        )
        assert json.loads(chain.stdout)["chain_id"] == 31337
    finally:
        stopped = scf_process(workspace, "node", "stop", "--json")
    assert json.loads(stopped.stdout)["stopped"] is True
    assert json.loads(scf_process(workspace, "node", "status", "--json").stdout)["running"] is False
    assert os.path.exists(workspace / "anvil-state.json")


def test_an_example_gives_the_same_events_on_anvil_and_embedded(tmp_path: Path) -> None:
    example = str(Path(__file__).resolve().parents[2] / "examples" / "litho-export-control.yaml")
    embedded = scf_process(tmp_path / "emb", "scenario", "run", example, "--keep", "--json")
    assert embedded.returncode == 0, embedded.stderr
    workspace = tmp_path / "node"
    url = start_anvil(workspace, _free_port())["url"]
    try:
        on_node = scf_process(workspace, "--chain", url, "scenario", "run", example, "--json")
    finally:
        stop_anvil(workspace)
    assert on_node.returncode == 0, on_node.stderr
    node_run, embedded_run = json.loads(on_node.stdout), json.loads(embedded.stdout)
    assert node_run["chain_id"] == 31337 and embedded_run["chain_id"] != 31337
    events = [[s["events"] for s in run["steps"]] for run in (embedded_run, node_run)]
    assert events[0] == events[1]
    assert sum(len(step) for step in events[0]) == embedded_run["events"] == 53


def test_a_reorganised_chain_under_the_audit_cursor_is_read_again(tmp_path: Path) -> None:
    from chain_client.audit.collect import collect

    workspace = tmp_path / "ws"
    url = start_anvil(workspace, _free_port())["url"]
    try:
        with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
            deploy(session)
            token = Token(session)
            snapshot = session.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
            token.mint("oracle", 1_00)
            token.mint("oracle", 2_00)
            before = collect(session)
            minted_to = [r["args"]["to"] for r in before if r["event"] == "Transfer"]
            assert minted_to == [session.accounts.resolve("oracle")] * 2
            # the two blocks are replaced by others: same heights, new hashes
            session.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
            token.mint("reviewer", 3_00)
            token.mint("reviewer", 4_00)
            after = collect(session)
    finally:
        stop_anvil(workspace)
    transfers = [(r["args"]["to"], r["args"]["value"]) for r in after if r["event"] == "Transfer"]
    assert [value for _, value in transfers] == [3_00, 4_00]
    assert len(after) == len(before)


def test_reverts_on_a_node_decode_to_the_named_error(anvil: tuple[Path, str]) -> None:
    from chain_client.errors import ContractRevert

    workspace, url = anvil
    with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
        deploy(session)
        registry = Registry(session)
        registry.register("oracle", "Oracle Ltd", ["PART"], 1_00)
        with pytest.raises(ContractRevert) as excinfo:
            session.transact(
                registry.contract.functions.rate(session.accounts.resolve("oracle"), 1001), "rater"
            )
        assert (excinfo.value.error_name, excinfo.value.arguments) == (
            "RegistryScoreOutOfRange",
            {"score": 1001},
        )
        with pytest.raises(ContractRevert) as excinfo:
            registry.register("oracle", "Again", ["PART"], 1, sender="reviewer")
        assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
        assert str(excinfo.value).startswith("reviewer does not hold the registrar role")


def test_a_node_that_lost_the_deployment_is_refused_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    from chain_client.chain.node import ANVIL_STATE

    workspace = tmp_path / "ws"
    port = _free_port()
    url = start_anvil(workspace, port)["url"]
    try:
        deployed = scf_process(workspace, "--chain", url, "deploy", "--json")
        assert deployed.returncode == 0, deployed.stderr
    finally:
        stop_anvil(workspace)
    (workspace / ANVIL_STATE).unlink()  # restarted without its state: same chain id, no code
    url = start_anvil(workspace, port)["url"]
    try:
        for args in (["token", "mint", "admin", "5.00"], ["project", "list"], ["audit", "report"]):
            result = scf_process(workspace, "--chain", url, *args)
            assert result.returncode == 1, (args, result.stdout)
            lines = result.stderr.strip().splitlines()
            assert (
                len(lines) == 1
                and "does not hold the deployment this workspace recorded" in (lines[0])
            ), (args, result.stderr)
    finally:
        stop_anvil(workspace)


def test_a_node_that_goes_away_mid_run_names_the_last_step_that_landed_and_resumes(
    tmp_path: Path,
) -> None:
    """The node stops after step 16 (an order registered under a handle at step 14); once it
    is back from its state, the run resumes at step 17, finds the order on chain, and ends
    with the scenario's own audit clean."""
    from chain_client.scenario.model import load_scenario
    from chain_client.scenario.runner import Runner, ScenarioFailed

    workspace = tmp_path / "ws"
    port = _free_port()
    url = start_anvil(workspace, port)["url"]
    scenario = load_scenario(Path(__file__).parents[2] / "examples" / "litho-export-control.yaml")
    try:
        with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
            runner = Runner(session, scenario)

            def stop_after_sixteenth(result: object) -> None:
                if len(runner.results) == 16:
                    stop_anvil(workspace)

            with pytest.raises(ScenarioFailed) as excinfo:
                runner.run(progress=stop_after_sixteenth)
        failed = excinfo.value
        assert [r.number for r in failed.landed] == list(range(1, 17))
        assert (failed.step.number, failed.resume_from, failed.unsure) == (17, 17, False)
        message = str(failed)
        assert message.startswith(f"step 17 (order.approve) failed: lost the node at {url}")
        assert "steps 1-16 landed" in message and "\n" not in message
        start_anvil(workspace, port)  # back, from its state
        with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
            resumed = Runner(session, scenario)
            result = resumed.run(start=17)
            assert resumed.handles == {"resist_order": 1}
    finally:
        stop_anvil(workspace)
    assert [s.number for s in result.steps] == list(range(17, len(scenario.steps) + 1))
    assert result.steps[-1].detail.startswith("audit clean")


def test_a_transaction_on_a_node_leaves_a_quarter_over_its_estimate(
    anvil: tuple[Path, str],
) -> None:
    """State that moves with the clock can need more gas when mined than when estimated a
    block earlier; a sub-call short of gas reverts the whole call."""
    workspace, url = anvil
    with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
        deploy(session)
        result = Token(session).mint("admin", 5_00)
        tx = session.w3.eth.get_transaction(result.tx_hash)
        assert tx["gas"] >= result.gas_used * 5 // 4
