"""Typed wrappers, one per contract: calls in (Python values), records out (models)."""

from .ledger import Ledger
from .registry import Registry
from .token import Token

__all__ = ["Ledger", "Registry", "Token"]
