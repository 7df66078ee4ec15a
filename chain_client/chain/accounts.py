"""Aliases: names for accounts, and the keys that sign for them.

Built-in aliases are admin (0), registrar (1), rater (2), oracle (3) and reviewer (4), test
accounts by index. Users add names for other test accounts (index 5 and up) or for
addresses; those live in the workspace. Redefining a built-in alias is refused.

Where the node does not hold an alias's key, scf signs locally with a key from the
environment (`SCF_KEY_<NAME>`, hex) or an encrypted keystore file
(`<workspace>/keys/<name>.json`, password in `SCF_KEYSTORE_PASSWORD`). A built-in alias with
a key configured this way means that key's address.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel, ConfigDict

from ..errors import AccountError, InputError
from ..units import parse_address
from .workspace import Workspace

BUILTIN_ALIASES: dict[str, int] = {
    "admin": 0,
    "registrar": 1,
    "rater": 2,
    "oracle": 3,
    "reviewer": 4,
}
ALIASES_KEY = "aliases"
KEYS_DIR = "keys"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class AliasTarget(BaseModel):
    """What an alias names: a test-account index or an address."""

    model_config = ConfigDict(frozen=True)

    index: int | None = None
    address: ChecksumAddress | None = None

    def describe(self) -> str:
        return f"test account {self.index}" if self.index is not None else str(self.address)


def key_env_name(name: str) -> str:
    return "SCF_KEY_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def parse_target(text: str) -> AliasTarget:
    """`5` -> test account 5; `0x…` -> that address."""
    text = text.strip()
    if text.isdigit():
        return AliasTarget(index=int(text))
    if text.startswith("0x"):
        return AliasTarget(address=parse_address(text))
    raise InputError(f"{text!r} is neither a test-account index nor an address")


class Accounts:
    """Resolves aliases to addresses on one chain, and finds local keys to sign with."""

    def __init__(self, workspace: Workspace, test_accounts: list[ChecksumAddress]) -> None:
        self.workspace = workspace
        self.test_accounts = test_accounts
        self._keys: dict[str, LocalAccount | None] = {}

    def user_aliases(self) -> dict[str, AliasTarget]:
        stored = self.workspace.get(ALIASES_KEY, {})
        return {name: AliasTarget(**target) for name, target in stored.items()}

    def all(self) -> dict[str, AliasTarget]:
        builtins = {name: AliasTarget(index=i) for name, i in BUILTIN_ALIASES.items()}
        return {**builtins, **self.user_aliases()}

    def add(self, name: str, target: AliasTarget, keystore: Path | None = None) -> None:
        """Name `target`. Refuses built-in names, bad names and names already taken."""
        if name in BUILTIN_ALIASES:
            raise AccountError(f"{name!r} is a built-in alias and cannot be redefined")
        if not _NAME.match(name):
            raise InputError(
                f"alias {name!r} must start with a letter and use a-z, 0-9, _ or - (at most 32)"
            )
        existing = self.user_aliases()
        if name in existing and existing[name] != target:
            raise AccountError(
                f"alias {name!r} already names {existing[name].describe()}",
                hint="pick another name",
            )
        if target.index is not None:
            self._test_account(target.index, name)
        if keystore is not None:
            self._install_keystore(name, keystore, target)
        stored = {n: t.model_dump(exclude_none=True) for n, t in existing.items()}
        stored[name] = target.model_dump(exclude_none=True)
        self.workspace.put(ALIASES_KEY, stored)

    def _install_keystore(self, name: str, keystore: Path, target: AliasTarget) -> None:
        try:
            data = json.loads(keystore.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read keystore {keystore}: {exc}") from exc
        address = data.get("address", "")
        if (
            target.address is None
            or not is_address("0x" + address.removeprefix("0x"))
            or (to_checksum_address("0x" + address.removeprefix("0x")) != target.address)
        ):
            raise AccountError(f"keystore {keystore} is not for {target.describe()}")
        folder = self.workspace.path / KEYS_DIR
        folder.mkdir(exist_ok=True)
        shutil.copyfile(keystore, folder / f"{name}.json")

    def _test_account(self, index: int, name: str) -> ChecksumAddress:
        if index >= len(self.test_accounts):
            if not self.test_accounts:
                raise AccountError(
                    f"alias {name!r} is test account {index}, but this chain has no test accounts",
                    hint=f"map it to an address and give its key in {key_env_name(name)}",
                )
            raise AccountError(
                f"alias {name!r} is test account {index}; this chain has "
                f"{len(self.test_accounts)} (0 to {len(self.test_accounts) - 1})"
            )
        return self.test_accounts[index]

    def resolve(self, who: str) -> ChecksumAddress:
        """An alias or a 0x address, as a checksummed address."""
        if who.startswith("0x"):
            return parse_address(who)
        keyed = self._key_address(who)
        if keyed is not None:
            return keyed
        target = self.all().get(who)
        if target is None:
            raise AccountError(
                f"unknown alias {who!r}",
                hint="list them with `scf accounts`, add one with `scf accounts add`",
            )
        if target.address is not None:
            return target.address
        assert target.index is not None
        return self._test_account(target.index, who)

    def name_of(self, address: str) -> str | None:
        """The alias naming `address`, if any (built-ins first)."""
        for name in self.all():
            try:
                if self.resolve(name) == address:
                    return name
            except AccountError:
                continue
        return None

    def _keystore_path(self, name: str) -> Path:
        return self.workspace.path / KEYS_DIR / f"{name}.json"

    def _key_address(self, name: str) -> ChecksumAddress | None:
        """The address of the key configured for `name` (env or keystore), unlocking nothing."""
        raw = os.environ.get(key_env_name(name))
        if raw:
            key = self.local_key(name)
            return to_checksum_address(key.address) if key else None
        path = self._keystore_path(name)
        if path.is_file():
            try:
                address = json.loads(path.read_text())["address"]
                return to_checksum_address("0x" + str(address).removeprefix("0x"))
            except (OSError, ValueError, KeyError) as exc:
                raise AccountError(f"keystore {path} is unreadable: {exc}") from exc
        return None

    def local_key(self, name: str) -> LocalAccount | None:
        """The local signing key for alias `name`, from env or keystore, or None."""
        if name in self._keys:
            return self._keys[name]
        key: LocalAccount | None = None
        raw = os.environ.get(key_env_name(name))
        if raw:
            try:
                key = Account.from_key(raw)
            except (ValueError, TypeError) as exc:
                raise AccountError(f"{key_env_name(name)} is not a private key") from exc
        else:
            path = self._keystore_path(name)
            if path.is_file():
                password = os.environ.get("SCF_KEYSTORE_PASSWORD")
                if password is None:
                    raise AccountError(
                        f"alias {name!r} has a keystore; set SCF_KEYSTORE_PASSWORD to unlock it"
                    )
                try:
                    key = Account.from_key(Account.decrypt(json.loads(path.read_text()), password))
                except ValueError as exc:
                    raise AccountError(f"cannot unlock the keystore of {name!r}: {exc}") from exc
        self._keys[name] = key
        return key

    def signer_for(self, address: ChecksumAddress) -> LocalAccount | None:
        """A local key whose address is `address`, among the aliases' keys."""
        for name in self.all():
            if self._key_address(name) == address:
                return self.local_key(name)
        return None
