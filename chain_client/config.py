"""Settings: which chain, which workspace, and where the project's tools live.

One setting picks the chain: "embedded" (the default: an eth-tester chain persisted in the
workspace) or the URL of a JSON-RPC node. It comes from `--chain` or `SCF_CHAIN`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from .errors import ConfigurationError

EMBEDDED = "embedded"
DEFAULT_WORKSPACE = ".scf"

#: The package's own folder, and the source checkout around it when installed in place.
PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent


class Settings(BaseModel):
    """Where scf works: the chain (embedded or a node URL) and the workspace folder."""

    model_config = ConfigDict(frozen=True)

    chain: str = EMBEDDED
    workspace: Path = Path(DEFAULT_WORKSPACE)

    @field_validator("chain")
    @classmethod
    def _chain_is_embedded_or_url(cls, value: str) -> str:
        value = value.strip()
        if value == EMBEDDED or value.startswith(("http://", "https://")):
            return value
        raise ConfigurationError(
            f"chain {value!r} is neither 'embedded' nor an http(s):// JSON-RPC URL"
        )

    @property
    def is_embedded(self) -> bool:
        return self.chain == EMBEDDED

    @classmethod
    def from_env(cls, chain: str | None = None, workspace: Path | str | None = None) -> Settings:
        """Explicit values first, then SCF_CHAIN / SCF_WORKSPACE, then the defaults."""
        return cls(
            chain=chain or os.environ.get("SCF_CHAIN") or EMBEDDED,
            workspace=Path(workspace or os.environ.get("SCF_WORKSPACE") or DEFAULT_WORKSPACE),
        )


def find_node_modules() -> Path | None:
    """The npm folder holding solc, OpenZeppelin and anvil.

    SCF_NODE_MODULES first, then a `node_modules` in the working folder or one above it,
    then the one beside the source checkout.
    """
    explicit = os.environ.get("SCF_NODE_MODULES")
    if explicit:
        return Path(explicit)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents, SOURCE_ROOT):
        candidate = folder / "node_modules"
        if (candidate / "solc").is_dir() or (candidate / "@foundry-rs").is_dir():
            return candidate
    return None
