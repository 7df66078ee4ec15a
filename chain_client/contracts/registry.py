"""The supplier registry: onboarding, ratings, status and substitute lists."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress

from ..artifacts import load_artifact
from ..errors import InputError
from ..models import SubstituteRecord, SupplierRecord, TxResult, timestamp
from ..units import from_bytes32, parse_days, to_bytes32
from .base import Bound

STATUSES = ("None", "Active", "Disrupted", "Suspended")
MAX_SCORE = 1000
MAX_INPUTS = 16


class Registry(Bound):
    """The deployment's SupplierRegistry."""

    artifact = "SupplierRegistry"

    def register(
        self, account: str, name: str, parts: list[str], capacity: int, *, sender: str = "registrar"
    ) -> TxResult:
        """Register `account` as an Active supplier of `parts` with `capacity`."""
        if not parts:
            raise InputError("a supplier needs at least one part code")
        fn = self.contract.functions.register(
            self.resolve(account),
            to_bytes32(name, field="name"),
            [to_bytes32(p, field="part code") for p in parts],
            capacity,
        )
        return self.session.transact(fn, sender)[0]

    def rate(self, account: str, score: int, *, sender: str = "rater") -> TxResult:
        if not 0 <= score <= MAX_SCORE:
            raise InputError(f"score {score} is out of range: 0 to {MAX_SCORE}")
        return self.session.transact(
            self.contract.functions.rate(self.resolve(account), score), sender
        )[0]

    def suspend(self, account: str, *, sender: str = "registrar") -> TxResult:
        return self.session.transact(
            self.contract.functions.suspend(self.resolve(account)), sender
        )[0]

    def reinstate(self, account: str, *, sender: str = "registrar") -> TxResult:
        return self.session.transact(
            self.contract.functions.reinstate(self.resolve(account)), sender
        )[0]

    def qualify(
        self,
        part: str,
        lead_time: str | int,
        *,
        supplier: str,
        terms_version: int | None = None,
    ) -> TxResult:
        """`supplier` opts in, with its own transaction, as a substitute for `part`, quoting
        its lead time ("45d", or a number of days) and accepting terms version
        `terms_version` (the one in force now when not given; the contract refuses a version
        that is no longer current, so a change of terms mined first cannot bind it).
        Qualifying again re-confirms and keeps the list position."""
        days = parse_days(lead_time)
        if days > 65_535:
            raise InputError(f"lead time {lead_time!r} is out of range")
        if terms_version is None:
            terms_version = int(self.session.call(self._policy().functions.termsVersion()))
        elif isinstance(terms_version, bool) or not 1 <= terms_version < 2**32:
            raise InputError(f"terms version {terms_version!r} is out of range")
        fn = self.contract.functions.qualify(
            to_bytes32(part, field="part code"), days, terms_version
        )
        return self.session.transact(fn, supplier)[0]

    def _policy(self) -> Any:
        return self.session.w3.eth.contract(
            address=self.session.deployment().address("FinancingPolicy"),
            abi=load_artifact("FinancingPolicy")["abi"],
        )

    def readmit(self, part: str, substitute: str, *, sender: str = "registrar") -> TxResult:
        """The registrar lifts its bar: `substitute` may opt in for `part` again."""
        fn = self.contract.functions.readmit(
            to_bytes32(part, field="part code"), self.resolve(substitute)
        )
        return self.session.transact(fn, sender)[0]

    def unqualify(self, part: str, substitute: str, *, sender: str = "registrar") -> TxResult:
        """The registrar takes `substitute` off `part`'s list and bars it from opting in for
        `part` again until `readmit`."""
        fn = self.contract.functions.unqualify(
            to_bytes32(part, field="part code"), self.resolve(substitute)
        )
        return self.session.transact(fn, sender)[0]

    def withdraw_qualification(self, part: str, *, supplier: str) -> TxResult:
        fn = self.contract.functions.withdrawQualification(to_bytes32(part, field="part code"))
        return self.session.transact(fn, supplier)[0]

    def supplier(self, who: str) -> SupplierRecord:
        """The registry's record of `who`; `InputError` when not registered."""
        address = self.resolve(who)
        record = self.session.call(self.contract.functions.supplier(address))
        if record[4] == 0:
            raise InputError(f"{self.session.name_of(address)} is not a registered supplier")
        return self._record(address, record)

    def set_region(
        self, account: str, region: str | None, *, sender: str = "registrar"
    ) -> TxResult:
        """Set `account`'s region (None or "": no region)."""
        code = to_bytes32(region, field="region") if region else bytes(32)
        fn = self.contract.functions.setRegion(self.resolve(account), code)
        return self.session.transact(fn, sender)[0]

    def declare_inputs(
        self, account: str, inputs: list[str], *, sender: str = "registrar"
    ) -> TxResult:
        """Record the upstream inputs (part codes) `account` sources, replacing the list."""
        if len(inputs) > MAX_INPUTS:
            raise InputError(f"{len(inputs)} upstream inputs: at most {MAX_INPUTS}")
        if len(set(inputs)) != len(inputs):
            raise InputError("an upstream input is listed twice")
        codes = [to_bytes32(p, field="part code") for p in inputs]
        fn = self.contract.functions.declareInputs(self.resolve(account), codes)
        return self.session.transact(fn, sender)[0]

    def region_of(self, who: str) -> str | None:
        code = self.session.call(self.contract.functions.regionOf(self.resolve(who)))
        return from_bytes32(code) or None

    def region_members(self, region: str) -> list[ChecksumAddress]:
        """The suppliers in `region` now, in order of joining (each once)."""
        code = to_bytes32(region, field="region")
        f = self.contract.functions
        out: list[ChecksumAddress] = []
        for index in range(int(self.session.call(f.regionSize(code)))):
            member, inside, _status = self.session.call(f.regionMember(code, index))
            if inside and member not in out:
                out.append(member)
        return out

    def _record(self, address: ChecksumAddress, record: tuple) -> SupplierRecord:  # type: ignore[type-arg]
        name, capacity, committed, score, status, registered_at = record
        f = self.contract.functions
        parts = self.session.call(f.partsOf(address))
        region = from_bytes32(self.session.call(f.regionOf(address))) or None
        inputs = [from_bytes32(p) for p in self.session.call(f.inputsOf(address))]
        return SupplierRecord(
            address=address,
            name=from_bytes32(name),
            parts=[from_bytes32(p) for p in parts],
            capacity=capacity,
            committed=committed,
            score=score,
            status=STATUSES[status],
            registered_at=timestamp(registered_at),
            region=region,
            inputs=inputs,
        )

    def suppliers(self) -> list[SupplierRecord]:
        """Every registered supplier, in order of registration."""
        count = int(self.session.call(self.contract.functions.supplierCount()))
        out = []
        for i in range(count):
            address = self.session.call(self.contract.functions.supplierAt(i))
            out.append(
                self._record(address, self.session.call(self.contract.functions.supplier(address)))
            )
        return out

    def substitutes(self, part: str) -> list[ChecksumAddress]:
        fn = self.contract.functions.substitutes(to_bytes32(part, field="part code"))
        return list(self.session.call(fn))

    def candidates(self, part: str) -> list[SubstituteRecord]:
        """`part`'s substitute list, in order, with each one's offer and standing."""
        fn = self.contract.functions.candidates(to_bytes32(part, field="part code"))
        return [
            SubstituteRecord(
                position=i + 1,
                address=account,
                status=STATUSES[status],
                score=score,
                lead_days=lead,
                terms_version=version,
                capacity_left=left,
                region=from_bytes32(region) or None,
                inputs=inputs,
            )
            for i, (account, status, score, lead, version, left, region, inputs) in enumerate(
                self.session.call(fn)
            )
        ]
