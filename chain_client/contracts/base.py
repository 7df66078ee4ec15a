"""What every contract wrapper shares: its deployed contract and its session."""

from __future__ import annotations

from typing import Any

from ..artifacts import load_artifact
from ..session import Session


class Bound:
    """A deployed contract of the session's deployment, by artifact name."""

    artifact: str = ""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.address = session.deployment().address(self.artifact)
        self.contract: Any = session.w3.eth.contract(
            address=self.address, abi=load_artifact(self.artifact)["abi"]
        )

    def resolve(self, who: str) -> Any:
        return self.session.accounts.resolve(who)
