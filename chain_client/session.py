"""A session: one chain, one workspace, the aliases and the deployment, and sending.

`open_session(settings, writable=...)` is the one place where the backend is chosen from the
settings: the embedded chain persisted in the workspace, or a JSON-RPC node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import TimeExhausted, Web3Exception
from web3.types import TxParams, TxReceipt

from .chain.accounts import Accounts, key_env_name
from .chain.node import TEST_CHAIN_IDS, node_web3
from .chain.workspace import Workspace
from .config import Settings
from .errors import (
    AccountError,
    ConfigurationError,
    DeploymentError,
    ScfError,
    TransactionError,
    TransactionUnconfirmed,
)
from .models import ChainStatus, Deployment, TxResult, timestamp
from .revert import decode_revert, revert_data

if TYPE_CHECKING:
    from .chain.embedded import PersistentPyEVMBackend

DEPLOYMENT_KEY = "deployment:{chain_id}"


class Session:
    """An open chain and workspace. Create with `open_session`."""

    def __init__(
        self,
        settings: Settings,
        workspace: Workspace,
        w3: Web3,
        backend: PersistentPyEVMBackend | None,
    ) -> None:
        self.settings = settings
        self.workspace = workspace
        self.w3 = w3
        self.embedded = backend
        self.chain_id = int(w3.eth.chain_id)
        self.is_test_chain = backend is not None or self._node_is_test_chain()
        test_accounts = (
            [to_checksum_address(a) for a in w3.eth.accounts] if self.is_test_chain else []
        )
        self.accounts = Accounts(workspace, test_accounts)
        self._unlocked: set[str] | None = None
        self._reader: str | None = None
        self._gas_limit: int | None = None
        #: When set, each transaction's block is stamped with the time it returns.
        self.clock: Callable[[], int] | None = None
        #: Receipts of every transaction this session sent, in order.
        self.journal: list[TxReceipt] = []
        self._deployment_checked = False
        #: A played copy (risk what-if): a read-only embedded session whose chain store
        #: drops every change, in which transactions may still be sent.
        self.simulation = False

    def _node_is_test_chain(self) -> bool:
        if self.chain_id in TEST_CHAIN_IDS:
            return True
        try:
            client = str(self.w3.client_version).lower()
        except Web3Exception:
            return False
        return client.startswith(("anvil", "hardhat", "ganache"))

    @property
    def backend_name(self) -> str:
        return "embedded" if self.embedded is not None else "node"

    # deployments

    def deployment(self) -> Deployment:
        """The deployment recorded for this chain; `DeploymentError` when there is none."""
        found = self.find_deployment()
        if found is None:
            raise DeploymentError(
                f"nothing is deployed on chain {self.chain_id} for workspace {self.workspace.path}",
                hint="run `scf deploy` first",
            )
        if not self._deployment_checked:
            # once per session: a node restarted without its state answers calls to the
            # recorded addresses with nothing, and writes there "succeed" doing nothing
            if not self.is_live(found):
                raise DeploymentError(
                    f"chain {self.chain_id} ({self.settings.chain}) does not hold the deployment "
                    f"this workspace recorded at block {found.block}",
                    hint="the node may have been restarted without its state: start it with "
                    "its state, or deploy again with `scf deploy --force`",
                )
            self._deployment_checked = True
        return found

    def find_deployment(self) -> Deployment | None:
        raw = self.workspace.get(DEPLOYMENT_KEY.format(chain_id=self.chain_id))
        return Deployment.model_validate(raw) if raw else None

    def record_deployment(self, deployment: Deployment) -> None:
        self.workspace.put(
            DEPLOYMENT_KEY.format(chain_id=self.chain_id), deployment.model_dump(mode="json")
        )

    def is_live(self, deployment: Deployment) -> bool:
        """Whether every contract of `deployment` still has code on this chain."""
        return all(self.w3.eth.get_code(c.address) for c in deployment.contracts.values())

    # names

    def name_of(self, address: str) -> str:
        """`alias (0x12…ab)` for a known address, the address otherwise."""
        alias = self.accounts.name_of(address)
        return f"{alias} ({address[:6]}…{address[-4:]})" if alias else address

    def decode(self, exc: BaseException) -> ScfError | None:
        data = revert_data(exc)
        if data is None:
            return None
        return decode_revert(data, namer=lambda a: self.accounts.name_of(a) or a)

    # sending

    def transact(
        self, call: ContractFunction | Any, sender: str, *, value: int = 0
    ) -> tuple[TxResult, TxReceipt]:
        """Send `call` (a contract function, or a constructor) as `sender` (alias or address).

        Reverts raise the decoded named error before anything is sent; a mined failure raises
        `TransactionError`. Signs locally when a key for the sender is configured.
        """
        self._require_writable()
        address = self.accounts.resolve(sender)
        params: dict[str, Any] = {"from": address}
        if value:
            params["value"] = value
        if self.clock is not None:
            self.set_next_timestamp(self.clock())
        key = self.accounts.signer_for(address)
        if key is None and address not in self._node_keys():
            alias = self.accounts.name_of(address) or sender
            raise AccountError(
                f"no key to sign for {alias} ({address}): the chain does not hold it",
                hint=f"set {key_env_name(alias)} or add a keystore with `scf accounts add`",
            )
        try:
            if self.embedded is not None:
                # eth-tester estimates gas by a binary search that runs the transaction a
                # dozen times; one eth_call under the block's gas limit finds any revert
                # (and its named error) at the cost of one run, and the limit is only
                # charged for the gas actually used.
                params["gas"] = self._block_gas_limit()
            else:
                # a node's estimate is the least gas that succeeded one block earlier; state
                # that moves with the clock (interest accrued, a slot going from zero to not)
                # can need more when mined, and a sub-call short of gas reverts the whole
                # call. A quarter more, as wallets add, is never charged if unused.
                estimate = int(call.estimate_gas(cast(TxParams, params)))
                params["gas"] = min(self._block_gas_limit(), estimate + estimate // 4)
            tx: Any = call.build_transaction(cast(TxParams, params))
            if self.embedded is not None:
                self.w3.eth.call(tx)
            if key is None:
                tx_hash = self.w3.eth.send_transaction(tx)
            else:
                tx["nonce"] = self.w3.eth.get_transaction_count(address, "pending")
                tx["chainId"] = self.chain_id
                signed = key.sign_transaction(tx)
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        except TimeExhausted as exc:
            raise TransactionUnconfirmed(f"transaction not mined within 120 s: {exc}") from None
        except ScfError:
            raise
        except Exception as exc:  # noqa: BLE001 - web3 and eth-tester raise many kinds
            decoded = self.decode(exc)
            if decoded is not None:
                raise decoded from None
            if (
                isinstance(exc, ValueError | Web3Exception)
                or type(exc).__name__ == "TransactionFailed"
            ):
                raise TransactionError(f"transaction refused: {_first_line(exc)}") from None
            raise
        if receipt["status"] != 1:
            raise TransactionError(f"transaction {receipt['transactionHash'].hex()} reverted")
        self.journal.append(receipt)
        return TxResult(
            tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
            block=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            sender=address,
        ), receipt

    def _block_gas_limit(self) -> int:
        if self._gas_limit is None:
            self._gas_limit = int(self.w3.eth.get_block("latest")["gasLimit"])
        return self._gas_limit

    def _node_keys(self) -> set[str]:
        """Addresses whose keys the chain itself holds (eth_accounts)."""
        if self._unlocked is None:
            self._unlocked = {to_checksum_address(a) for a in self.w3.eth.accounts}
        return self._unlocked

    def _read_sender(self) -> str:
        """The sender of reads (`eth_call`); no view of scf's contracts depends on it. The
        embedded chain charges a call's gas to its sender, so there it is a funded account
        of the chain; a node is asked nothing and gets the zero address."""
        if self._reader is None:
            self._reader = (
                to_checksum_address(self.w3.eth.accounts[0])
                if self.embedded is not None
                else "0x0000000000000000000000000000000000000000"
            )
        return self._reader

    def call(self, fn: ContractFunction | Any) -> Any:
        """Read `fn`; a revert raises its decoded named error."""
        try:
            # an explicit sender: without one, web3's eth-tester middleware asks the chain for
            # every account (and derives each address) before each read
            return fn.call({"from": self._read_sender()})
        except Exception as exc:  # noqa: BLE001
            decoded = self.decode(exc)
            if decoded is not None:
                raise decoded from None
            raise

    def _require_writable(self) -> None:
        if self.simulation and self.embedded is not None:
            return
        if not self.workspace.writable:
            raise ConfigurationError("this session is read-only")

    # time

    def latest_timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def advance_time(self, seconds: int) -> int:
        """Move the chain's clock forward by `seconds` and mine a block; returns its timestamp."""
        self._require_writable()
        if not self.is_test_chain:
            raise ConfigurationError("time can only be moved on a test chain")
        if seconds <= 0:
            raise ConfigurationError("time moves forward only: give a positive duration")
        target = self.latest_timestamp() + seconds
        if self.embedded is not None:
            # eth-tester stamps the next block one second before the requested time
            self.w3.provider.ethereum_tester.time_travel(target + 1)  # type: ignore[attr-defined]
        else:
            self.w3.provider.make_request("evm_setNextBlockTimestamp", [target])  # type: ignore[arg-type]
            self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        return self.latest_timestamp()

    def set_next_timestamp(self, timestamp: int) -> None:
        """Stamp the next block with `timestamp` (test chains), e.g. for a scripted clock."""
        if self.embedded is not None:
            self.embedded.set_next_timestamp(timestamp)
        else:
            self.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]

    def mine_at(self, timestamp: int) -> None:
        """Mine an empty block stamped `timestamp` (test chains)."""
        self._require_writable()
        self.set_next_timestamp(timestamp)
        if self.embedded is not None:
            self.w3.provider.ethereum_tester.mine_blocks(1)  # type: ignore[attr-defined]
        else:
            self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def status(self) -> ChainStatus:
        block = self.w3.eth.get_block("latest")
        return ChainStatus(
            backend=self.backend_name,
            chain=self.settings.chain,
            chain_id=self.chain_id,
            block=int(block["number"]),
            timestamp=timestamp(int(block["timestamp"])),
            test_chain=self.is_test_chain,
            workspace=str(self.workspace.path),
            deployment=self.find_deployment(),
        )

    def close(self) -> None:
        if self.embedded is not None and self.workspace.writable:
            self.embedded.flush()
        self.workspace.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


@contextmanager
def open_session(settings: Settings, *, writable: bool) -> Iterator[Session]:
    """Open the workspace and the chain `settings` name. Writers hold the workspace lock."""
    workspace = Workspace(settings.workspace, writable=writable)
    try:
        if settings.is_embedded:
            # py-evm is imported only for the embedded chain: a node session never loads it
            from .chain.embedded import embedded_web3

            w3, backend = embedded_web3(workspace.db, writable=writable)
        else:
            w3, backend = node_web3(settings.chain), None
        session = Session(settings, workspace, w3, backend)
    except BaseException:
        workspace.close()
        raise
    try:
        yield session
    finally:
        session.close()
