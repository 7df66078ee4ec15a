"""Compile `contracts/` with a pinned solc through py-solc-x and keep the shipped artifacts.

The compiler is a native solc of the pinned version where one is installed (SCF_SOLC,
py-solc-x's own install, or `solc` on PATH), otherwise npm's `solc` through the project's
shim (`solc_shim/solc`). Metadata hashes are left out of the bytecode so that the same
sources and settings give the same bytes on every machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError, SolcNotInstalled
from solcx.install import get_executable

from .config import PACKAGE_DIR, SOURCE_ROOT, find_node_modules
from .errors import CompilationError

SOLC_VERSION = "0.8.37"
from .artifacts import ARTIFACTS_DIR  # noqa: E402

SHIM = PACKAGE_DIR / "solc_shim" / "solc"
OPENZEPPELIN = "@openzeppelin/contracts"

SETTINGS: dict[str, Any] = {
    "evmVersion": "prague",
    "optimizer": {"enabled": True, "runs": 200},
    "viaIR": False,
    "metadata": {"bytecodeHash": "none", "appendCBOR": False},
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object",
            ]
        }
    },
}


def default_contracts_dir() -> Path:
    """`contracts/` of the source checkout, else of the working folder."""
    beside = SOURCE_ROOT / "contracts"
    return beside if beside.is_dir() else Path.cwd() / "contracts"


def _solc_version_of(binary: str) -> str | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except OSError:
        return None
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split()[1].split("+")[0]
    return None


def find_solc() -> tuple[Path, str]:
    """The compiler to use and what it is ("native" or "npm")."""
    explicit = os.environ.get("SCF_SOLC")
    if explicit:
        if _solc_version_of(explicit) != SOLC_VERSION:
            raise CompilationError(f"SCF_SOLC={explicit} is not solc {SOLC_VERSION}")
        return Path(explicit), "native"
    try:
        return Path(get_executable(SOLC_VERSION)), "native"
    except SolcNotInstalled:
        pass
    on_path = shutil.which("solc")
    if on_path and _solc_version_of(on_path) == SOLC_VERSION:
        return Path(on_path), "native"
    modules = find_node_modules()
    if modules and (modules / "solc").is_dir() and shutil.which("node"):
        return SHIM, "npm"
    raise CompilationError(
        f"no solc {SOLC_VERSION} found",
        hint="run scripts/setup to install npm's solc, or set SCF_SOLC to a native solc",
    )


def _project_sources(contracts_dir: Path) -> dict[str, str]:
    files = sorted(contracts_dir.rglob("*.sol"))
    if not files:
        raise CompilationError(f"no Solidity sources under {contracts_dir}")
    root = contracts_dir.parent
    return {f.relative_to(root).as_posix(): f.read_text(encoding="utf-8") for f in files}


def _openzeppelin_version() -> str:
    modules = find_node_modules()
    package = modules / OPENZEPPELIN / "package.json" if modules else None
    if package is None or not package.is_file():
        raise CompilationError(f"npm package {OPENZEPPELIN} not found", hint="run scripts/setup")
    return str(json.loads(package.read_text())["version"])


def source_hash(sources: dict[str, str], openzeppelin: str) -> str:
    """SHA-256 over the project's sources, the settings, the compiler and OZ versions."""
    digest = hashlib.sha256()
    record = {"sources": sources, "settings": SETTINGS, "solc": SOLC_VERSION, "oz": openzeppelin}
    digest.update(json.dumps(record, sort_keys=True).encode())
    return digest.hexdigest()


def compile_contracts(contracts_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Compile every contract of `contracts_dir` and return its artifacts by contract name.

    Interfaces and abstract contracts (no bytecode) are left out.
    """
    contracts_dir = (contracts_dir or default_contracts_dir()).resolve()
    sources = _project_sources(contracts_dir)
    openzeppelin = _openzeppelin_version()
    binary, _kind = find_solc()
    modules = find_node_modules()
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {**SETTINGS, "remappings": []},
    }
    env_modules = str(modules) if modules else ""
    previous = os.environ.get("SCF_NODE_MODULES")
    os.environ["SCF_NODE_MODULES"] = env_modules
    try:
        output = solcx.compile_standard(
            standard_input,
            solc_binary=binary,
            base_path=str(contracts_dir.parent),
            allow_paths=[str(contracts_dir.parent), env_modules],
        )
    except SolcError as exc:
        raise CompilationError(_first_error(exc)) from exc
    finally:
        if previous is None:
            os.environ.pop("SCF_NODE_MODULES", None)
        else:
            os.environ["SCF_NODE_MODULES"] = previous
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilationError(errors[0].get("formattedMessage", errors[0]["message"]).strip())
    digest = source_hash(sources, openzeppelin)
    artifacts: dict[str, dict[str, Any]] = {}
    for source_name in sources:
        for name, out in output.get("contracts", {}).get(source_name, {}).items():
            bytecode = out["evm"]["bytecode"]["object"]
            if not bytecode:
                continue
            artifacts[name] = {
                "contractName": name,
                "sourceName": source_name,
                "abi": out["abi"],
                "bytecode": "0x" + bytecode,
                "deployedBytecode": "0x" + out["evm"]["deployedBytecode"]["object"],
                "linkReferences": out["evm"]["bytecode"].get("linkReferences", {}),
                "compiler": {
                    "version": SOLC_VERSION,
                    "settings": SETTINGS,
                    "openzeppelin": openzeppelin,
                },
                "sourceHash": digest,
            }
    return artifacts


def _first_error(exc: SolcError) -> str:
    # solc's first message and the source location under it ("--> file:line:col").
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else "solc failed"


def write_artifacts(
    artifacts: dict[str, dict[str, Any]], out_dir: Path = ARTIFACTS_DIR
) -> list[Path]:
    """Replace the artifacts in `out_dir` with `artifacts`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.json"):
        if stale.stem not in artifacts:
            stale.unlink()
    written = []
    for name, artifact in sorted(artifacts.items()):
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


def artifacts_differ(
    compiled: dict[str, dict[str, Any]], out_dir: Path = ARTIFACTS_DIR
) -> list[str]:
    """Names of contracts whose shipped artifact is missing, stale or left over."""
    shipped = {p.stem for p in out_dir.glob("*.json")}
    differ = sorted(shipped - set(compiled))
    for name, artifact in compiled.items():
        path = out_dir / f"{name}.json"
        if not path.is_file() or json.loads(path.read_text()) != json.loads(json.dumps(artifact)):
            differ.append(name)
    return sorted(set(differ))
