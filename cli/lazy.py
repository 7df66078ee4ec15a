"""Command groups loaded when they are used, so that `scf --help`, `scf --version` and a
command of one group do not import every group (and with them web3 and the chain).

Each entry names the module and the attribute holding a Typer app (a group) or a command
function, and the one-line help `scf --help` lists. Click has no lazy group of its own;
this is its documented pattern (a group whose `get_command` imports on demand), done as a
stand-in whose `make_context` hands over to the real command once it is asked to run.
`tests/cli/test_startup.py` checks that each line here matches the real command's help.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand

try:  # typer vendors click from 0.2x on; older releases depend on click itself
    from typer._click.core import Command
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.core import Command  # type: ignore[no-redef,assignment]


@dataclass(frozen=True)
class Entry:
    module: str
    attribute: str
    help: str

    def load(self, name: str) -> Command:
        """The real click command: a group built from a Typer app, or one command."""
        target = getattr(importlib.import_module(self.module), self.attribute)
        if isinstance(target, typer.Typer):
            group = typer.main.get_group(target)
            group.name, group.help = name, self.help
            return group
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
        command.name = name
        return command


class LazyCommand(TyperCommand):
    """Stands for a command until it runs: its name and short help only."""

    def __init__(self, name: str, entry: Entry) -> None:
        super().__init__(name, help=entry.help, short_help=entry.help)
        self.entry = entry
        self._real: Command | None = None

    def real(self) -> Command:
        if self._real is None:
            self._real = self.entry.load(str(self.name))
        return self._real

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.entry.help


#: Every command of `scf` by name, in the order `scf --help` lists them.
COMMANDS: dict[str, Entry] = {
    "compile": Entry(
        "cli.compile",
        "compile_command",
        "Compile the contracts with the pinned solc and write the artifacts shipped with scf.",
    ),
    "deploy": Entry(
        "cli.deploy",
        "deploy_command",
        "Deploy the contracts (roles to the aliases of the same name on test chains).",
    ),
    "demo": Entry(
        "cli.demo",
        "demo_command",
        "Run examples/litho-export-control.yaml on a fresh embedded chain, then audit it.",
    ),
    "pause": Entry(
        "cli.pause",
        "pause_command",
        "Stop all payments, funding, reservations and claims (sent by the admin).",
    ),
    "unpause": Entry("cli.pause", "unpause_command", "Resume payments (sent by the admin)."),
    "accounts": Entry("cli.accounts", "app", "Account aliases."),
    "audit": Entry(
        "cli.audit",
        "app",
        "Audit the fund-flow logs: rebuild the books from events and check them.",
    ),
    "chain": Entry("cli.chain", "app", "The chain scf talks to."),
    "disruption": Entry(
        "cli.disruption",
        "app",
        "Supplier cut-offs and the automatic substitute financing they trigger.",
    ),
    "facility": Entry("cli.facility", "app", "Advances to substitutes and their repayment."),
    "milestone": Entry("cli.milestone", "app", "Project milestones."),
    "node": Entry("cli.node", "app", "A local anvil node kept in the workspace."),
    "order": Entry(
        "cli.order",
        "app",
        "Purchase orders of projects: reserved, approved, delivered, accepted, settled.",
    ),
    "pool": Entry("cli.pool", "app", "The bank-funded pool that pays substitute advances."),
    "project": Entry(
        "cli.project", "app", "R&D projects: budget lines, milestones, funding and payments."
    ),
    "recovery": Entry(
        "cli.recovery",
        "app",
        "Recoveries: what a substitute that kept its advance and did not deliver owes a project.",
    ),
    "risk": Entry("cli.risk", "app", "Early warning: what a cut-off would do, before it happens."),
    "role": Entry("cli.role", "app", "Roles on the deployed contracts."),
    "scenario": Entry("cli.scenario", "app", "Scenario files: scripted financing stories."),
    "supplier": Entry(
        "cli.supplier", "app", "Registered suppliers, substitute lists and credit profiles."
    ),
    "time": Entry("cli.time", "app", "The chain's clock (test chains only)."),
    "token": Entry("cli.token", "app", "The settlement token (2 decimals)."),
}
