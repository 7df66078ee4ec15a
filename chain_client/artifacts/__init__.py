"""Compiled contract artifacts shipped with scf (written by `scf compile`)."""

from __future__ import annotations

import json
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
