"""Hostile input, as a tester would try it, across the CLI, scenario files, payments files,
workspaces and nodes: each case is refused with one line on stderr (or one JSON object),
exit 1, no traceback, and leaves the chain and the workspace exactly as they were.

The workspace is built once (deployed, a funded project, suppliers, a funded pool) and each
case runs on a fresh copy of it; "as they were" is the whole SQLite database (the embedded
chain's state, deployments, aliases, the audit cache) and the folder's file list.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.cli.test_scenarios import BOMB

HEAD = "name: t\naccounts: {gov_fund: 5, resist_a: 8}\nsteps:\n"
CSV_HEAD = "to,amount,category,milestone,memo,invoice\n"


def pay(*extra: str) -> list[str]:
    base = {"--to": "resist_a", "--amount": "1.00", "--category": "MATERIALS", "--milestone": "0"}
    args = ["project", "disburse", "LITHO-14"]
    pairs = dict(zip(extra[::2], extra[1::2], strict=True))
    for option, value in {**base, **pairs}.items():
        args += [option, value]
    return args


#: (case id, command arguments, files to write first {name: text or bytes}, expected text
#: in the one error line)
CASES: list[tuple[str, list[str], dict[str, str | bytes], str]] = [
    # amounts: one grammar everywhere
    ("mint comma decimal", ["token", "mint", "gov_fund", "1,5"], {}, "'1,5' is not an amount"),
    ("mint grouped", ["token", "mint", "gov_fund", "1.000,00"], {}, "is not an amount"),
    ("mint arabic digits", ["token", "mint", "gov_fund", "\u0661\u0660"], {}, "is not an amount"),
    ("mint 3 decimals", ["token", "mint", "gov_fund", "1.001"], {}, "more than 2 decimals"),
    ("mint negative", ["token", "mint", "gov_fund", "-5"], {}, "-5"),
    ("mint exponent", ["token", "mint", "gov_fund", "1e5"], {}, "is not an amount"),
    ("mint empty", ["token", "mint", "gov_fund", ""], {}, "is not an amount"),
    ("mint zero", ["token", "mint", "gov_fund", "0"], {}, "above 0"),
    (
        "mint no minter role",
        ["token", "mint", "gov_fund", "1.00", "--by", "stranger"],
        {},
        "minter role",
    ),
    ("pay comma", pay("--amount", "1,5"), {}, "is not an amount"),
    ("pay zero", pay("--amount", "0.00"), {}, "greater than 0"),
    ("pay milestone -1", pay("--milestone", "-1"), {}, "milestone"),
    ("pay unknown milestone", pay("--milestone", "9"), {}, "LITHO-14 has no milestone 9"),
    ("pay unapproved milestone", pay("--milestone", "1"), {}, "milestone 1"),
    ("pay unregistered payee", pay("--to", "stranger"), {}, "stranger"),
    ("pay unknown line", pay("--category", "TRAVEL"), {}, "TRAVEL"),
    ("pay over the line", pay("--amount", "13000000.00"), {}, "MATERIALS"),
    ("pay unknown project", [*pay()[:2], "NOPE", *pay()[3:]], {}, "no project NOPE"),
    ("pay not the owner", [*pay(), "--by", "stranger"], {}, "stranger"),
    ("pay long memo id", pay("--category", "X" * 40), {}, "at most 31"),
    ("pay memo too long", pay("--memo", "m" * 281), {}, "at most 280 characters"),
    ("pay invoice a device", pay("--invoice", "@/dev/zero"), {}, "is not a regular file"),
    ("pay invoice a folder", pay("--invoice", "@."), {}, "is not a regular file"),
    ("pay identifier with blanks", pay("--category", " MATERIALS"), {}, "blanks around it"),
    (
        "fund more than held",
        ["project", "fund", "LITHO-14", "99999999999.00", "--by", "gov_fund"],
        {},
        "needed",
    ),
    ("deposit more than held", ["pool", "deposit", "99999999999.00", "--by", "bank"], {}, "needed"),
    ("deposit comma", ["pool", "deposit", "1,5", "--by", "bank"], {}, "is not an amount"),
    (
        "withdraw more than shares",
        ["pool", "withdraw", "99999999.00", "--by", "bank"],
        {},
        "bank may withdraw at most 1,000,000.00 now",
    ),
    # names, aliases, addresses
    ("unknown alias", ["token", "mint", "nobody", "1.00"], {}, "nobody"),
    ("short address", ["token", "mint", "0x1234", "1.00"], {}, "0x1234"),
    (
        "bad checksum",
        ["token", "mint", "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1.00"],
        {},
        "checksum",
    ),
    ("alias bad index", ["accounts", "add", "joe", "-1"], {}, "No such option: -1"),
    (
        "supplier long name",
        [
            "supplier",
            "register",
            "stranger",
            "--name",
            "N" * 40,
            "--part",
            "P",
            "--capacity",
            "1.00",
        ],
        {},
        "at most 31",
    ),
    (
        "score out of range",
        ["supplier", "rate", "resist_a", "1001"],
        {},
        "score 1001 is out of range",
    ),
    (
        "qualify lead 0d",
        ["supplier", "qualify", "ARF_RESIST", "--lead-time", "0d", "--supplier", "resist_b"],
        {},
        "lead time",
    ),
    (
        "qualify lead 1.5d",
        ["supplier", "qualify", "ARF_RESIST", "--lead-time", "1.5d", "--supplier", "resist_b"],
        {},
        "lead time",
    ),
    ("unknown role", ["role", "grant", "wizard", "stranger"], {}, "unknown role 'wizard'"),
    ("show unknown order", ["order", "show", "999"], {}, "999"),
    ("approve unknown order", ["order", "approve", "999"], {}, "999"),
    ("show unknown facility", ["facility", "show", "999"], {}, "999"),
    ("explain unknown order", ["audit", "explain", "999"], {}, "999"),
    ("verify missing export", ["audit", "verify", "nothing.jsonl"], {}, "nothing.jsonl"),
    # disruption reasons from the documented list
    ("reason typo", ["disruption", "report", "resist_a", "--reason", "TYPO"], {}, "TYPO"),
    (
        "reason and other",
        ["disruption", "report", "resist_a", "--reason", "FIRE", "--other-reason", "x"],
        {},
        "reason",
    ),
    ("no reason", ["disruption", "report", "resist_a"], {}, "reason"),
    # durations and time
    ("advance huge", ["time", "advance", "99999999999999999999d"], {}, "duration"),
    ("advance negative", ["time", "advance", "-1d"], {}, "No such option: -1"),
    ("advance fraction", ["time", "advance", "1.5d"], {}, "duration"),
    ("advance arabic", ["time", "advance", "\u0661d"], {}, "duration"),
    # nodes
    ("port out of range", ["node", "start", "--port", "99999"], {}, "65535"),
    (
        "unreachable node",
        ["--chain", "http://127.0.0.1:9", "project", "list"],
        {},
        "cannot reach a node",
    ),
    ("not a url", ["--chain", "ftp://x", "project", "list"], {}, "ftp://x"),
    # scenario files: checked whole before anything is sent
    ("scenario missing", ["scenario", "check", "nope.yaml"], {}, "nope.yaml"),
    (
        "scenario binary",
        ["scenario", "check", "bin.yaml"],
        {"bin.yaml": b"\x00\xff\xfe\x00"},
        "bin.yaml",
    ),
    ("scenario bomb", ["scenario", "check", "bomb.yaml"], {"bomb.yaml": BOMB}, "alias"),
    (
        "scenario duplicate key",
        ["scenario", "check", "d.yaml"],
        {"d.yaml": HEAD + '  - token.mint: {to: gov_fund, to: admin, amount: "1.00"}\n'},
        "duplicate key",
    ),
    (
        "scenario expect typo",
        ["scenario", "check", "e.yaml"],
        {
            "e.yaml": HEAD
            + '  - token.mint: {to: gov_fund, amount: "1.00"}\n  - expect: {evnt: Transfer}\n'
        },
        "evnt",
    ),
    (
        "scenario unknown action",
        ["scenario", "check", "u.yaml"],
        {"u.yaml": HEAD + "  - token.melt: {to: gov_fund}\n"},
        "token.melt",
    ),
    (
        "scenario comma amount",
        ["scenario", "check", "c.yaml"],
        {"c.yaml": HEAD + '  - token.mint: {to: gov_fund, amount: "1,5"}\n'},
        "is not an amount",
    ),
    (
        "scenario float amount",
        ["scenario", "check", "f.yaml"],
        {"f.yaml": HEAD + "  - token.mint: {to: gov_fund, amount: 1.5}\n"},
        "amount",
    ),
    (
        "scenario reason typo",
        ["scenario", "check", "r.yaml"],
        {"r.yaml": HEAD + "  - disruption.report: {supplier: resist_a, reason: FIER}\n"},
        "FIER",
    ),
    ("scenario new missing folder", ["scenario", "new", "no/such/dir/s.yaml"], {}, "no/such/dir"),
    # payments files
    (
        "csv missing column",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": "to,amount,category,milestone,memo\nresist_a,1.00,MATERIALS,0,x\n"},
        "missing column",
    ),
    (
        "csv unknown column",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": CSV_HEAD[:-1] + ",approved\nresist_a,1.00,MATERIALS,0,x,,y\n"},
        "unknown column",
    ),
    (
        "csv comma amount",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": CSV_HEAD + 'resist_a,"1,5",MATERIALS,0,x,\n'},
        "row 2",
    ),
    (
        "csv extra values",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": CSV_HEAD + "resist_a,1.00,MATERIALS,0,x,,extra\n"},
        "more values",
    ),
    ("csv no rows", [*pay()[:3], "--csv", "p.csv"], {"p.csv": CSV_HEAD}, "no payment rows"),
    (
        "csv not utf-8",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": CSV_HEAD.encode() + b"resist_a,1.00,MATERIALS,0,\xff\xfe,\n"},
        "UTF-8",
    ),
    ("csv missing file", [*pay()[:3], "--csv", "none.csv"], {}, "none.csv"),
    (
        "csv with --to",
        [*pay(), "--csv", "p.csv"],
        {"p.csv": CSV_HEAD + "resist_a,1.00,MATERIALS,0,,\n"},
        "not both",
    ),
    (
        "csv over the line",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": CSV_HEAD + "resist_a,7000000.00,MATERIALS,0,,\n" * 2},
        "budget line MATERIALS",
    ),
    (
        "csv zero row",
        [*pay()[:3], "--csv", "p.csv"],
        {"p.csv": CSV_HEAD + "resist_a,0.00,MATERIALS,0,,\n"},
        "row 2",
    ),
    ("run without csv", [*pay(), "--run", "x"], {}, "--run"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a funded project LITHO-14 (milestone 0 approved), suppliers resist_a
    and resist_b, and a pool of 1,000,000.00 from bank."""
    workspace = tmp_path_factory.mktemp("hostile") / "ws"
    runner = CliRunner()

    def ok(*args: str) -> None:
        result = runner.invoke(app, ["--workspace", str(workspace), *args, "--json"])
        assert result.exit_code == 0, (args, result.stdout, result.stderr)

    ok("deploy")
    for name, index in {
        "gov_fund": 5,
        "bank": 6,
        "chipco": 7,
        "resist_a": 8,
        "resist_b": 9,
        "stranger": 12,
    }.items():
        ok("accounts", "add", name, str(index))
    ok("token", "mint", "gov_fund", "30000000.00")
    ok("token", "mint", "bank", "1000000.00")
    for who in ("resist_a", "resist_b"):
        ok(
            "supplier",
            "register",
            who,
            "--name",
            who,
            "--part",
            "ARF_RESIST",
            "--capacity",
            "8000000.00",
        )
    ok(
        "project",
        "create",
        "LITHO-14",
        "--owner",
        "chipco",
        "--line",
        "MATERIALS=12000000.00",
        "--line",
        "EQUIPMENT=9000000.00",
        "--milestone",
        "RESEARCH=8000000.00",
        "--milestone",
        "PILOT=13000000.00",
    )
    ok("project", "fund", "LITHO-14", "21000000.00", "--by", "gov_fund")
    ok("milestone", "approve", "LITHO-14", "0", "--evidence", "phase-1 report")
    ok("pool", "deposit", "1000000.00", "--by", "bank")
    return workspace


def state_of(workspace: Path) -> tuple[list[str], list[str]]:
    """Everything the workspace holds: its files, and every row of its database."""
    files = sorted(
        str(p.relative_to(workspace)) for p in workspace.rglob("*") if p.name != "write.lock"
    )
    # closed here, not when collected: an open connection keeps the -wal and -shm files
    with closing(sqlite3.connect(workspace / "workspace.sqlite")) as db:
        rows = list(db.iterdump())
    return files, rows


@pytest.mark.parametrize(
    ("args", "files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_input_is_one_line_exit_1_and_changes_nothing(
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    files: dict[str, str | bytes],
    expected: str,
) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(template, workspace)
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        write: Callable[..., int] = (
            (tmp_path / name).write_bytes
            if isinstance(content, bytes)
            else (tmp_path / name).write_text
        )
        write(content)
    before = state_of(workspace)
    runner = CliRunner()
    for as_json in (False, True):
        result = runner.invoke(
            app, ["--workspace", str(workspace), *args, *(["--json"] if as_json else [])]
        )
        assert result.exit_code == 1, (result.stdout, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.stdout + result.stderr
        if as_json:
            body = json.loads(result.stdout)
            assert body["ok"] is False and expected in body["error"]["message"], body
        else:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
            assert expected in lines[0], lines[0]
    assert state_of(workspace) == before


def test_the_table_has_at_least_60_cases() -> None:
    assert len(CASES) >= 60 and len({c[0] for c in CASES}) == len(CASES)
