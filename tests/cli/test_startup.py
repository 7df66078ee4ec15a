"""`scf --help` and `scf --version` start without importing the chain: every command group
is loaded only when it runs (`cli/lazy.py`). Start-up time itself is measured by the
benchmark, not here; this checks what makes it short."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from chain_client.config import SOURCE_ROOT
from cli.lazy import COMMANDS
from tests.cli.conftest import Run

HEAVY = ("web3", "eth", "eth_account", "chain_client.session", "chain_client.contracts")


@pytest.mark.parametrize("args", [["--help"], ["--version"], []])
def test_help_and_version_import_nothing_of_the_chain(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from cli.main import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=SOURCE_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_node_session_never_imports_the_embedded_chain() -> None:
    # py-evm (`eth`) and eth-tester load only when a session opens the embedded chain
    probe = (
        "import sys\n"
        "import chain_client.session, chain_client.contracts, chain_client.audit.report\n"
        "print(sorted(m for m in ('eth', 'eth_tester') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=SOURCE_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_each_listed_help_line_is_the_command_s_own() -> None:
    for name, entry in COMMANDS.items():
        real = entry.load(name)
        own = inspect.cleandoc(real.help or "").split("\n\n")[0].replace("\n", " ")
        assert entry.help == own, name


def test_version_prints_the_package_version(scf: Run) -> None:
    result = scf("--version")
    assert (result.exit_code, result.stdout.strip()) == (0, "scf 0.1.0")
