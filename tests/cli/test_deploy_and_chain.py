"""`scf deploy`, `scf chain status`, `scf time advance`, and errors at the edge."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from chain_client.chain.workspace import Workspace
from tests.cli.conftest import SCF, Run, scf_process


def test_deploy_then_new_processes_see_it(workspace: Path) -> None:
    deployed = scf_process(workspace, "deploy", "--json")
    assert deployed.returncode == 0, deployed.stderr
    contracts = json.loads(deployed.stdout)["contracts"]
    assert set(contracts) == {
        "SettlementToken",
        "SupplierRegistry",
        "FundLedger",
        "FinancingPool",
        "FinancingPolicy",
        "DisruptionLogic",
        "SubstituteFinancing",
    }
    status = scf_process(workspace, "chain", "status", "--json")
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)
    assert body["backend"] == "embedded"
    assert body["deployment"]["contracts"] == contracts
    listed = scf_process(workspace, "supplier", "list")
    assert listed.returncode == 0 and listed.stdout.strip() == "no suppliers registered"


def test_deploy_refuses_a_live_deployment_unless_forced(scf: Run, scf_json) -> None:  # type: ignore[no-untyped-def]
    first = scf_json("deploy")
    again = scf("deploy")
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"error: chain {first['chain_id']} already has a live deployment (block 1) "
        "(use --force to deploy a new one over it)"
    )
    forced = scf_json("deploy", "--force")
    assert (
        forced["contracts"]["SupplierRegistry"]["address"]
        != first["contracts"]["SupplierRegistry"]["address"]
    )
    assert scf_json("chain", "status")["deployment"]["contracts"] == forced["contracts"]


def test_deploy_with_an_existing_token_uses_it(scf: Run, scf_json) -> None:  # type: ignore[no-untyped-def]
    token = scf_json("deploy")["contracts"]["SettlementToken"]["address"]
    redeployed = scf_json("deploy", "--force", "--token", token)
    assert redeployed["token_external"] is True
    assert redeployed["contracts"]["SettlementToken"]["address"] == token
    not_a_token = scf("deploy", "--force", "--token", "0x" + "12" * 20)
    assert not_a_token.exit_code == 1
    assert "has no contract code" in not_a_token.stderr


def test_commands_need_a_deployment_and_say_so(scf: Run, workspace: Path) -> None:
    result = scf("supplier", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: nothing is deployed on chain")
    assert "run `scf deploy` first" in result.stderr
    assert not workspace.exists()


def test_time_advance_moves_the_clock(scf_json) -> None:  # type: ignore[no-untyped-def]
    scf_json("deploy")
    before = scf_json("chain", "status")
    moved = scf_json("time", "advance", "30d")
    assert moved["advanced"] == 30 * 86400
    after = scf_json("chain", "status")
    assert after["block"] == before["block"] + 1
    assert moved["timestamp"] >= 30 * 86400 + int(
        __import__("datetime").datetime.fromisoformat(before["timestamp"]).timestamp()
    )


def test_a_busy_workspace_gets_one_clear_line(workspace: Path) -> None:
    with Workspace(workspace, writable=True):
        result = scf_process(workspace, "deploy")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is busy: another scf process (pid" in lines[0]


def test_an_unreachable_node_gets_one_clear_line(scf: Run) -> None:
    result = scf("--chain", "http://127.0.0.1:9", "chain", "status")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: cannot reach a node at http://127.0.0.1:9: connection refused or host "
        "unreachable (start one with `scf node start`, or check --chain / SCF_CHAIN)"
    ]


def test_a_bad_chain_setting_gets_one_clear_line(scf: Run) -> None:
    result = scf("--chain", "mainnet", "chain", "status")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: chain 'mainnet' is neither 'embedded' nor an http(s):// JSON-RPC URL"
    )


def test_errors_come_as_json_with_the_flag(scf: Run) -> None:
    result = scf("token", "mint", "admin", "12.345", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ok": False,
        "error": {"type": "InputError", "message": "amount '12.345' has more than 2 decimals"},
    }


@pytest.mark.parametrize("delay", [0.6, 1.2, 1.8])
def test_scf_killed_with_sigkill_while_deploying_leaves_a_loadable_workspace(
    workspace: Path, delay: float
) -> None:
    env = {**os.environ, "SCF_WORKSPACE": str(workspace)}
    writer = subprocess.Popen(
        [*SCF, "deploy"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    status = scf_process(workspace, "chain", "status", "--json")
    assert status.returncode == 0, status.stderr
    # whatever landed, a new deploy completes (over a live deployment only when forced)
    again = scf_process(workspace, "deploy", "--force", "--json")
    assert again.returncode == 0, again.stderr
    listed = scf_process(workspace, "supplier", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_a_write_without_a_workspace_is_one_line_and_creates_nothing(
    scf: Run, workspace: Path
) -> None:
    result = scf("token", "mint", "admin", "1.00")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: nothing is deployed for workspace {workspace} (it does not exist yet) "
        "(run `scf deploy` first, or give --workspace)"
    )
    assert not workspace.exists()


@pytest.mark.parametrize(
    ("damage", "args", "message"),
    [
        ("drop meta", ["project", "list"], "is damaged: no such table: meta"),
        (
            "drop chain_kv",
            ["project", "list"],
            "the workspace database is damaged: no such table: chain_kv",
        ),
        ("lock is a folder", ["token", "mint", "admin", "1.00"], "write.lock: Is a directory"),
    ],
)
def test_a_damaged_workspace_gets_one_clear_line(
    tmp_path: Path, damage: str, args: list[str], message: str
) -> None:
    import sqlite3

    workspace = tmp_path / "ws"
    deployed = scf_process(workspace, "deploy", "--json")
    assert deployed.returncode == 0, deployed.stderr
    if damage == "lock is a folder":
        (workspace / "write.lock").unlink(missing_ok=True)
        (workspace / "write.lock").mkdir()
    else:
        with sqlite3.connect(workspace / "workspace.sqlite") as db:
            db.execute(f"DROP TABLE {damage.split()[1]}")
    result = scf_process(workspace, *args)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


def test_a_workspace_killed_before_its_schema_reads_as_new(workspace: Path) -> None:
    """The window a SIGKILL can hit: the database file exists, its tables do not yet."""
    import sqlite3

    workspace.mkdir(parents=True)
    sqlite3.connect(workspace / "workspace.sqlite").execute("PRAGMA journal_mode=WAL").close()
    status = scf_process(workspace, "chain", "status", "--json")
    assert status.returncode == 0, status.stderr
    deployed = scf_process(workspace, "deploy", "--json")
    assert deployed.returncode == 0, deployed.stderr
