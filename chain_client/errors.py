"""The exception tree: every failure scf reports derives from `ScfError`.

Families: bad input (`InputError`), workspace (`WorkspaceError`), connection
(`ChainConnectionError`), compilation (`CompilationError`), deployment (`DeploymentError`) and
transactions (`TransactionError`), whose `ContractRevert` carries a decoded Solidity custom
error by name with its arguments.
"""

from __future__ import annotations

from typing import Any


class ScfError(Exception):
    """Root of every error scf raises on purpose. `str(error)` is one line for a person."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(ScfError):
    """A value given by the user is malformed: an amount, address, identifier or duration."""


class ConfigurationError(ScfError):
    """Settings are inconsistent or name something that does not exist."""


class WorkspaceError(ScfError):
    """The workspace folder cannot be read or written."""


class WorkspaceBusy(WorkspaceError):
    """Another scf process holds the workspace's write lock."""


class ChainConnectionError(ScfError):
    """The chain cannot be reached or does not answer as an Ethereum node."""


class CompilationError(ScfError):
    """The Solidity sources do not compile, or no compiler is available."""


class DeploymentError(ScfError):
    """No deployment where one is needed, or one already live where none is wanted."""


class AccountError(ScfError):
    """An alias is unknown, redefined, or has no key to sign with."""


class TransactionError(ScfError):
    """A transaction could not be sent or did not succeed."""


class TransactionUnconfirmed(TransactionError):
    """A transaction was sent but its receipt did not come: it may or may not have landed."""


class ContractRevert(TransactionError):
    """A contract call reverted with a Solidity custom error, decoded by name.

    `error_name` is the Solidity error's name and `arguments` its arguments by parameter
    name, as Python values (addresses checksummed, bytes32 as bytes).
    """

    def __init__(
        self,
        error_name: str,
        arguments: dict[str, Any],
        message: str,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.error_name = error_name
        self.arguments = arguments


class UnknownRevert(TransactionError):
    """A contract call reverted with data that matches no known error."""

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data
