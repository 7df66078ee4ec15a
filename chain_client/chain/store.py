"""A key-value mapping kept in SQLite that writes only what changed, in one transaction.

py-evm keeps a chain's whole state in a flat key-value store (trie nodes, blocks, receipts,
canonical indexes). `SqliteKV` is that store for the embedded chain: reads go to SQLite on a
miss and are cached; writes and deletes stay in memory until `flush()`, which writes just the
changed keys in one SQLite transaction. A process killed at any moment leaves either the
previous or the new state, never a mix, and the cost of a flush does not grow with the chain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, MutableMapping

_MISSING = object()


class SqliteKV(MutableMapping[bytes, bytes]):
    """A `bytes -> bytes` mapping over the table `chain_kv` of a SQLite connection.

    The table is created by the workspace (see `workspace.SCHEMA`). A read-only store never
    writes: its changes (py-evm may write while answering a call) are dropped.
    """

    def __init__(self, connection: sqlite3.Connection, *, writable: bool = True) -> None:
        self._db = connection
        self._writable = writable
        self._cache: dict[bytes, object] = {}
        self._dirty: set[bytes] = set()

    def _load(self, key: bytes) -> object:
        cached = self._cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached
        row = self._db.execute("SELECT value FROM chain_kv WHERE key = ?", (key,)).fetchone()
        value: object = bytes(row[0]) if row else None
        self._cache[key] = value
        return value

    def __getitem__(self, key: bytes) -> bytes:
        value = self._load(key)
        if value is None:
            raise KeyError(key)
        return value  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self._load(key) is not None

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._cache[key] = bytes(value)
        self._dirty.add(key)

    def __delitem__(self, key: bytes) -> None:
        if key not in self:
            raise KeyError(key)
        self._cache[key] = None
        self._dirty.add(key)

    def __iter__(self) -> Iterator[bytes]:
        self.flush()
        for (key,) in self._db.execute("SELECT key FROM chain_kv"):
            yield bytes(key)

    def __len__(self) -> int:
        self.flush()
        return int(self._db.execute("SELECT COUNT(*) FROM chain_kv").fetchone()[0])

    @property
    def pending(self) -> int:
        """Number of changed keys not yet flushed."""
        return len(self._dirty)

    def flush(self) -> int:
        """Write the changed keys in one transaction; returns how many were written."""
        if not self._dirty or not self._writable:
            return 0
        upserts = []
        deletes = []
        for key in self._dirty:
            value = self._cache[key]
            if value is None:
                deletes.append((key,))
            else:
                upserts.append((key, value))
        with self._db:
            self._db.executemany(
                "INSERT INTO chain_kv (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                upserts,
            )
            self._db.executemany("DELETE FROM chain_kv WHERE key = ?", deletes)
        count = len(self._dirty)
        self._dirty.clear()
        return count

    def is_empty(self) -> bool:
        """True when nothing was ever stored (a new workspace)."""
        return (
            not self._dirty
            and self._db.execute("SELECT 1 FROM chain_kv LIMIT 1").fetchone() is None
        )
