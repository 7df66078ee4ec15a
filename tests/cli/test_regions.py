"""Regions and supply routes from the command line: set them, see them in the risk report,
play a regional what-if and a stress run (the same twice from one seed), then report the
shock for real and audit it; bad input is one line and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chain_client.config import SOURCE_ROOT
from tests.cli.conftest import Run

EXAMPLE = SOURCE_ROOT / "examples" / "litho-export-control.yaml"


@pytest.fixture
def story(scf: Run, workspace: Path) -> Path:
    """The export-control story (resist_a cut off, its order with resist_b); resist_b and
    resist_c put in EAST, resist_c sourcing PAG."""
    result = scf("scenario", "run", str(EXAMPLE), "--keep", "--json")
    assert result.exit_code == 0, result.stderr
    for who in ("resist_b", "resist_c"):
        assert scf("supplier", "region", who, "EAST").exit_code == 0
    assert scf("supplier", "inputs", "resist_c", "PAG").exit_code == 0
    return workspace


def one_line_error(result: Any, starts: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith(starts), lines[0]


def test_regions_show_in_the_registry_and_the_risk_report(
    scf: Run, scf_json: Any, story: Path
) -> None:
    shown = scf_json("supplier", "show", "resist_c")
    assert (shown["region"], shown["inputs"]) == ("EAST", ["PAG"])
    findings = scf_json("risk", "report")["findings"]
    one_region = [f for f in findings if f["kind"] == "ONE_REGION"]
    assert one_region and all("in region EAST (its own)" in f["detail"] for f in one_region)
    cleared = scf_json("supplier", "region", "resist_c", "none")
    assert cleared["tx_hash"].startswith("0x")
    assert scf_json("supplier", "show", "resist_c")["region"] is None


def test_a_regional_what_if_and_stress_run_change_nothing(
    scf: Run, scf_json: Any, story: Path
) -> None:
    before = scf_json("chain", "status")["block"]
    played = scf_json("risk", "whatif", "--region", "EAST")
    assert played["region"] == "EAST" and len(played["disrupted"]) == 2
    first = scf("risk", "stress", "--runs", "3", "--seed", "11", "--json")
    second = scf("risk", "stress", "--runs", "3", "--seed", "11", "--json")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert '"seed": 11' in first.stdout and str(story) not in first.stdout
    text = scf("risk", "stress", "--runs", "2")
    assert text.exit_code == 0 and "project money at risk" in text.stdout
    assert scf_json("chain", "status")["block"] == before
    one_line_error(scf("risk", "whatif"), "error: give a supplier or --region, not both")
    one_line_error(scf("risk", "whatif", "--region", "NORTH"), "error: region NORTH has no")


def test_a_regional_shock_from_the_command_line_audits_clean(
    scf: Run, scf_json: Any, story: Path
) -> None:
    before = scf_json("chain", "status")["block"]
    one_line_error(
        scf("disruption", "shock", "EAST", "--reason", "RAIN"), "error: unknown disruption reason"
    )
    one_line_error(
        scf("disruption", "shock-process", "EAST"),
        "error: no shock is in force in region EAST",
    )
    one_line_error(
        scf("disruption", "shock-show", "EAST"), "error: no shock was ever reported for region"
    )
    assert scf_json("chain", "status")["block"] == before
    shock = scf_json("disruption", "shock", "EAST", "--reason", "FLOOD")
    assert shock["shock"] == 1 and len(shock["disrupted"]) == 2
    text = scf("disruption", "shock-show", "EAST")
    assert text.exit_code == 0 and "shock 1 to EAST: in force" in text.stdout
    one_line_error(scf("disruption", "shock", "EAST", "--reason", "FLOOD"), "error: ")
    recovered = scf("disruption", "region-recover", "EAST")
    assert recovered.exit_code == 0 and "the shock to EAST is over" in recovered.stdout
    assert scf_json("audit", "report")["clean"] is True
