"""The embedded chain persists in the workspace, writes only what changed, and locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chain_client.chain.store import SqliteKV
from chain_client.chain.workspace import Workspace
from chain_client.config import Settings
from chain_client.errors import WorkspaceBusy
from chain_client.session import open_session


def test_a_new_process_sees_the_chain_the_previous_one_left(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws")
    with open_session(settings, writable=True) as session:
        a, b = session.w3.eth.accounts[0], session.w3.eth.accounts[1]
        session.w3.eth.send_transaction({"from": a, "to": b, "value": 12345})
        block, balance = session.w3.eth.block_number, session.w3.eth.get_balance(b)
    script = (
        "from chain_client.config import Settings\n"
        "from chain_client.session import open_session\n"
        f"settings = Settings(workspace={str(settings.workspace)!r})\n"
        "with open_session(settings, writable=False) as s:\n"
        f"    print(s.w3.eth.block_number, s.w3.eth.get_balance({b!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(block), str(balance)]


def test_each_block_writes_only_the_keys_it_changed(tmp_path: Path) -> None:
    with open_session(Settings(workspace=tmp_path / "ws"), writable=True) as session:
        db = session.workspace.db
        assert db is not None
        a, b = session.w3.eth.accounts[0], session.w3.eth.accounts[1]
        counts = []
        for _ in range(30):
            before = db.execute("SELECT COUNT(*) FROM chain_kv").fetchone()[0]
            session.w3.eth.send_transaction({"from": a, "to": b, "value": 1})
            counts.append(db.execute("SELECT COUNT(*) FROM chain_kv").fetchone()[0] - before)
        total = db.execute("SELECT COUNT(*) FROM chain_kv").fetchone()[0]
    # A transfer block adds a bounded number of keys, the same at block 30 as at block 1,
    # and far fewer than the store holds.
    assert max(counts[-10:]) <= max(counts[:10]) + 2
    assert max(counts) < total / 10


def test_store_flush_is_one_transaction_and_unflushed_changes_are_lost(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws", writable=True) as ws:
        assert ws.db is not None
        store = SqliteKV(ws.db)
        store[b"a"] = b"1"
        store[b"b"] = b"2"
        assert store.flush() == 2
        store[b"c"] = b"3"
        del store[b"a"]
        assert store.pending == 2
    with Workspace(tmp_path / "ws", writable=False) as ws:
        assert ws.db is not None
        reopened = SqliteKV(ws.db, writable=False)
        assert reopened[b"a"] == b"1" and b"c" not in reopened and len(reopened) == 2


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws", writable=True):
        with pytest.raises(WorkspaceBusy) as excinfo:
            Workspace(tmp_path / "ws", writable=True)
        assert f"(pid {os.getpid()}) is writing it" in str(excinfo.value)
        # readers are not blocked
        with Workspace(tmp_path / "ws", writable=False) as reader:
            assert reader.exists


def test_a_reader_does_not_create_a_workspace(tmp_path: Path) -> None:
    with open_session(Settings(workspace=tmp_path / "none"), writable=False) as session:
        assert session.w3.eth.block_number == 0
    assert not (tmp_path / "none").exists()


WRITER = """
import sys
from chain_client.config import Settings
from chain_client.session import open_session
with open_session(Settings(workspace=sys.argv[1]), writable=True) as s:
    a, b = s.w3.eth.accounts[0], s.w3.eth.accounts[1]
    while True:
        s.w3.eth.send_transaction({"from": a, "to": b, "value": 1})
        print(s.w3.eth.block_number, flush=True)
"""


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.7])
def test_a_writer_killed_with_sigkill_leaves_a_loadable_workspace(
    tmp_path: Path, delay: float
) -> None:
    workspace = tmp_path / "ws"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(workspace)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    first = writer.stdout.readline()  # the writer is running and has committed a block
    assert first.strip().isdigit()
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    reported = [int(line) for line in [first, *writer.stdout.read().split()] if str(line).strip()]
    writer.wait()
    with open_session(Settings(workspace=workspace), writable=True) as session:
        block = session.w3.eth.block_number
        # every block the writer reported before dying is there; at most one more landed
        assert max(reported) <= block <= max(reported) + 1
        head = session.w3.eth.get_block(block)
        assert session.w3.eth.get_block(head["parentHash"])["number"] == block - 1
        a, b = session.w3.eth.accounts[0], session.w3.eth.accounts[1]
        session.w3.eth.send_transaction({"from": a, "to": b, "value": 1})
        assert session.w3.eth.block_number == block + 1
