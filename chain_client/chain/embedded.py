"""The embedded chain: eth-tester's py-evm backend whose state lives in the workspace.

py-evm keeps the chain in a flat key-value store; here that store is a `SqliteKV` over the
workspace database, and every block mined (each transaction, each time jump) is flushed as
one SQLite transaction of the keys it changed. A new process rebuilds the chain over the
same store and resumes at its canonical head, with contracts, balances and history.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth_tester import EthereumTester, PyEVMBackend
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider

from .store import SqliteKV

#: Funded test accounts on the embedded chain (DESIGN: at least 50).
TEST_ACCOUNTS = 50
CHAIN_ID = 131277322940537


class PersistentPyEVMBackend(PyEVMBackend):
    """A py-evm backend over a `SqliteKV`, flushed after every change to the chain."""

    def __init__(self, store: SqliteKV | None) -> None:
        genesis_state = PyEVMBackend.generate_genesis_state(num_accounts=TEST_ACCOUNTS)
        super().__init__(genesis_state=genesis_state)
        self.store = store
        if store is None:
            return
        fresh: Any = self.chain  # type: ignore[has-type]  # set by PyEVMBackend.__init__
        chain_class = type(fresh)
        if store.is_empty():
            # A new workspace: keep this genesis, moving its keys into the store.
            memory = fresh.chaindb.db.wrapped_db
            for key, value in memory.kv_store.items():
                store[key] = value
            memory.kv_store = store
            store.flush()
        else:
            # Resume: the same chain class over the stored keys picks up the canonical head.
            self.chain = chain_class(AtomicDB(MemoryDB(store)))  # type: ignore[arg-type]

    def flush(self) -> None:
        if self.store is not None:
            self.store.flush()

    def mine_blocks(self, num_blocks: int = 1, coinbase: Any = None) -> tuple[bytes, ...]:
        kwargs = {} if coinbase is None else {"coinbase": coinbase}
        hashes = super().mine_blocks(num_blocks, **kwargs)
        self.flush()
        return hashes  # type: ignore[no-any-return]

    def set_next_timestamp(self, timestamp: int) -> None:
        """Stamp the block being built (the next one mined) with `timestamp`."""
        self.chain.header = self.chain.header.copy(timestamp=timestamp)

    def revert_to_snapshot(self, snapshot: bytes) -> None:
        super().revert_to_snapshot(snapshot)
        self.flush()


def embedded_web3(
    db: sqlite3.Connection | None, *, writable: bool
) -> tuple[Web3, PersistentPyEVMBackend]:
    """A Web3 over the embedded chain kept in `db` (None: a throwaway chain in memory)."""
    store = SqliteKV(db, writable=writable) if db is not None else None
    backend = PersistentPyEVMBackend(store)
    tester = EthereumTester(backend=backend)
    return Web3(EthereumTesterProvider(tester)), backend
