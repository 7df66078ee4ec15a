"""The workspace: a folder (`.scf/` by default) holding everything one user's scf keeps.

One SQLite file, `workspace.sqlite`, holds the embedded chain's key-value state, the
deployments per chain id and the user's aliases, so that a write to any of them lands whole
or not at all. A file lock (`write.lock`) lets one process write at a time; readers work on a
consistent snapshot without it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import suppress
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..errors import WorkspaceBusy, WorkspaceError

#: Created in one transaction, so a process killed while creating a workspace leaves either
#: both tables or none (an empty database file, which reads as a new workspace).
SCHEMA = """
BEGIN;
CREATE TABLE IF NOT EXISTS chain_kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
COMMIT;
"""
DATABASE = "workspace.sqlite"
LOCK = "write.lock"
LOCK_OWNER = "write.lock.owner"


class Workspace:
    """An opened workspace folder. Use as a context manager, or call `close()`.

    `writable=True` takes the write lock (refused at once with `WorkspaceBusy` when another
    process holds it) and creates the folder if needed; `writable=False` reads a snapshot and
    creates nothing (a missing folder reads as empty).
    """

    def __init__(self, path: Path | str, *, writable: bool) -> None:
        self.path = Path(path)
        self.writable = writable
        self._lock: FileLock | None = None
        self.db: sqlite3.Connection | None = None
        if writable:
            self._open_for_writing()
        elif (self.path / DATABASE).is_file():
            self._open_for_reading()

    @property
    def exists(self) -> bool:
        return self.db is not None

    def _open_for_writing(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create workspace {self.path}: {exc.strerror}") from exc
        lock = FileLock(str(self.path / LOCK), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            owner = self._lock_owner()
            raise WorkspaceBusy(
                f"workspace {self.path} is busy: another scf process{owner} is writing it",
                hint="wait for it to finish, or use another --workspace",
            ) from None
        except OSError as exc:  # after Timeout, which is an OSError too: the lock path is a
            # folder, or cannot be written
            raise WorkspaceError(
                f"cannot take the write lock {self.path / LOCK}: {exc.strerror}",
                hint="the workspace folder is damaged; remove that path if no scf is running",
            ) from None
        self._lock = lock
        (self.path / LOCK_OWNER).write_text(str(os.getpid()))
        self.db = self._connect()
        try:
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise WorkspaceError(
                f"workspace {self.path} is damaged: {exc}",
                hint="restore it from a copy, or use another --workspace",
            ) from None

    def _open_for_reading(self) -> None:
        db = self.db = self._connect()
        try:
            # A read transaction in WAL mode: every later read sees this one snapshot.
            db.execute("BEGIN")
            tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if tables == 0:  # created by a process killed before its schema: nothing in it
                db.close()
                self.db = None
                return
            db.execute("SELECT COUNT(*) FROM meta").fetchone()
        except sqlite3.DatabaseError as exc:
            db.close()
            self.db = None
            raise WorkspaceError(
                f"workspace {self.path} is damaged: {exc}",
                hint="restore it from a copy, or use another --workspace",
            ) from None

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                self.path / DATABASE, isolation_level=None if not self.writable else "DEFERRED"
            )
            db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL: a committed transaction survives the process
            # being killed; the database is never left half-written.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=5000")
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"workspace {self.path} cannot be opened: {exc}") from exc
        return db

    def _lock_owner(self) -> str:
        with suppress(OSError):
            pid = (self.path / LOCK_OWNER).read_text().strip()
            if pid:
                return f" (pid {pid})"
        return ""

    def get(self, key: str, default: Any = None) -> Any:
        """A JSON value stored under `key`, or `default`."""
        if self.db is None:
            return default
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def put(self, key: str, value: Any) -> None:
        """Store a JSON value under `key` (its own transaction)."""
        if self.db is None or not self.writable:
            raise WorkspaceError(f"workspace {self.path} is open read-only")
        with self.db:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, sort_keys=True)),
            )

    def delete(self, key: str) -> None:
        if self.db is None or not self.writable:
            raise WorkspaceError(f"workspace {self.path} is open read-only")
        with self.db:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    def close(self) -> None:
        if self.db is not None:
            if not self.writable:
                with suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            self.db.close()
            self.db = None
        if self._lock is not None:
            with suppress(OSError):
                (self.path / LOCK_OWNER).unlink()
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
