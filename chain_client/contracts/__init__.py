"""Typed wrappers, one per contract: calls in (Python values), records out (models)."""

from .financing import Financing
from .ledger import Ledger
from .pool import Pool
from .registry import Registry
from .token import Token

__all__ = ["Financing", "Ledger", "Pool", "Registry", "Token"]
