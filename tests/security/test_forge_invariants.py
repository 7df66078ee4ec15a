"""The contract invariants of `tests/invariants/` (Solidity, handler-based), run by forge from
npm over the project's compiler shim: at least 10,000 handler calls per invariant in the
default suite, 1,000,000 in the long profile (`scripts/test -m long tests/security`)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORGE = ROOT / "node_modules" / ".bin" / "forge"
INVARIANTS = {
    "invariant_eachContractHoldsWhatItsBooksSay",
    "invariant_noLineOverItsCapNoMilestoneOverItsTranche",
    "invariant_thePoolsSharePriceNeverFalls",
    "invariant_everyFacilityIsCoveredByItsReservation",
    "invariant_recoveriesMatchWhatThePoolTook",
    "invariant_noRoleDoesWhatOnlyTheWiringMay",
    "invariant_aRunPaysEachPositionOnceAndSkipsNone",
}


def run_forge(profile: str) -> dict[str, int]:
    """forge test under `profile`; returns the handler calls each passing invariant made."""
    result = subprocess.run(
        [str(FORGE), "test", "--color", "never"],
        cwd=ROOT,
        env={
            **os.environ,
            "FOUNDRY_PROFILE": profile,
            "SCF_NODE_MODULES": str(ROOT / "node_modules"),
        },
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = re.findall(r"\[PASS\] (invariant_\w+)\(\) \(runs: \d+, calls: (\d+)", result.stdout)
    return {name: int(calls) for name, calls in passed}


def test_the_contract_invariants_hold_over_10000_calls_each() -> None:
    calls = run_forge("default")
    assert set(calls) == INVARIANTS
    assert min(calls.values()) >= 10_000, calls


@pytest.mark.long
def test_the_contract_invariants_hold_over_a_million_calls_each() -> None:
    calls = run_forge("long")
    assert set(calls) == INVARIANTS
    assert min(calls.values()) >= 1_000_000, calls
