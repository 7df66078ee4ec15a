"""Compiled contract artifacts shipped with scf (written by `scf compile`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import DeploymentError

ARTIFACTS_DIR = Path(__file__).resolve().parent


@cache
def load_artifact(name: str) -> dict[str, Any]:
    """The shipped artifact of contract `name` (ABI, bytecode, compiler, source hash)."""
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.is_file():
        raise DeploymentError(f"no compiled artifact for {name}", hint="run `scf compile`")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def artifact_names() -> list[str]:
    return sorted(p.stem for p in ARTIFACTS_DIR.glob("*.json"))


def linked_bytecode(name: str, libraries: Mapping[str, str]) -> str:
    """Contract `name`'s creation bytecode with each library placeholder replaced by the
    address in `libraries` (library name -> address).

    Done from the artifact's `linkReferences` (byte offsets solc reports) rather than with
    `solc --link`, which npm's solc does not offer; web3.py no longer links bytecode."""
    artifact = load_artifact(name)
    code = artifact["bytecode"][2:]
    for source in artifact.get("linkReferences", {}).values():
        for library, spots in source.items():
            if library not in libraries:
                raise DeploymentError(f"{name} needs library {library}, which is not deployed")
            address = libraries[library].lower().removeprefix("0x")
            for spot in spots:
                start = 2 * int(spot["start"])
                code = code[:start] + address + code[start + 2 * int(spot["length"]) :]
    return "0x" + code


def libraries_of(name: str) -> list[str]:
    """The libraries contract `name` links to."""
    refs = load_artifact(name).get("linkReferences", {})
    return sorted({library for source in refs.values() for library in source})
