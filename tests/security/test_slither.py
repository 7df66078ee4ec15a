"""Slither over `contracts/`, through the project's compiler shim: no High or Medium finding
in scf's own contracts except those reviewed and listed, with a reason, in
`contracts/slither-accepted.json`; no listed entry that no longer matches a finding.

Slither runs from its own virtual environment (`.venv-slither`, made by `scripts/setup`):
slither-analyzer 0.11.6 needs a web3 older than scf's.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from chain_client.compiler import SETTINGS, _project_sources, default_contracts_dir

ROOT = Path(__file__).resolve().parents[2]
SLITHER = ROOT / ".venv-slither" / "bin" / "slither"
SHIM = ROOT / "chain_client" / "solc_shim" / "solc"
ACCEPTED = ROOT / "contracts" / "slither-accepted.json"


def run_slither(folder: Path) -> list[dict[str, Any]]:
    sources = _project_sources(default_contracts_dir())
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {k: v for k, v in SETTINGS.items() if k != "outputSelection"},
    }
    (folder / "input.json").write_text(json.dumps(standard_input))
    # slither resolves imports from its working folder, which stays out of the checkout
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    (folder / "contracts").symlink_to(ROOT / "contracts")
    out = folder / "slither.json"
    subprocess.run(
        [
            str(SLITHER),
            "input.json",
            "--compile-force-framework",
            "solc-json",
            "--solc",
            str(SHIM),
            "--filter-paths",
            "@openzeppelin",
            "--json",
            str(out),
        ],
        cwd=folder,
        env={"PATH": "/usr/bin:/bin", "SCF_NODE_MODULES": str(ROOT / "node_modules")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,  # slither exits non-zero when it finds anything
    )
    report = json.loads(out.read_text())
    assert report["success"], report.get("error")
    return list(report["results"].get("detectors", []))


@pytest.mark.skipif(not SLITHER.exists(), reason="scripts/setup makes .venv-slither")
def test_no_high_or_medium_finding_but_the_reviewed_ones(tmp_path: Path) -> None:
    findings = [f for f in run_slither(tmp_path) if f["impact"] in ("High", "Medium")]
    accepted = json.loads(ACCEPTED.read_text())["accepted"]
    assert all(entry["reason"].strip() for entry in accepted)
    matched: Counter[int] = Counter()
    unexplained = []
    for finding in findings:
        first_line = finding["description"].splitlines()[0]
        hits = [
            i
            for i, entry in enumerate(accepted)
            if entry["check"] == finding["check"] and entry["where"] in first_line
        ]
        if hits:
            matched[hits[0]] += 1
        else:
            unexplained.append(f"{finding['impact']} {finding['check']}: {first_line}")
    stale = [
        f"{e['check']} {e['where']}: expected {e.get('count', 1)}, found {matched[i]}"
        for i, e in enumerate(accepted)
        if matched[i] != e.get("count", 1)
    ]
    assert (unexplained, stale) == ([], [])
