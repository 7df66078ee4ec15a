"""`scf project …` and `scf milestone approve` through the CLI, including bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from web3.logs import DISCARD

from chain_client.config import Settings
from chain_client.contracts import Registry
from chain_client.session import open_session
from tests.cli.conftest import Run


@pytest.fixture
def project(scf: Run, scf_json: Any) -> None:
    scf_json("deploy")
    for name, index in {
        "gov_fund": 5,
        "chipco": 7,
        "resist_a": 8,
        "resist_b": 9,
        "team": 10,
    }.items():
        scf_json("accounts", "add", name, str(index))
    scf_json("token", "mint", "gov_fund", "30000000.00")
    for who in ("resist_a", "resist_b"):
        scf_json(
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
    scf_json(
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
        "--dual-control",
        "2000000.00",
    )
    scf_json("project", "fund", "LITHO-14", "21000000.00", "--by", "gov_fund")
    scf_json("milestone", "approve", "LITHO-14", "0", "--evidence", "phase-1 report")


def disburse(scf: Run, *args: str) -> Any:
    return scf("project", "disburse", "LITHO-14", *args)


def test_show_prints_lines_milestones_funders_and_flags(
    scf: Run, scf_json: Any, project: None
) -> None:
    result = disburse(
        scf,
        "--to",
        "resist_a",
        "--amount",
        "1900000.00",
        "--category",
        "MATERIALS",
        "--milestone",
        "0",
        "--memo",
        "lot 1",
    )
    assert result.exit_code == 0, result.stderr
    assert "paid 1,900,000.00 to resist_a" in result.stdout
    shown = scf_json("project", "show", "LITHO-14")
    assert (shown["balance"], shown["spent"], shown["free"]) == (
        "19100000.00",
        "1900000.00",
        "19100000.00",
    )
    assert [
        (ln["category"], ln["cap"], ln["spent"], ln["reserved"], ln["left"])
        for ln in shown["lines"]
    ] == [
        ("MATERIALS", "12000000.00", "1900000.00", "0.00", "10100000.00"),
        ("EQUIPMENT", "9000000.00", "0.00", "0.00", "9000000.00"),
    ]
    assert [(m["stage"], m["approved"], m["spent"]) for m in shown["milestones"]] == [
        ("RESEARCH", True, "1900000.00"),
        ("PILOT", False, "0.00"),
    ]
    assert [f["amount"] for f in shown["funders"]] == ["21000000.00"]
    assert [(f["code"], f["value"]) for f in shown["flags"]] == [("NEAR_THRESHOLD", 1_900_000_00)]
    human = scf("project", "show", "LITHO-14", env={"COLUMNS": "200"})
    for text in (
        "budget lines",
        "MATERIALS",
        "10,100,000.00",
        "PILOT",
        "pending",
        "NEAR_THRESHOLD",
        "1,900,000.00",
    ):
        assert text in human.stdout
    listed = scf_json("project", "list")
    assert [(p["id"], p["status"]) for p in listed] == [("LITHO-14", "Open")]


def _disrupt(workspace: Path, who: str) -> None:
    with open_session(Settings(workspace=workspace), writable=True) as session:
        registry = Registry(session)
        role = registry.contract.functions.TRIGGER_ROLE().call()
        session.transact(
            registry.contract.functions.grantRole(role, session.accounts.resolve("oracle")), "admin"
        )
        session.transact(
            registry.contract.functions.markDisrupted(session.accounts.resolve(who)), "oracle"
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--amount", "12000000.01", "--category", "MATERIALS", "--milestone", "0"],
            "error: budget line MATERIALS of LITHO-14 has 12,000,000.00 left; 12,000,000.01 asked",
        ),
        (
            ["--amount", "100.00", "--category", "MATERIALS", "--milestone", "1"],
            "error: milestone 1 of LITHO-14 is not approved",
        ),
        (
            ["--amount", "12.345", "--category", "MATERIALS", "--milestone", "0"],
            "error: amount '12.345' has more than 2 decimals",
        ),
        (
            ["--amount=-5", "--category", "MATERIALS", "--milestone", "0"],
            "error: amount '-5' is not an amount",
        ),
        (
            ["--amount", "100.00", "--category", "MATERIALS", "--milestone", "0", "--disrupted"],
            "error: resist_a is neither an Active registered supplier nor a team wallet of "
            "LITHO-14",
        ),
    ],
)
def test_bad_payments_are_one_line_and_change_nothing(  # type: ignore[no-untyped-def]
    scf: Run, scf_json: Any, project: None, workspace: Path, args: list[str], message: str
) -> None:
    if "--disrupted" in args:
        args = [a for a in args if a != "--disrupted"]
        _disrupt(workspace, "resist_a")
    before = scf_json("project", "show", "LITHO-14")
    block = scf_json("chain", "status")["block"]
    result = disburse(scf, "--to", "resist_a", *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
    assert scf_json("project", "show", "LITHO-14") == before
    assert scf_json("chain", "status")["block"] == block


def test_an_unknown_project_is_one_line(scf: Run, project: None) -> None:
    result = scf(
        "project",
        "disburse",
        "NOPE",
        "--to",
        "resist_a",
        "--amount",
        "1.00",
        "--category",
        "MATERIALS",
        "--milestone",
        "0",
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no project NOPE (list them with `scf project list`)"


def test_a_csv_of_100_payments_lands_as_100_events(
    scf: Run, scf_json: Any, project: None, tmp_path: Path, workspace: Path
) -> None:
    scf_json("project", "team", "add", "LITHO-14", "team")
    rows = ["to,amount,category,milestone,memo,invoice"]
    payees = ["resist_a", "resist_b", "team"]
    for i in range(100):
        category = "MATERIALS" if i % 2 else "EQUIPMENT"
        rows.append(f"{payees[i % 3]},{1000 + i}.50,{category},0,item {i},INV-{i}")
    path = tmp_path / "payments.csv"
    path.write_text("\n".join(rows) + "\n")
    result = scf_json("project", "disburse", "LITHO-14", "--csv", str(path))
    assert (result["payments"], result["skipped"], len(result["chunks"])) == (100, 0, 1)
    total = sum((1000 + i) * 100 + 50 for i in range(100))
    assert result["total"] == f"{total // 100}.{total % 100:02d}"
    with open_session(Settings(workspace=workspace), writable=False) as session:
        from chain_client.contracts import Ledger

        ledger = Ledger(session)
        tx_hash = result["chunks"][0]["transaction"]["tx_hash"]
        receipt = session.w3.eth.get_transaction_receipt(tx_hash)
        paid = ledger.contract.events.FundsDisbursed().process_receipt(receipt, errors=DISCARD)
        assert len(paid) == 100
        assert [e["args"]["memo"] for e in paid] == [f"item {i}" for i in range(100)]
    assert scf_json("project", "show", "LITHO-14")["spent"] == result["total"]


def test_a_long_csv_is_paid_in_chunks_and_running_it_again_pays_nothing_twice(
    scf: Run, scf_json: Any, project: None, tmp_path: Path
) -> None:
    rows = ["to,amount,category,milestone,memo,invoice"]
    rows += [f"resist_{'ab'[i % 2]},1.00,MATERIALS,0,item {i},INV-{i}" for i in range(450)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    result = scf("project", "disburse", "LITHO-14", "--csv", str(path))
    assert result.exit_code == 0, result.stderr
    assert "paid 450 payments, 450.00 in all, from LITHO-14 in 3 transaction(s)" in result.stdout
    again = scf_json("project", "disburse", "LITHO-14", "--csv", str(path))
    assert (again["payments"], again["skipped"], again["total"]) == (0, 450, "0.00")
    assert [(c["chunk"], c["rows"], c["status"]) for c in again["chunks"]] == [
        (1, 200, "already paid"),
        (2, 200, "already paid"),
        (3, 50, "already paid"),
    ]
    assert scf_json("project", "show", "LITHO-14")["spent"] == "450.00"
    month = scf_json("project", "disburse", "LITHO-14", "--csv", str(path), "--run", "2027-01")
    assert (month["payments"], month["skipped"]) == (450, 0)


def test_a_file_with_a_suspended_payee_is_refused_whole_before_anything_is_sent(
    scf: Run, scf_json: Any, project: None, tmp_path: Path
) -> None:
    rows = ["to,amount,category,milestone,memo,invoice"]
    rows += ["resist_a,1.00,MATERIALS,0,,"] * 200 + ["resist_b,1.00,MATERIALS,0,,"] * 10
    path = tmp_path / "payments.csv"
    path.write_text("\n".join(rows) + "\n")
    scf_json("supplier", "suspend", "resist_b")
    block = scf_json("chain", "status")["block"]
    result = scf("project", "disburse", "LITHO-14", "--csv", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: resist_b (0x4CCe…1528) is neither an Active registered supplier nor a team "
        "wallet of LITHO-14 (payments 1-210 of the file, not paid yet); nothing was sent"
    ]
    assert scf_json("chain", "status")["block"] == block
    scf_json("supplier", "reinstate", "resist_b")
    paid = scf_json("project", "disburse", "LITHO-14", "--csv", str(path))
    assert (paid["payments"], paid["skipped"]) == (210, 0)
    assert scf_json("project", "show", "LITHO-14")["spent"] == "210.00"


def test_a_spreadsheet_csv_with_a_byte_order_mark_is_read(  # type: ignore[no-untyped-def]
    scf: Run, scf_json: Any, project: None, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbfto,amount,category,milestone,memo,invoice\r\n"
        b"resist_a,12.50,MATERIALS,0,lot 2,INV-7\r\n"
    )
    result = scf_json("project", "disburse", "LITHO-14", "--csv", str(path))
    assert (result["payments"], result["total"]) == (1, "12.50")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "to,amount,category,milestone,memo\nresist_a,1.00,MATERIALS,0,x\n",
            "missing column(s) invoice; expected to,amount,category,milestone,memo,invoice",
        ),
        (
            "to,amount,category,milestone,memo,invoice\nresist_a,1.00,MATERIALS,0,x,\nresist_b,1.001,MATERIALS,0,y,\n",
            "row 3: amount '1.001' has more than 2 decimals",
        ),
        (
            "to,amount,category,milestone,memo,invoice\nresist_a,1.00,MATERIALS,zero,x,\n",
            "row 2: milestone 'zero' is not a milestone number",
        ),
        ("to,amount,category,milestone,memo,invoice\n", "has no payment rows"),
        (
            "to,amount,category,milestone,memo,invoice,approved\nresist_a,1.00,MATERIALS,0,x,,y\n",
            "unknown column(s) approved; expected to,amount,category,milestone,memo,invoice",
        ),
        (
            "to,amount,category,milestone,memo,invoice\nresist_a,1.00,MATERIALS,0,x,,extra\n",
            "row 2: more values than the 6 columns",
        ),
        (
            "to,amount,category,milestone,memo,invoice\nresist_a,1,5,MATERIALS,0,x\n",
            "row 2: milestone 'MATERIALS' is not a milestone number",
        ),
        (
            "to,amount,category,milestone,memo,invoice\nresist_a,1.00,MATERIALS,\u0660,x,\n",
            "row 2: milestone '\u0660' is not a milestone number",
        ),
    ],
)
def test_a_bad_csv_is_refused_whole_naming_the_row(  # type: ignore[no-untyped-def]
    scf: Run, scf_json: Any, project: None, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    block = scf_json("chain", "status")["block"]
    result = scf("project", "disburse", "LITHO-14", "--csv", str(path))
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert scf_json("chain", "status")["block"] == block


def test_dual_control_reallocation_close_and_claim(scf: Run, scf_json: Any, project: None) -> None:
    big = [
        "--to",
        "resist_a",
        "--amount",
        "2500000.00",
        "--category",
        "MATERIALS",
        "--milestone",
        "0",
    ]
    refused = disburse(scf, *big)
    assert refused.exit_code == 1 and "has no reviewer pre-approval" in refused.stderr
    scf_json("project", "approve-payment", "LITHO-14", *big)
    assert scf_json("project", "disburse", "LITHO-14", *big)["total"] == "2500000.00"
    proposal = scf_json(
        "project",
        "reallocate",
        "LITHO-14",
        "1000000.00",
        "--from",
        "EQUIPMENT",
        "--to",
        "MATERIALS",
    )
    assert proposal["proposal"] == 1
    scf_json("project", "approve-reallocation", "LITHO-14", "1")
    caps = [ln["cap"] for ln in scf_json("project", "show", "LITHO-14")["lines"]]
    assert caps == ["13000000.00", "8000000.00"]
    assert scf_json("project", "close", "LITHO-14")["remaining"] == "18500000.00"
    assert scf_json("project", "claim", "LITHO-14", "--by", "gov_fund")["claimed"] == "18500000.00"
    assert scf_json("token", "balance", "gov_fund")["balance"] == "27500000.00"
    again = scf("project", "claim", "LITHO-14", "--by", "gov_fund")
    assert again.exit_code == 1 and "gov_fund has nothing to claim from LITHO-14" in again.stderr


def test_pause_and_unpause(scf: Run, scf_json: Any, project: None) -> None:
    scf_json("pause")
    pay = ["--to", "resist_a", "--amount", "1.00", "--category", "MATERIALS", "--milestone", "0"]
    paused = disburse(scf, *pay)
    assert (
        paused.stderr.strip()
        == "error: payments are paused by the admin (the admin runs `scf unpause`)"
    )
    not_admin = scf("unpause", "--by", "reviewer")
    assert "reviewer does not hold the admin role" in not_admin.stderr
    scf_json("unpause")
    assert disburse(scf, *pay).exit_code == 0
    out = json.loads(scf("project", "flags", "LITHO-14", "--json").stdout)
    assert out == []
