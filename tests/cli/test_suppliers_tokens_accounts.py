"""Suppliers, tokens, roles and aliases through the CLI, including bad input."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Run


@pytest.fixture
def deployed(scf_json) -> None:  # type: ignore[no-untyped-def]
    scf_json("deploy")
    scf_json("accounts", "add", "resist_a", "8")
    scf_json("accounts", "add", "resist_b", "9")


def register(scf: Run, who: str, *extra: str) -> object:
    return scf(
        "supplier",
        "register",
        who,
        "--name",
        "Resist A",
        "--part",
        "ARF_RESIST",
        "--capacity",
        "8000000.00",
        *extra,
    )


def test_register_rate_qualify_show_and_list(scf: Run, scf_json, deployed) -> None:  # type: ignore[no-untyped-def]
    result = register(scf, "resist_a", "--score", "820")
    assert result.exit_code == 0, result.stderr
    assert "registered resist_a" in result.stdout and "score 820" in result.stdout
    assert (
        scf(
            "supplier",
            "register",
            "resist_b",
            "--name",
            "Resist B",
            "--part",
            "ARF_RESIST",
            "--capacity",
            "5000000.00",
        ).exit_code
        == 0
    )
    assert scf_json("supplier", "rate", "resist_b", "710")["gas_used"] > 0
    qualified = scf(
        "supplier", "qualify", "ARF_RESIST", "--supplier", "resist_b", "--lead-time", "45d"
    )
    assert qualified.stdout.strip() == (
        "resist_b is substitute #1 for ARF_RESIST: lead time 45 days, terms version 1"
    )
    (entry,) = scf_json("supplier", "substitutes", "ARF_RESIST")
    assert (entry["position"], entry["lead_days"], entry["terms_version"]) == (1, 45, 1)
    shown = scf_json("supplier", "show", "resist_b")
    assert shown["substitute_for"] == ["ARF_RESIST"]
    assert (shown["score"], shown["capacity"], shown["status"]) == (710, "5000000.00", "Active")
    listed = scf_json("supplier", "list")
    assert [(s["name"], s["score"], s["capacity"]) for s in listed] == [
        ("Resist A", 820, "8000000.00"),
        ("Resist B", 710, "5000000.00"),
    ]
    assert scf_json("supplier", "suspend", "resist_a")
    assert scf_json("supplier", "show", "resist_a")["status"] == "Suspended"
    assert scf_json("supplier", "reinstate", "resist_a")
    assert scf_json("supplier", "show", "resist_a")["status"] == "Active"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["0x1234", "--score", "500"],
            "error: address '0x1234' is not an address (0x followed by 40 hex digits)",
        ),
        (["resist_a", "--score", "1001"], "error: score 1001 is out of range: 0 to 1000"),
        (["resist_a", "--by", "oracle"], "error: oracle does not hold the registrar role"),
        (["nobody"], "error: unknown alias 'nobody'"),
    ],
)
def test_register_bad_input_is_one_line_and_changes_nothing(  # type: ignore[no-untyped-def]
    scf: Run, scf_json, deployed, args: list[str], message: str
) -> None:
    block = scf_json("chain", "status")["block"]
    result = register(scf, *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
    assert result.stdout == ""
    assert scf_json("supplier", "list") == []
    assert scf_json("chain", "status")["block"] == block


def test_rate_out_of_range_names_the_contract_error_in_json(scf: Run, deployed) -> None:  # type: ignore[no-untyped-def]
    register(scf, "resist_a")
    result = scf("supplier", "rate", "resist_a", "1001", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["message"] == "score 1001 is out of range: 0 to 1000"


def test_qualify_for_another_supplier_is_refused(scf: Run, deployed) -> None:  # type: ignore[no-untyped-def]
    register(scf, "resist_a")
    result = scf(
        "supplier",
        "qualify",
        "ARF_RESIST",
        "--supplier",
        "registrar",
        "--lead-time",
        "30d",
        "--json",
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["error"] == "RegistrySupplierUnknown"


@pytest.mark.parametrize(
    ("lead", "message"),
    [
        ("12h", "error: lead time '12h' must be a whole number of days, at least 1 (e.g. 45d)"),
        ("soon", "error: lead time 'soon' is not a duration"),
        ("366d", "error: RegistryLeadTimeOutOfRange"),
    ],
)
def test_a_bad_lead_time_is_one_line_and_changes_nothing(  # type: ignore[no-untyped-def]
    scf: Run, scf_json, deployed, lead: str, message: str
) -> None:
    register(scf, "resist_a")
    block = scf_json("chain", "status")["block"]
    result = scf("supplier", "qualify", "ARF_RESIST", "--supplier", "resist_a", "--lead-time", lead)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.split(": ")[0]), result.stderr
    assert message.split(": ", 1)[1].split(" ")[0] in lines[0], result.stderr
    assert scf_json("chain", "status")["block"] == block
    assert scf_json("supplier", "substitutes", "ARF_RESIST") == []


def test_the_registrar_unqualifies_a_substitute(scf: Run, scf_json, deployed) -> None:  # type: ignore[no-untyped-def]
    register(scf, "resist_a")
    scf_json("supplier", "qualify", "ARF_RESIST", "--supplier", "resist_a", "--lead-time", "30d")
    refused = scf(
        "supplier", "unqualify", "ARF_RESIST", "--substitute", "resist_a", "--by", "rater"
    )
    assert refused.exit_code == 1 and "rater does not hold the registrar role" in refused.stderr
    done = scf("supplier", "unqualify", "ARF_RESIST", "--substitute", "resist_a")
    assert done.stdout.strip() == "resist_a removed from the substitutes for ARF_RESIST"
    assert scf_json("supplier", "substitutes", "ARF_RESIST") == []


def test_token_mint_transfer_approve_and_balance(scf: Run, scf_json, deployed) -> None:  # type: ignore[no-untyped-def]
    scf_json("token", "mint", "resist_a", "1000.50")
    scf_json("token", "transfer", "resist_b", "0.50", "--by", "resist_a")
    scf_json("token", "approve", "admin", "10.00", "--by", "resist_b")
    assert scf_json("token", "balance", "resist_a")["balance"] == "1000.00"
    assert scf_json("token", "balance", "resist_b")["balance"] == "0.50"
    too_much = scf("token", "transfer", "resist_a", "5.00", "--by", "resist_b")
    assert too_much.exit_code == 1
    assert "holds 0.50; 5.00 needed" in too_much.stderr
    not_minter = scf("token", "mint", "resist_a", "5", "--by", "resist_b")
    assert "resist_b does not hold the minter role" in not_minter.stderr


@pytest.mark.parametrize("amount", ["1,5", "1.000,00", "\u0661\u0662", "1.2.3"])
def test_an_amount_outside_the_one_grammar_mints_nothing(  # type: ignore[no-untyped-def]
    scf: Run, scf_json, deployed, amount: str
) -> None:
    result = scf("token", "mint", "resist_a", amount)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f'error: amount {amount!r} is not an amount (write ASCII digits with one "." and at '
        'most 2 decimals, no grouping separators, e.g. "1250000.00")'
    )
    assert scf_json("token", "balance", "resist_a")["balance"] == "0.00"


def test_roles_list_grant_and_revoke(scf: Run, scf_json, deployed) -> None:  # type: ignore[no-untyped-def]
    held = {h["role"]: h["holders"] for h in scf_json("role", "list")}
    assert held == {
        "minter": ["admin"],
        "registrar": ["registrar"],
        "rater": ["rater"],
        "trigger": [],
        "creator": ["admin"],
        "reviewer": ["reviewer"],
        "financier": [],
        "oracle": ["oracle"],
    }
    scf_json("role", "grant", "rater", "resist_a")
    assert {h["role"]: h["holders"] for h in scf_json("role", "list")}["rater"] == [
        "rater",
        "resist_a",
    ]
    scf_json("role", "revoke", "rater", "resist_a")
    assert {h["role"]: h["holders"] for h in scf_json("role", "list")}["rater"] == ["rater"]
    bad = scf("role", "grant", "king", "resist_a")
    assert bad.exit_code == 1 and "unknown role 'king'" in bad.stderr
    by_non_admin = scf("role", "grant", "rater", "resist_a", "--by", "resist_a")
    assert (
        by_non_admin.exit_code == 1
        and "resist_a does not hold the admin role" in by_non_admin.stderr
    )


def test_accounts_list_shows_roles_and_balances_and_refuses_builtins(
    scf: Run, scf_json, deployed
) -> None:  # type: ignore[no-untyped-def]
    scf_json("token", "mint", "resist_a", "12.00")
    accounts = {a["alias"]: a for a in scf_json("accounts")}
    assert list(accounts)[:5] == ["admin", "registrar", "rater", "oracle", "reviewer"]
    assert accounts["registrar"]["roles"] == ["registrar"]
    assert accounts["resist_a"]["balance"] == "12.00"
    assert accounts["resist_a"]["target"] == "test account 8"
    refused = scf("accounts", "add", "admin", "7")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "error: 'admin' is a built-in alias and cannot be redefined"
    out_of_range = scf("accounts", "add", "far", "50")
    assert "this chain has 50 (0 to 49)" in out_of_range.stderr
    by_address = scf_json("accounts", "add", "bank", "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf")
    assert by_address["address"] == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"


def test_a_name_with_terminal_escape_codes_is_printed_escaped(scf: Run, deployed) -> None:  # type: ignore[no-untyped-def]
    name = "\x1b[31mRed\x1b[0m [bold]X"
    registered = scf(
        "supplier", "register", "resist_b", "--name", name, "--part", "ARF", "--capacity", "1.00"
    )
    assert registered.exit_code == 0, registered.stderr
    shown = scf("supplier", "show", "resist_b", env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.stderr
    assert "\x1b" not in shown.stdout
    assert "\\x1b[31mRed\\x1b[0m [bold]X" in shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["token", "mint", "resist_a", "0"],
        ["token", "transfer", "resist_b", "0.00", "--by", "resist_a"],
        ["pool", "deposit", "0", "--by", "resist_a"],
        ["pool", "withdraw", "0.00", "--by", "resist_a"],
    ],
)
def test_a_zero_amount_mines_nothing(scf: Run, scf_json, deployed, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    block = scf_json("chain", "status")["block"]
    result = scf(*args)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: the amount must be above 0"
    assert scf_json("chain", "status")["block"] == block


def test_attest_profile_and_publish_score(scf: Run, scf_json, deployed) -> None:  # type: ignore[no-untyped-def]
    assert register(scf, "resist_a").exit_code == 0
    attested = scf(
        "supplier", "attest", "resist_a", "TAX_GRADE", "A", "--source", "tax certificate 2026-118"
    )
    assert attested.exit_code == 0, attested.stderr
    assert attested.stdout.startswith("resist_a (0x")
    assert ": TAX_GRADE = 1 as of " in attested.stdout
    profile = scf_json("supplier", "profile", "resist_a")
    points = {f["name"]: f["points"] for f in profile["score"]["factors"]}
    assert points["tax_grade"] == 60
    assert profile["score"]["score"] == 500 + sum(points.values())
    assert profile["published"] == 0
    shown = scf("supplier", "profile", "resist_a")
    assert shown.exit_code == 0 and "tax_grade" in shown.stdout and "+60" in shown.stdout
    assert "attestations: TAX_GRADE = 1 (block " in shown.stdout
    published = scf_json("supplier", "publish-score", "resist_a")
    assert published["profile"]["score"]["score"] == profile["score"]["score"]
    assert scf_json("supplier", "show", "resist_a")["score"] == profile["score"]["score"]
    report = scf_json("audit", "report")
    (check,) = [c for c in report["checks"] if c["name"] == "published scores recompute"]
    assert check["ok"] and check["detail"].startswith("1 published score(s) recomputed")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("PATENTS", "many", "--source", "x"), "value 'many' is not a whole number"),
        (("TAX_GRADE", "Z", "--source", "x"), "value 'Z' is not a whole number"),
        (("PATENTS", "3", "--source", "x", "--as-of", "2026-13-01"), "is not a date (YYYY-MM-DD)"),
        (("PATENTS", "3", "--source", "x", "--as-of", "2999-01-01"), "is after the chain's time"),
        (("HEADCOUNT", "3", "--source", "x"), "indicator 'HEADCOUNT' is not one of"),
    ],
)
def test_bad_attestations_get_one_line_and_change_nothing(  # type: ignore[no-untyped-def]
    scf: Run, scf_json, deployed, args: tuple[str, ...], message: str
) -> None:
    assert register(scf, "resist_a").exit_code == 0
    before = scf_json("chain", "status")["block"]
    result = scf("supplier", "attest", "resist_a", *args)
    assert result.exit_code != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert scf_json("chain", "status")["block"] == before


def test_a_profile_of_an_unregistered_account_is_one_line(scf: Run, deployed) -> None:  # type: ignore[no-untyped-def]
    result = scf("supplier", "profile", "resist_b")
    assert result.exit_code != 0
    assert result.stderr.startswith("error: resist_b (0x")
    assert result.stderr.strip().endswith(") is not a registered supplier")
    assert len(result.stderr.strip().splitlines()) == 1
