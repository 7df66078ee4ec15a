"""Shared by every command group: global options, sessions, output and the error edge."""

from __future__ import annotations

import json
import sqlite3
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

try:  # typer vendors click from 0.2x on; older releases depend on click itself
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[no-redef]

from chain_client.errors import ContractRevert, DeploymentError, ScfError, WorkspaceError

if TYPE_CHECKING:  # the chain is imported by the commands that use it, not by `scf --help`
    from chain_client.config import Settings
    from chain_client.session import Session

console = Console()
err_console = Console(stderr=True)

JSON_FLAG = "--json"

By = Annotated[
    str | None,
    typer.Option("--by", help="Sender: an alias or address (default: the natural sender)."),
]


@dataclass
class State:
    """What the app callback parsed, handed to every command through the click context."""

    settings: Settings
    json: bool = False


def report(error: ScfError, *, as_json: bool) -> None:
    """Show a domain error as one line on stderr, or one JSON object on stdout with --json."""
    if as_json:
        body: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
        if isinstance(error, ContractRevert):
            body["error"] = error.error_name
            body["arguments"] = {k: _jsonable(v) for k, v in error.arguments.items()}
        print(json.dumps({"ok": False, "error": body}))
    else:
        line = Text.assemble(("error:", "bold red"), " ", printable(str(error)))
        err_console.print(line, highlight=False, soft_wrap=True)


class ScfGroup(TyperGroup):
    """The root group: accepts --json anywhere, and turns `ScfError` into one clear line."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        cut = args.index("--") if "--" in args else len(args)
        if JSON_FLAG in args[:cut]:
            ctx.meta["scf_json"] = True
            args = [a for i, a in enumerate(args) if not (i < cut and a == JSON_FLAG)]
        return super().parse_args(ctx, args)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as error:  # a bad option before the command
            _usage(error)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise  # a group called bare shows its help
        except UsageError as error:  # a missing argument, an unknown option, a value out of range
            _usage(error)
        except ScfError as error:
            report(error, as_json=bool(ctx.meta.get("scf_json")) or _json_state(ctx))
            raise typer.Exit(1) from None
        except sqlite3.DatabaseError as error:  # the workspace is scf's only database
            damaged = WorkspaceError(
                f"the workspace database is damaged: {error}",
                hint="restore it from a copy, or use another --workspace",
            )
            report(damaged, as_json=bool(ctx.meta.get("scf_json")) or _json_state(ctx))
            raise typer.Exit(1) from None


def _usage(error: UsageError) -> None:
    """A command line that does not parse: one line naming the command's help, exit 1 (the
    same as any other input error), instead of click's framed message and exit 2."""
    where = error.ctx.command_path if error.ctx is not None else "scf"
    where = "scf" + where[where.index(" ") :] if " " in where else "scf"
    report(
        ScfError(error.format_message(), hint=f"see `{where} --help`"),
        as_json=JSON_FLAG in sys.argv[1:] or _json_flagged(error),
    )
    raise typer.Exit(1)


def _json_flagged(error: UsageError) -> bool:
    ctx = error.ctx
    return ctx is not None and bool(ctx.find_root().meta.get("scf_json"))


def _json_state(ctx: typer.Context) -> bool:
    obj = ctx.find_root().obj
    return isinstance(obj, State) and obj.json


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State), "the app callback sets the state"
    return obj


@contextmanager
def session(ctx: typer.Context, *, writable: bool, create: bool = False) -> Iterator[Session]:
    """Open the chain and workspace. A writer creates a missing workspace only with `create`
    (deploy, accounts add, time advance): a mistaken command leaves no folder behind."""
    settings = state(ctx).settings
    from chain_client.chain.workspace import DATABASE
    from chain_client.session import open_session

    if writable and not create and not (settings.workspace / DATABASE).is_file():
        raise DeploymentError(
            f"nothing is deployed for workspace {settings.workspace} (it does not exist yet)",
            hint="run `scf deploy` first, or give --workspace",
        )
    with open_session(settings, writable=writable) as opened:
        yield opened


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(data: Any) -> None:
    print(json.dumps(_jsonable(data), indent=2, sort_keys=False, default=str))


def printable(text: str) -> str:
    """`text` with control and format characters escaped (`\x1b` shown as `\\x1b`): names
    and other texts from the chain or from users can never drive the reader's terminal."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"
        else ch
        for ch in text
    )


def output(ctx: typer.Context, data: Any, human: Any = None) -> None:
    """Print `data` as JSON with --json; otherwise print `human` (text or a rich renderable).
    Plain text is printed as is (no markup) with control characters escaped."""
    if state(ctx).json:
        emit_json(data)
    elif human is not None:
        if isinstance(human, str):
            human = Text(printable(human))
        console.print(human, highlight=False)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A table whose cells are plain text (never markup), control characters escaped."""
    t = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for column in columns:
        t.add_column(column, justify="right" if column in NUMERIC_COLUMNS else "left")
    for row in rows:
        t.add_row(*(Text(printable(str(c))) for c in row))
    return t


NUMERIC_COLUMNS = {
    "capacity",
    "committed",
    "score",
    "balance",
    "amount",
    "block",
    "gas",
    "index",
    "cap",
    "spent",
    "reserved",
    "left",
    "tranche",
    "funded",
    "budget",
    "value",
}


def scf_command() -> str:
    """How the user calls scf here: `scf` when it is on PATH, else its path."""
    import shutil

    own = Path(sys.executable).parent / "scf"
    found = shutil.which("scf")
    if found and Path(found).resolve() == own.resolve():
        return "scf"
    try:
        return str(own.relative_to(Path.cwd()))
    except ValueError:
        return str(own)


def entry() -> None:
    """Console-script entry: run the app; ScfError never escapes as a traceback."""
    from .main import app

    try:
        app()
    except ScfError as error:  # raised outside a command (e.g. while parsing settings)
        report(error, as_json=JSON_FLAG in sys.argv)
        sys.exit(1)
