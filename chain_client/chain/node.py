"""JSON-RPC nodes: connecting to any endpoint, and running a local anvil for the user.

`scf node start` runs anvil from npm (`@foundry-rs/anvil`) on loopback with its state file in
the workspace, so the chain survives restarts; its pid and URL are kept in `node.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import requests
from web3 import HTTPProvider, Web3

from ..config import find_node_modules
from ..errors import ChainConnectionError, ConfigurationError

NODE_FILE = "node.json"
ANVIL_STATE = "anvil-state.json"
ANVIL_ACCOUNTS = 50
DEFAULT_PORT = 8545
#: Chain ids of local development nodes (anvil, hardhat, ganache): test chains.
TEST_CHAIN_IDS = {31337, 1337}


class NodeProvider(HTTPProvider):
    """web3's HTTP provider, with a node that stops answering turned into one
    `ChainConnectionError` (after web3's own retries) instead of a transport traceback."""

    def make_request(self, method: Any, params: Any) -> Any:
        try:
            return super().make_request(method, params)
        except (requests.ConnectionError, requests.Timeout) as exc:
            lost = ChainConnectionError(
                f"lost the node at {self.endpoint_uri} during {method}: {_reason(exc)}",
                hint="a transaction sent just before may or may not have landed; once the node "
                "is back, `scf audit report` shows what did",
            )
            lost.__cause__ = exc  # for node_web3's first-contact message
            raise lost from exc


def node_web3(url: str, timeout: float = 30.0) -> Web3:
    """A Web3 for the node at `url`, checked to answer; `ChainConnectionError` if not."""
    w3 = Web3(NodeProvider(url, request_kwargs={"timeout": timeout}))
    try:
        w3.eth.chain_id  # noqa: B018 - the first call checks the node answers
    except Exception as exc:  # noqa: BLE001 - any transport failure means unreachable
        cause = exc.__cause__ if isinstance(exc, ChainConnectionError) and exc.__cause__ else exc
        raise ChainConnectionError(
            f"cannot reach a node at {url}: {_reason(cause)}",
            hint="start one with `scf node start`, or check --chain / SCF_CHAIN",
        ) from None
    return w3


def _reason(exc: BaseException) -> str:
    """A short cause for a failed first request."""
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or host unreachable"
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


def find_anvil() -> Path:
    """anvil from SCF_ANVIL, the project's npm folder, or PATH."""
    explicit = os.environ.get("SCF_ANVIL")
    if explicit:
        return Path(explicit)
    modules = find_node_modules()
    if modules:
        for candidate in (
            modules / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil",
            modules / "@foundry-rs" / "anvil-linux-arm64" / "bin" / "anvil",
            modules / ".bin" / "anvil",
        ):
            if candidate.exists():
                return candidate
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise ConfigurationError("anvil not found", hint="run scripts/setup to install it from npm")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_node(workspace: Path) -> dict[str, Any] | None:
    """The node this workspace started, if its process still runs."""
    path = workspace / NODE_FILE
    if not path.is_file():
        return None
    info = json.loads(path.read_text())
    return info if _alive(int(info["pid"])) else None


def start_anvil(
    workspace: Path,
    port: int = DEFAULT_PORT,
    *,
    accounts: int = ANVIL_ACCOUNTS,
    wait: float = 30.0,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Start anvil on 127.0.0.1:`port` with its state in the workspace; returns its record.
    `extra` are further anvil flags (the gas profile adds `--steps-tracing`)."""
    running = read_node(workspace)
    if running:
        return {**running, "already_running": True}
    if not _port_free(port):
        raise ChainConnectionError(
            f"port {port} on 127.0.0.1 is already in use", hint="choose another with --port"
        )
    workspace.mkdir(parents=True, exist_ok=True)
    state = workspace / ANVIL_STATE
    log = open(workspace / "anvil.log", "ab")  # noqa: SIM115 - handed to the child process
    command = [
        str(find_anvil()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--accounts",
        str(accounts),
        "--state",
        str(state),
        "--state-interval",
        "1",
        *extra,
    ]
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while True:
        if process.poll() is not None:
            raise ChainConnectionError(
                f"anvil exited at start (code {process.returncode}); see {workspace / 'anvil.log'}"
            )
        try:
            node_web3(url, timeout=1).eth.block_number  # noqa: B018
            break
        except ChainConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    info = {"pid": process.pid, "url": url, "port": port, "state": str(state)}
    (workspace / NODE_FILE).write_text(json.dumps(info))
    return info


def stop_anvil(workspace: Path, wait: float = 10.0) -> dict[str, Any] | None:
    """Stop the node this workspace started (its state is saved first); None if none ran."""
    info = read_node(workspace)
    (workspace / NODE_FILE).unlink(missing_ok=True)
    if info is None:
        return None
    pid = int(info["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while _alive(pid) and time.monotonic() < deadline:
        _try_reap(pid)
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    return info


def _try_reap(pid: int) -> None:
    """Collect a child's exit status if it is ours, so it does not linger as a zombie."""
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
