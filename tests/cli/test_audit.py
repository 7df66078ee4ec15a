"""The audit on a real (embedded) chain: clean books, surplus, export and tamper evidence."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from chain_client.audit.collect import collect
from chain_client.config import SOURCE_ROOT, Settings
from chain_client.contracts import Token
from chain_client.session import open_session
from tests.cli.conftest import Run

EXAMPLE = SOURCE_ROOT / "examples" / "litho-export-control.yaml"


@pytest.fixture
def story(scf: Run, workspace: Path) -> Path:
    result = scf("scenario", "run", str(EXAMPLE), "--keep", "--json")
    assert result.exit_code == 0, result.stderr
    return workspace


def test_the_story_audits_clean_with_its_books(scf_json: Any, story: Path) -> None:
    report = scf_json("audit", "report")
    assert report["clean"] is True
    assert [c["name"] for c in report["checks"]] == [
        "project conservation",
        "contract holdings",
        "pool cash",
        "budget caps",
        "approved milestones",
        "eligible payees",
        "dual control",
        "batches paid once",
        "facilities traceable",
        "published scores recompute",
        "decisions replayed",
    ]
    (project,) = report["projects"]
    assert (project["funded"], project["disbursed"], project["reserved"], project["balance"]) == (
        "21000000.00",
        "4200000.00",
        "0.00",
        "16800000.00",
    )
    # 2,100,000.00 at 5 % a year for 60 days (17,260.27) and the seconds of the scenario's
    # blocks (its clock is fixed, so the figure is too)
    assert (report["pool"]["advances"], report["pool"]["interest"]) == ("2100000.00", "17260.44")
    assert report["findings"] == []


def test_tokens_sent_straight_to_a_contract_are_surplus_not_a_broken_book(
    scf: Run, scf_json: Any, story: Path
) -> None:
    with open_session(Settings(workspace=story), writable=True) as session:
        ledger = session.deployment().address("FundLedger")
        Token(session).transfer(ledger, 123_45, sender="gov_fund")
    report = scf_json("audit", "report")
    assert report["clean"] is True
    assert report["findings"] == [
        {
            "kind": "unattributed surplus",
            "subject": "FundLedger",
            "detail": "holds 123.45 more than its events account for",
        }
    ]


def test_a_second_audit_reads_only_new_blocks(story: Path) -> None:
    with open_session(Settings(workspace=story), writable=True) as session:
        first = collect(session)
        db = session.workspace.db
        assert db is not None
        cursor = db.execute("SELECT block FROM audit_cursor").fetchone()[0]
        assert cursor == session.w3.eth.block_number
        Token(session).mint("bank", 1_00)
        read: list[tuple[int, int]] = []
        second = collect(session, progress=lambda done, total: read.append((done, total)))
    assert len(second) == len(first) + 1
    assert len(read) == 1  # one page: the one new block


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_then_verify_names_changed_added_and_dropped_rows(
    scf: Run, scf_json: Any, story: Path, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"rows{suffix}"
    manifest = scf_json("audit", "export", "--output", str(path))
    assert manifest["rows"] == 6 and manifest["chain_id"] == 131277322940537
    assert (tmp_path / f"rows{suffix}.manifest.json").is_file()
    assert scf_json("audit", "verify", str(path))["holds"] is True
    original = path.read_text()

    def tamper(edit: Any) -> dict[str, Any]:
        if suffix == ".csv":
            rows = list(csv.DictReader(original.splitlines()))
            rows = edit(rows)
            with path.open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        else:
            rows = [json.loads(line) for line in original.splitlines()]
            path.write_text("".join(json.dumps(r) + "\n" for r in edit(rows)))
        result = scf("audit", "verify", str(path), "--json")
        assert result.exit_code == 1
        return json.loads(result.stdout)

    def change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[2]["amount"] = (
            str(int(rows[2]["amount"]) + 1) if suffix == ".csv" else rows[2]["amount"] + 1
        )
        return rows

    changed = tamper(change)
    assert (changed["changed"], changed["added"], changed["dropped"]) == ([3], [], [])
    assert changed["chain_breaks"] == [3]  # its hash no longer follows from its content

    def rehash(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[1]["hash"] = "0" * 64  # content kept, the chain's link broken
        return rows

    relinked = tamper(rehash)
    assert (relinked["changed"], relinked["chain_breaks"]) == ([], [2])
    added = tamper(lambda rows: [*rows, {**rows[0], "log_index": 99, "hash": "x"}])
    assert added["added"] == [7]
    dropped = tamper(lambda rows: rows[:4] + rows[5:])
    assert len(dropped["dropped"]) == 1 and dropped["dropped"][0].startswith("block ")
    human = scf("audit", "verify", str(path))
    assert "DOES NOT HOLD" in human.stdout


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=8000",
]


def test_the_html_report_renders_its_flow_diagram_in_chromium(
    scf_json: Any, story: Path, tmp_path: Path
) -> None:
    import shutil
    import subprocess

    page = tmp_path / "audit.html"
    written = scf_json("audit", "html", "--output", str(page))
    assert written["clean"] is True
    text = page.read_text()
    assert "<script" in text and "cdn.plot.ly" not in text.split("<body>")[0]  # self-contained
    browser = shutil.which("chromium")
    assert browser, "chromium is installed by scripts/setup"
    dom = subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert 'class="sankey"' in dom  # plotly drew the diagram
    for label in (
        "funder gov_fund",
        "project LITHO-14",
        "LITHO-14 · MATERIALS",
        "payee resist_a",
        "payee resist_b",
        "substitute resist_b",
        "pool",
    ):
        assert f">{label}<" in dom, label
    assert 'id="verdict">clean<' in dom


def test_explain_replays_one_orders_life_in_words(scf: Run, scf_json: Any, story: Path) -> None:
    result = scf("audit", "explain", "1", env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "order 1:"
    assert lines[3].startswith("  3. passed over resist_c (") and lines[3].endswith(
        "LATER_DELIVERY"
    )
    assert (
        lines[4].startswith("  4. moved to resist_b (")
        and "advance 2,100,000.00 at 5.00%" in lines[4]
    )
    assert lines[-1].startswith("  9. settled: 2,117,260.44 to the pool, 882,739.56 to resist_b (")
    body = scf_json("audit", "explain", "1")
    assert body["order"] == 1 and len(body["story"]) == 9
    missing = scf("audit", "explain", "7")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "error: no order 7 (list them with `scf order list`)"


def test_the_html_report_shows_each_disruption_with_its_decisions(
    scf: Run, story: Path, tmp_path: Path
) -> None:
    page = tmp_path / "audit.html"
    assert scf("audit", "html", "-o", str(page)).exit_code == 0
    text = page.read_text()
    episodes = text[text.index('<div id="episodes">') :]
    assert "resist_a (0xF7Ed…fA5c)'s disruption (report #1)" in episodes
    assert "passed over resist_c (0x3DA8…4E49): LATER_DELIVERY" in episodes


def test_many_findings_are_summarised_by_kind_and_all_listed_on_request(story: Path) -> None:
    from rich.console import Console

    from chain_client.audit.checks import Finding
    from chain_client.audit.report import run_audit
    from cli.audit import render

    with open_session(Settings(workspace=story), writable=True) as session:
        report = run_audit(session)
        found = [
            Finding(kind=kind, subject=f"LITHO-{i}", detail=f"{kind} number {i}")
            for kind, count in (("near threshold", 15), ("payee share", 10))
            for i in range(count)
        ]
        many = report.model_copy(update={"findings": found})

        def shown(**options: bool) -> str:
            console = Console(record=True, width=200)
            console.print(render(session, many, **options))
            return console.export_text()

        summary = shown()
        total = len(found) + len(report.patterns)
        assert f"findings and patterns worth a look: {total}, by kind (each one with --all)" in (
            summary
        )
        rows = [[c.strip() for c in line.split("│")] for line in summary.splitlines()]
        assert ["near threshold", "15", "LITHO-0", "near threshold number 0"] in rows
        assert ["payee share", "10", "LITHO-0", "payee share number 0"] in rows
        assert "number 14" not in summary
        every = shown(every_finding=True)
        assert all(f"{f.kind} number {f.subject[6:]}" in every for f in found)


def test_risk_whatif_plays_a_cut_off_and_keeps_nothing(
    scf: Run, scf_json: Any, story: Path
) -> None:
    before = scf_json("chain", "status")["block"]
    body = scf_json("risk", "whatif", "resist_b")
    assert (body["open_orders"], body["advanced"], body["unfinanced"]) == (0, "0.00", 0)
    text = scf("risk", "whatif", "resist_b")
    assert text.exit_code == 0, text.stderr
    flat = " ".join(text.stdout.split())  # the console wraps long lines
    assert flat.startswith("if resist_b (0x") and "0 open order(s), 0 would move" in flat
    cut = scf("risk", "whatif", "resist_a")
    assert cut.exit_code != 0
    assert cut.stderr.strip().endswith("is Disrupted: only an Active supplier can be cut off")
    assert len(cut.stderr.strip().splitlines()) == 1
    assert scf_json("chain", "status")["block"] == before
    assert scf_json("supplier", "show", "resist_b")["status"] == "Active"


def test_risk_report_lists_parts_and_findings(scf: Run, scf_json: Any, story: Path) -> None:
    body = scf_json("risk", "report")
    (resist,) = [p for p in body["parts"] if p["part"] == "ARF_RESIST"]
    # resist_a is cut off; resist_b and resist_c make the part and stand in for each other
    assert (len(resist["makers"]), resist["substitutes"], len(resist["eligible"])) == (2, 2, 2)
    assert not [f for f in body["findings"] if f["kind"] == "NO_ELIGIBLE_SUBSTITUTE"]
    concentrated = [f for f in body["findings"] if f["kind"] == "CONCENTRATION"]
    assert len(concentrated) == 2
    assert all(f["detail"].startswith("chipco (0x") for f in concentrated)
    assert all(f["detail"].endswith(") places 100.00 % of its business") for f in concentrated)
    text = scf("risk", "report")
    assert text.exit_code == 0 and "CONCENTRATION" in text.stdout
