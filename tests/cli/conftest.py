"""CLI helpers: run `scf` in-process (typer's CliRunner) or as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli.main import app

SCF = [sys.executable, "-m", "cli"]

Run = Callable[..., Result]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def scf(workspace: Path) -> Run:
    """Run scf in-process on a fresh workspace: scf("supplier", "list")."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, ["--workspace", str(workspace), *args], env=env)

    return run


@pytest.fixture
def scf_json(scf: Run) -> Callable[..., Any]:
    """Run scf with --json and return the parsed output (asserting success)."""

    def run(*args: str) -> Any:
        result = scf(*args, "--json")
        assert result.exit_code == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    return run


def scf_process(
    workspace: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run scf as a real subprocess (extra environment variables in `env`)."""
    full_env = {**os.environ, "SCF_WORKSPACE": str(workspace), "COLUMNS": "200", **(env or {})}
    return subprocess.run([*SCF, *args], capture_output=True, text=True, env=full_env, timeout=120)
