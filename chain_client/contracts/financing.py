"""Substitute financing: purchase orders (approval, delivery, settlement), the disruption
trigger, repayment, default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_utils import to_checksum_address
from web3.logs import DISCARD
from web3.types import TxReceipt

from ..artifacts import load_artifact
from ..errors import InputError
from ..models import TxResult, timestamp
from ..orders import (
    FACILITY_STATUS,
    ORDER_STATUS,
    POLICY_FIELDS,
    STAGE_FIELDS,
    STAGES,
    FacilityRecord,
    OrderOutcome,
    OrderRecord,
    OrderSpec,
    OrderStep,
    PassedOver,
    PolicyRecord,
    Settlement,
    ShockRecord,
    ShockReport,
    TriggerReport,
    check_reason,
)
from ..projects import parse_spec
from ..units import from_bytes32, parse_duration, reference_hash, to_bytes32
from .base import Bound
from .ledger import Ledger
from .pool import Pool
from .token import Token


class Financing(Bound):
    """The deployment's SubstituteFinancing."""

    artifact = "SubstituteFinancing"

    # orders

    def register_order(
        self, spec: OrderSpec | dict[str, Any], *, sender: str | None = None
    ) -> tuple[TxResult, int]:
        """Register an order (sent by the project's owner); returns the order id."""
        o = parse_spec(OrderSpec, spec)
        owner = sender or Ledger(self.session).owner(o.project)
        due = (
            o.due
            if isinstance(o.due, int)
            else self.session.latest_timestamp() + parse_duration(o.due, field="due")
        )
        fn = self.contract.functions.registerOrder(
            to_bytes32(o.project, field="project id"),
            to_bytes32(o.part, field="part"),
            self.resolve(o.supplier),
            o.value,
            to_bytes32(o.category, field="category"),
            o.milestone,
            due,
            to_bytes32(o.po, field="purchase-order reference"),
        )
        result, receipt = self.session.transact(fn, owner)
        (event,) = self.contract.events.OrderRegistered().process_receipt(receipt, errors=DISCARD)
        return result, int(event["args"]["order"])

    def approve_order(self, order: int, *, sender: str = "reviewer") -> TxResult:
        """The reviewer approves a pending order (at or above the dual-control threshold)."""
        return self.session.transact(self.contract.functions.approveOrder(order), sender)[0]

    def cancel_order(self, order: int, *, sender: str | None = None) -> TxResult:
        owner = sender or self._order_owner(order)
        return self.session.transact(self.contract.functions.cancelOrder(order), owner)[0]

    def record_delivery(
        self, order: int, evidence: str | None = None, *, sender: str | None = None
    ) -> TxResult:
        """The order's current supplier records delivery with evidence (text or @file)."""
        supplier = sender or self.order(order).supplier
        fn = self.contract.functions.recordDelivery(order, reference_hash(evidence))
        return self.session.transact(fn, supplier)[0]

    def accept_delivery(self, order: int, *, sender: str | None = None) -> TxResult:
        """The project's owner accepts a recorded delivery."""
        owner = sender or self._order_owner(order)
        return self.session.transact(self.contract.functions.acceptDelivery(order), owner)[0]

    def reject_delivery(
        self, order: int, evidence: str | None = None, *, sender: str = "reviewer"
    ) -> TxResult:
        """The reviewer rejects a recorded delivery (within its acceptance period)."""
        fn = self.contract.functions.rejectDelivery(order, reference_hash(evidence))
        return self.session.transact(fn, sender)[0]

    def settle_order(self, order: int, *, sender: str | None = None) -> Settlement:
        """Settle an order whose delivery is accepted (anyone may; by default the project's
        owner sends it): the pool is paid what its facility owes first, the supplier the rest."""
        owner = sender or self._order_owner(order)
        result, receipt = self.session.transact(self.contract.functions.settleOrder(order), owner)
        ev = self.contract.events
        settled = ev.OrderSettled().process_receipt(receipt, errors=DISCARD)
        # what the supplier owed the project is set off whether the order settles or is held
        set_off = sum(
            int(e["args"]["amount"])
            for e in Ledger(self.session)
            .contract.events.RecoverySetOff()
            .process_receipt(receipt, errors=DISCARD)
        )
        if settled:
            a = settled[0]["args"]
            return Settlement(
                order=order,
                tx_hash=result.tx_hash,
                gas_used=result.gas_used,
                settled=True,
                to_pool=a["toPool"],
                to_supplier=a["toSupplier"],
                set_off=set_off,
                supplier=a["supplier"],
            )
        (held,) = ev.SettlementHeld().process_receipt(receipt, errors=DISCARD)
        collected = (
            Pool(self.session)
            .contract.events.FacilityCollected()
            .process_receipt(receipt, errors=DISCARD)
        )
        return Settlement(
            order=order,
            tx_hash=result.tx_hash,
            gas_used=result.gas_used,
            settled=False,
            to_pool=sum(int(c["args"]["amount"]) for c in collected),
            to_supplier=0,
            held=held["args"]["amount"],
            set_off=set_off,
            supplier=held["args"]["supplier"],
        )

    def _order_owner(self, order: int) -> str:
        record = self.order(order)
        return Ledger(self.session).owner(record.project)

    # the trigger

    def report_disruption(
        self,
        supplier: str,
        reason: str,
        evidence: str | None = None,
        *,
        sender: str = "oracle",
        other_reason: bool = False,
    ) -> TriggerReport:
        """An oracle reports `supplier` cut off; at quorum its open orders are financed.
        `reason` is one of `DISRUPTION_REASONS`, or any short text with `other_reason`."""
        check_reason(reason, other=other_reason)
        fn = self.contract.functions.reportDisruption(
            self.resolve(supplier), to_bytes32(reason, field="reason"), reference_hash(evidence)
        )
        return self._trigger_report(self.resolve(supplier), *self.session.transact(fn, sender))

    def process_disruption(self, supplier: str, *, sender: str = "oracle") -> TriggerReport:
        """Continue financing the open orders of a Disrupted supplier (anyone may send it)."""
        fn = self.contract.functions.processDisruption(self.resolve(supplier))
        return self._trigger_report(self.resolve(supplier), *self.session.transact(fn, sender))

    def report_recovery(self, supplier: str, *, sender: str = "oracle") -> TxResult:
        return self.session.transact(
            self.contract.functions.reportRecovery(self.resolve(supplier)), sender
        )[0]

    def report_shock(
        self,
        region: str,
        reason: str,
        evidence: str | None = None,
        *,
        sender: str = "oracle",
        other_reason: bool = False,
    ) -> ShockReport:
        """An oracle reports a shock to `region`; at quorum its Active suppliers are disrupted
        and their orders financed (bounded per call; `process_shock` continues)."""
        check_reason(reason, other=other_reason)
        fn = self.contract.functions.reportRegionalShock(
            to_bytes32(region, field="region"),
            to_bytes32(reason, field="reason"),
            reference_hash(evidence),
        )
        return self._shock_report(region, *self.session.transact(fn, sender))

    def process_shock(self, region: str, *, sender: str = "oracle") -> ShockReport:
        """Continue the shock in force in `region` (anyone may send it)."""
        fn = self.contract.functions.processRegionalShock(to_bytes32(region, field="region"))
        return self._shock_report(region, *self.session.transact(fn, sender))

    def report_region_recovery(self, region: str, *, sender: str = "oracle") -> TxResult:
        """An oracle reports `region` recovered; at quorum its shock is no longer in force."""
        fn = self.contract.functions.reportRegionRecovery(to_bytes32(region, field="region"))
        return self.session.transact(fn, sender)[0]

    def shock(self, region: str) -> ShockRecord | None:
        """The latest shock of `region` (None: never)."""
        code = to_bytes32(region, field="region")
        shock_id = int(self.session.call(self.contract.functions.regionShock(code)))
        if shock_id == 0:
            return None
        _region, cap, drawn, cursor, in_force, size, position = self.session.call(
            self.contract.functions.shock(shock_id)
        )
        return ShockRecord(
            id=shock_id,
            region=region,
            cap=cap,
            drawn=drawn,
            cursor=cursor,
            in_force=in_force,
            members=size,
            position=position,
        )

    def shock_of(self, supplier: str) -> int:
        """The regional shock that disrupted `supplier` (0: none, or it recovered since)."""
        return int(self.session.call(self.contract.functions.shockOf(self.resolve(supplier))))

    def _shock_report(self, region: str, result: TxResult, receipt: TxReceipt) -> ShockReport:
        ev = self.contract.events

        def decoded(name: str) -> list[Any]:
            return [e["args"] for e in getattr(ev, name)().process_receipt(receipt, errors=DISCARD)]

        reported = decoded("RegionalShockReported")
        started = decoded("RegionalShock")
        walked = decoded("RegionalShockProcessed")
        return ShockReport(
            region=region,
            tx_hash=result.tx_hash,
            gas_used=result.gas_used,
            reports=int(reported[0]["reports"]) if reported else None,
            quorum=int(reported[0]["quorum"]) if reported else None,
            shock=int(walked[0]["shock"]) if walked else None,
            cap=int(started[0]["cap"]) if started else None,
            disrupted=[d["supplier"] for d in decoded("SupplierDisrupted")],
            outcomes=self._outcomes(decoded),
            looked=int(walked[0]["looked"]) if walked else None,
            cursor=int(walked[0]["cursor"]) if walked else None,
            members=int(walked[0]["members"]) if walked else None,
        )

    def _trigger_report(self, supplier: str, result: TxResult, receipt: TxReceipt) -> TriggerReport:
        ev = self.contract.events

        def decoded(name: str) -> list[Any]:
            return [e["args"] for e in getattr(ev, name)().process_receipt(receipt, errors=DISCARD)]

        reported = decoded("DisruptionReported")
        disrupted = decoded("SupplierDisrupted")
        processed = decoded("DisruptionProcessed")
        return TriggerReport(
            supplier=to_checksum_address(supplier),
            tx_hash=result.tx_hash,
            gas_used=result.gas_used,
            reports=int(reported[0]["reports"]) if reported else None,
            quorum=int(reported[0]["quorum"]) if reported else None,
            disrupted=bool(disrupted),
            episode=int(disrupted[0]["episode"]) if disrupted else None,
            window_room=int(disrupted[0]["windowRoom"]) if disrupted else None,
            outcomes=self._outcomes(decoded),
            waiting=int(processed[-1]["waiting"]) if processed else None,
        )

    @staticmethod
    def _outcomes(decoded: Callable[[str], list[Any]]) -> list[OrderOutcome]:
        """What the trigger did with each order it looked at, by order number."""
        passed: dict[int, list[PassedOver]] = {}
        for p in decoded("SubstitutePassedOver"):
            passed.setdefault(int(p["order"]), []).append(
                PassedOver(candidate=p["candidate"], reason=from_bytes32(p["reason"]))
            )
        outcomes = [
            OrderOutcome(
                order=int(f["order"]),
                financed=True,
                substitute=f["to"],
                facility=int(f["facility"]),
                advance=f["amount"],
                rate_bps=int(f["rateBps"]),
                passed_over=passed.get(int(f["order"]), []),
            )
            for f in decoded("SubstituteFinanced")
        ] + [
            OrderOutcome(
                order=int(u["order"]),
                financed=False,
                reason=from_bytes32(u["reason"]),
                passed_over=passed.get(int(u["order"]), []),
            )
            for u in decoded("SubstituteUnavailable")
        ]
        return sorted(outcomes, key=lambda o: o.order)

    # facilities

    def repay(self, facility: int, amount: int, *, by: str) -> list[TxResult]:
        """Approve, then repay up to `amount` of `facility` from `by` (the contract takes at
        most what is owed in its block; interest runs by the second, so when more than is owed
        now is offered, what `by` holds is approved and the contract takes what it needs)."""
        record = self.facility(facility)
        owed = record.owed_principal + record.owed_interest
        if amount > owed:
            amount = min(amount, max(owed, Token(self.session).balance_of(by)))
        fn = self.contract.functions.repay(facility, amount)
        return Token(self.session).spend(
            self.address, amount, sender=by, then=lambda: self.session.transact(fn, by)[0]
        )

    def collect_facility(self, facility: int, *, sender: str) -> TxResult:
        """Repay the pool what `facility` owes from its order's reservation (anyone may: from
        the facility's due date, or at once when its substitute is no longer Active)."""
        return self.collect(facility, sender=sender)[0]

    def collect(self, facility: int, *, sender: str) -> tuple[TxResult, int]:
        """As `collect_facility`, with the amount the pool was repaid in that block."""
        self.facility(facility)
        fn = self.contract.functions.collectFacility(facility)
        result, receipt = self.session.transact(fn, sender)
        (event,) = self.contract.events.PoolRepaidFromReservation().process_receipt(
            receipt, errors=DISCARD
        )
        return result, int(event["args"]["amount"])

    def close_undelivered(self, order: int, *, sender: str = "reviewer") -> TxResult:
        """The reviewer ends a financed order with no accepted delivery after its facility's
        grace period: the pool is repaid, the rest returned, a recovery recorded."""
        return self.session.transact(self.contract.functions.closeUndelivered(order), sender)[0]

    # policy

    def _policy_contract(self) -> Any:
        return self.session.w3.eth.contract(
            address=self.session.deployment().address("FinancingPolicy"),
            abi=load_artifact("FinancingPolicy")["abi"],
        )

    def terms_for(self, version: int) -> tuple[list[int], list[int], bool]:
        """(band floors, band advance shares, still valid) of terms `version` now."""
        terms, valid = self.session.call(self._policy_contract().functions.termsFor(version))
        return [int(f) for f in terms[0]], [int(a) for a in terms[1]], bool(valid)

    def policy(self) -> PolicyRecord:
        functions = self._policy_contract().functions
        values = self.session.call(functions.current())
        fields: dict[str, Any] = {
            name: list(v) if isinstance(v, list | tuple) else v
            for name, v in zip(POLICY_FIELDS, values, strict=True)
        }
        version = self.session.call(functions.termsVersion())
        stages = self.session.call(functions.stageTerms(version))
        fields["stage_advance_bps"] = [list(shares) for shares, _ in stages]
        fields["stage_max_tenor_days"] = [int(tenor) for _, tenor in stages]
        fields["terms_version"] = version
        return PolicyRecord.model_validate(fields)

    def set_policy(
        self, changes: dict[str, Any], *, sender: str = "admin"
    ) -> tuple[TxResult, PolicyRecord]:
        """Change some policy fields (sent by the admin); returns the new policy.

        Terms by stage are given as `stages: {pilot: {advance_bps: [..], max_tenor_days: N}}`
        or as `pilot.advance_bps` / `pilot.max_tenor_days`; `advance_bps: default` (or 0)
        gives the stage the bands' own shares back."""
        current = self.policy().model_dump()
        changes = _stage_changes(changes, current)
        # terms_version is not set, it follows
        unknown = set(changes) - set(POLICY_FIELDS) - set(STAGE_FIELDS)
        if unknown:
            raise InputError(f"unknown policy field(s): {', '.join(sorted(unknown))}")
        current.update(changes)
        new = parse_spec(PolicyRecord, current)
        functions = self._policy_contract().functions
        calls = []
        if any(name in changes for name in POLICY_FIELDS) or not changes:
            calls.append(functions.setPolicy(tuple(getattr(new, name) for name in POLICY_FIELDS)))
        if any(name in changes for name in STAGE_FIELDS):
            stages = list(zip(new.stage_advance_bps, new.stage_max_tenor_days, strict=True))
            calls.append(functions.setStageTerms(stages))
        results = [self.session.transact(fn, sender)[0] for fn in calls]
        return results[-1], self.policy()

    # reads

    def counts(self) -> tuple[int, int]:
        orders, facilities = self.session.call(self.contract.functions.counts())
        return int(orders), int(facilities)

    def order(self, order: int) -> OrderRecord:
        (
            project,
            part,
            category,
            po,
            value,
            supplier,
            status,
            facility,
            original,
            due,
            milestone,
            accept_by,
        ) = self.session.call(self.contract.functions.order(order))
        if status == 0:
            raise InputError(f"no order {order}", hint="list them with `scf order list`")
        return OrderRecord(
            id=order,
            project=from_bytes32(project),
            po=from_bytes32(po),
            part=from_bytes32(part),
            supplier=supplier,
            original_supplier=original,
            value=value,
            category=from_bytes32(category),
            milestone=milestone,
            due=timestamp(due),
            status=ORDER_STATUS[status],
            facility=facility or None,
            accept_by=timestamp(accept_by) if accept_by else None,
        )

    def orders(self) -> list[OrderRecord]:
        return [self.order(i) for i in range(1, self.counts()[0] + 1)]

    def history(self, order: int) -> list[OrderStep]:
        """The order's life from the logs, oldest first: registration, approval, financing
        (with each candidate passed over), delivery, acceptance or rejection, the ledger's
        payments of its settlement and the pool's booking of them."""
        from ..audit.books import settlement_legs
        from ..audit.collect import collect  # the audit's reader: paged, decoded in bulk

        self.order(order)  # a clear error for an order that does not exist
        rows = collect(self.session)
        mine = [
            r
            for r in rows
            if (r["contract"] == "SubstituteFinancing" and r["args"].get("order") == order)
            or (
                r["event"]
                in ("FundsReserved", "ReservationReleased", "RecoveryRecorded", "RecoverySetOff")
                and r["args"].get("ref") == order
            )
        ]
        facilities = {int(r["args"]["facility"]) for r in mine if "facility" in r["args"]}
        legs = settlement_legs(rows)
        seen = {(r["block"], r["log_index"]) for r in mine}
        for r in rows:
            if (r["block"], r["log_index"]) in seen:
                continue
            if (
                r["event"] == "FundsDisbursed" and legs.get((r["block"], r["log_index"])) == order
            ) or (
                r["event"] in ("FacilityCollected", "FacilityRepaid")
                and int(r["args"]["facility"]) in facilities
            ):
                mine.append(r)
        mine.sort(key=lambda r: (r["block"], r["log_index"]))
        return [
            OrderStep(
                block=r["block"],
                time=timestamp(int(r["time"])),
                tx_hash=r["tx"],
                contract=r["contract"],
                event=r["event"],
                args=r["args"],
            )
            for r in mine
        ]

    def facility(self, facility: int) -> FacilityRecord:
        (substitute, due, rate, status, order, opened, episode, stop, version, stage, advanced) = (
            self.session.call(self.contract.functions.facility(facility))
        )
        if status == 0:
            raise InputError(f"no facility {facility}", hint="list them with `scf facility list`")
        pool = Pool(self.session).contract.functions
        principal, interest, _open = self.session.call(pool.facilityValue(facility))
        return FacilityRecord(
            id=facility,
            order=order,
            substitute=substitute,
            principal=advanced,
            rate_bps=rate,
            opened_at=timestamp(opened),
            due=timestamp(due),
            # interest stops at the due date rounded up to a UTC midnight, plus grace
            stop=timestamp(stop),
            episode=episode,
            terms_version=version,
            stage=STAGES[stage],
            status=FACILITY_STATUS[status],
            owed_principal=principal,
            owed_interest=interest,
        )

    def facilities(self) -> list[FacilityRecord]:
        return [self.facility(i) for i in range(1, self.counts()[1] + 1)]

    def open_orders(self, supplier: str) -> list[int]:
        return [
            int(i)
            for i in self.session.call(self.contract.functions.openOrders(self.resolve(supplier)))
        ]

    def exposure(self, supplier: str) -> int:
        return int(self.session.call(self.contract.functions.exposure(self.resolve(supplier))))

    def project_exposure(self, project: str) -> int:
        """Outstanding principal advanced on `project`'s orders (what its cap counts)."""
        fn = self.contract.functions.projectExposure(to_bytes32(project, field="project id"))
        return int(self.session.call(fn))


def _stage_changes(changes: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """`changes` with the terms by stage (`stages: {...}` or `STAGE.FIELD` keys) folded into
    the contract's two arrays, `stage_advance_bps` and `stage_max_tenor_days`."""
    by_stage: dict[str, dict[str, Any]] = {}
    rest: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "stages":
            if not isinstance(value, dict):
                raise InputError("stages: give a mapping of stage to its terms")
            for stage, fields in value.items():
                if not isinstance(fields, dict):
                    raise InputError(f"stages.{stage}: give advance_bps and/or max_tenor_days")
                by_stage.setdefault(str(stage), {}).update(fields)
        elif "." in key:
            stage, _, name = key.partition(".")
            by_stage.setdefault(stage, {})[name] = value
        else:
            rest[key] = value
    if not by_stage:
        return rest
    shares = [list(row) for row in rest.pop("stage_advance_bps", current["stage_advance_bps"])]
    tenors = list(rest.pop("stage_max_tenor_days", current["stage_max_tenor_days"]))
    for stage, fields in by_stage.items():
        if stage not in STAGES:
            raise InputError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
        i = STAGES.index(stage)
        for name, value in fields.items():
            if name == "advance_bps":
                default = value in (None, 0, "default")
                shares[i] = [0, 0, 0] if default else value
            elif name == "max_tenor_days":
                tenors[i] = value
            else:
                raise InputError(
                    f"unknown stage field {stage}.{name}: advance_bps or max_tenor_days"
                )
    return {**rest, "stage_advance_bps": shares, "stage_max_tenor_days": tenors}
