"""Faults: a writer killed with SIGKILL at random moments of a financing story leaves a
workspace that opens and audits clean; a node restarted from its state gives the same
audit."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from chain_client.chain.node import start_anvil, stop_anvil
from tests.cli.conftest import SCF, scf_process
from tests.integration.test_anvil import _free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "litho-export-control.yaml"


def audit(workspace: Path, *chain: str) -> dict[str, object]:
    result = scf_process(workspace, *chain, "audit", "report", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["clean"] is True, report
    return dict(report)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(20))
def test_a_story_killed_at_a_random_moment_leaves_a_workspace_that_audits_clean(
    tmp_path: Path, trial: int
) -> None:
    workspace = tmp_path / "ws"
    deployed = scf_process(workspace, "deploy", "--json")
    assert deployed.returncode == 0, deployed.stderr
    writer = subprocess.Popen(
        [*SCF, "scenario", "run", str(EXAMPLE), "--keep"],
        env={**os.environ, "SCF_WORKSPACE": str(workspace)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(random.Random(trial).uniform(1.0, 8.0))  # start-up, then somewhere in the story
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    audit(workspace)
    # the workspace still takes writes
    minted = scf_process(workspace, "token", "mint", "admin", "1.00", "--json")
    assert minted.returncode == 0, minted.stderr
    audit(workspace)


def test_a_node_restarted_from_its_state_gives_the_same_audit(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    port = _free_port()
    url = start_anvil(workspace, port)["url"]
    try:
        ran = scf_process(workspace, "--chain", url, "scenario", "run", str(EXAMPLE), "--keep")
        assert ran.returncode == 0, ran.stderr
        before = audit(workspace, "--chain", url)
    finally:
        stop_anvil(workspace)
    url = start_anvil(workspace, port)["url"]
    try:
        after = audit(workspace, "--chain", url)
    finally:
        stop_anvil(workspace)
    assert after == before
    assert before["decisions"]  # the story's trigger calls were replayed
