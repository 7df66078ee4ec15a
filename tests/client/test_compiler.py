"""The shipped artifacts are exactly what the pinned compiler makes of the sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chain_client.compiler import (
    ARTIFACTS_DIR,
    SOLC_VERSION,
    artifacts_differ,
    compile_contracts,
    default_contracts_dir,
)
from chain_client.errors import CompilationError

EIP170_LIMIT = 24_576


@pytest.fixture(scope="module")
def compiled() -> dict:  # type: ignore[type-arg]
    return compile_contracts()


def test_shipped_artifacts_match_the_sources_and_settings(compiled: dict) -> None:  # type: ignore[type-arg]
    assert artifacts_differ(compiled) == []
    for artifact in compiled.values():
        assert artifact["compiler"]["version"] == SOLC_VERSION
        assert artifact["compiler"]["settings"]["evmVersion"] == "prague"
        assert artifact["compiler"]["settings"]["metadata"]["bytecodeHash"] == "none"


def test_every_contract_fits_the_size_limit(compiled: dict) -> None:  # type: ignore[type-arg]
    for name, artifact in compiled.items():
        assert len(artifact["deployedBytecode"]) // 2 - 1 <= EIP170_LIMIT, name


def test_a_changed_source_is_caught(compiled: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    sources = tmp_path / "contracts"
    shutil.copytree(default_contracts_dir(), sources)
    token = sources / "SettlementToken.sol"
    token.write_text(token.read_text().replace("return 2;", "return 3;"))
    changed = compile_contracts(sources)
    # every artifact records the hash of all sources, so every one differs
    assert artifacts_differ(changed) == sorted(changed)
    shipped = json.loads((ARTIFACTS_DIR / "SettlementToken.json").read_text())
    assert changed["SettlementToken"]["bytecode"] != shipped["bytecode"]


def test_a_compile_error_names_the_file_and_line(tmp_path: Path) -> None:
    sources = tmp_path / "contracts"
    sources.mkdir()
    (sources / "Broken.sol").write_text(
        "pragma solidity ^0.8.24;\ncontract Broken { uint x = ; }\n"
    )
    with pytest.raises(CompilationError, match=r"contracts/Broken.sol:2"):
        compile_contracts(sources)
