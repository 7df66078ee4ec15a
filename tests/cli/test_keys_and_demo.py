"""Local signing from an encrypted keystore, and the demo."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from tests.cli.conftest import Run, scf_process


def test_an_alias_with_a_keystore_signs_locally(scf: Run, scf_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scf_json("deploy")
    key = Account.create()
    keystore = tmp_path / "lab.json"
    keystore.write_text(json.dumps(Account.encrypt(key.key, "s3cret")))
    added = scf_json("accounts", "add", "lab", key.address, "--keystore", str(keystore))
    assert added["address"] == key.address
    scf_json("token", "mint", "lab", "10.00")
    locked = scf("token", "transfer", "admin", "1.00", "--by", "lab")
    assert locked.exit_code == 1
    assert locked.stderr.strip() == (
        "error: alias 'lab' has a keystore; set SCF_KEYSTORE_PASSWORD to unlock it"
    )
    # the embedded chain does not hold this key: gas money first, then a signed transfer
    scf_json("accounts", "add", "faucet", "20")
    from chain_client.config import Settings
    from chain_client.session import open_session

    workspace = Path(scf_json("chain", "status")["workspace"])
    with open_session(Settings(workspace=workspace), writable=True) as session:
        session.w3.eth.send_transaction(
            {"from": session.accounts.resolve("faucet"), "to": key.address, "value": 10**18}
        )
    wrong = scf(
        "token", "transfer", "admin", "1.00", "--by", "lab", env={"SCF_KEYSTORE_PASSWORD": "nope"}
    )
    assert wrong.exit_code == 1 and "cannot unlock the keystore of 'lab'" in wrong.stderr
    sent = scf(
        "token",
        "transfer",
        "admin",
        "1.00",
        "--by",
        "lab",
        "--json",
        env={"SCF_KEYSTORE_PASSWORD": "s3cret"},
    )
    assert sent.exit_code == 0, sent.stderr
    assert json.loads(sent.stdout)["sender"] == key.address
    assert scf_json("token", "balance", "lab")["balance"] == "9.00"


def test_a_keystore_for_another_address_is_refused(scf: Run, tmp_path: Path) -> None:
    key = Account.create()
    keystore = tmp_path / "k.json"
    keystore.write_text(json.dumps(Account.encrypt(key.key, "pw")))
    result = scf("accounts", "add", "lab", "0x" + "ab" * 20, "--keystore", str(keystore))
    assert result.exit_code == 1
    assert "is not for 0x" in result.stderr


def test_the_demo_runs_twice_each_time_in_a_new_workspace(tmp_path: Path) -> None:
    outputs = []
    for _ in range(2):
        result = scf_process(
            tmp_path / "unused", "demo", "--root", str(tmp_path / "demo"), "--json"
        )
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    first, second = outputs
    assert first["workspace"] != second["workspace"]
    assert first["run"]["transactions"] == second["run"]["transactions"] == 23
    assert first["audit"]["clean"] is True and first["audit"]["events"] == 69
    shown = scf_process(Path(first["workspace"]), "project", "show", "LITHO-14", "--json")
    project = json.loads(shown.stdout)
    assert (project["spent"], project["balance"]) == ("4200000.00", "16800000.00")
