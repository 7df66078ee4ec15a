"""Run a validated scenario on a session: set-up, then each step, with a scripted clock.

Every block is stamped from the scenario's own clock (its start, one `block_time` per block,
moved on by `time.advance`), so a file gives the same events, amounts included, on every
chain. A failing step stops the run with what had landed before it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from pydantic import BaseModel, ConfigDict

from .. import roles
from ..audit.books import text as event_text
from ..audit.collect import collect
from ..audit.report import run_audit
from ..chain.accounts import AliasTarget, parse_target
from ..contracts import Financing, Ledger, Pool, Registry, Token
from ..deploy import deploy
from ..errors import (
    ChainConnectionError,
    ContractRevert,
    InputError,
    ScfError,
    TransactionUnconfirmed,
)
from ..events import DecodedEvent, EventDecoder
from ..session import Session
from ..units import format_amount, from_bytes32, parse_amount, to_bytes32
from .model import ACTIONS, Scenario, Step


class StepResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    action: str
    transactions: list[str]
    gas: int
    events: list[dict[str, Any]]
    detail: str


class RunResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenario: str
    chain_id: int
    steps: list[StepResult]
    transactions: int
    events: int
    gas: int
    seconds: float


class ScenarioFailed(ScfError):
    """A step failed: which, why, and what had landed before it. `resume_from` is the step
    to resume from when the node went away or did not confirm (None otherwise), and
    `unsure` says whether that step may have landed in part."""

    def __init__(
        self,
        step: Step,
        reason: str,
        landed: list[StepResult],
        *,
        resume_from: int | None = None,
        unsure: bool = False,
    ) -> None:
        txs = sum(len(s.transactions) for s in landed)
        before = (
            f"steps {landed[0].number}-{landed[-1].number} landed ({txs} transactions)"
            if landed
            else "nothing had landed"
        )
        if unsure:
            before += f"; step {step.number} was sent and may have landed"
        super().__init__(f"step {step.number} ({step.action}) failed: {reason}; {before}")
        self.step = step
        self.reason = reason
        self.landed = landed
        self.resume_from = resume_from
        self.unsure = unsure


Progress = Callable[[StepResult], None]


class Runner:
    """Runs one scenario on one session (writable, on a test chain)."""

    def __init__(self, session: Session, scenario: Scenario) -> None:
        self.session = session
        self.scenario = scenario
        self.handles: dict[str, Any] = {}
        self.results: list[StepResult] = []
        self._now = 0
        self._last_events: list[DecodedEvent] = []

    # set-up

    def _tick(self) -> int:
        stamp = self._now
        self._now += self.scenario.block_time
        return stamp

    def prepare(self, *, resume: bool = False) -> None:
        """Deploy when needed (never when resuming), name the accounts, grant the roles,
        start the clock."""
        s = self.session
        if not s.is_test_chain:
            raise InputError(
                "scenarios run on test chains (embedded, anvil): they mint and move time"
            )
        found = s.find_deployment()
        if found is None or not s.is_live(found):
            if resume:
                raise InputError(
                    "nothing to resume: this chain does not hold the workspace's deployment",
                    hint="run the scenario from its first step",
                )
            deploy(s, force=True)
        self._now = max(int(self.scenario.start.timestamp()), s.latest_timestamp() + 1)
        s.clock = self._tick
        existing = s.accounts.user_aliases()
        for name, target in self.scenario.accounts.items():
            parsed = (
                AliasTarget(index=target) if isinstance(target, int) else parse_target(str(target))
            )
            if existing.get(name) != parsed:
                s.accounts.add(name, parsed)
        for role, holders in self.scenario.roles.items():
            for holder in holders:
                if not roles.has_role(s, role, holder):
                    roles.grant(s, role, holder)
        self.decoder = EventDecoder(s.deployment())

    # running

    def run(self, progress: Progress | None = None, *, start: int = 1) -> RunResult:
        """Run the steps from step `start` (1: all of them). Resuming after a lost node
        skips the steps before `start`, which landed, and finds the orders and proposals
        they named on chain; nothing before `start` is sent again."""
        started = time.monotonic()
        steps = self.scenario.steps
        if not 1 <= start <= len(steps):
            raise InputError(f"--from {start}: the scenario has steps 1-{len(steps)}")
        first = steps[start - 1]
        if start > 1 and first.action == "expect" and first.args.event:
            raise InputError(
                f"step {start} checks the events of step {start - 1}, which ran before: "
                f"resume from step {start - 1} only if it did not land, else from {start + 1}"
            )
        self.prepare(resume=start > 1)
        if start > 1:
            self._recover_handles(steps[: start - 1])
        for step in steps[start - 1 :]:
            result = self._run_step(step)
            self.results.append(result)
            if progress:
                progress(result)
        return RunResult(
            scenario=self.scenario.name,
            chain_id=self.session.chain_id,
            steps=self.results,
            transactions=sum(len(r.transactions) for r in self.results),
            events=sum(len(r.events) for r in self.results),
            gas=sum(r.gas for r in self.results),
            seconds=round(time.monotonic() - started, 3),
        )

    def _run_step(self, step: Step) -> StepResult:
        mark = len(self.session.journal)
        try:
            detail = self._dispatch(step)
        except ContractRevert as exc:
            if step.expect_error == exc.error_name:
                detail = f"reverted with {exc.error_name}, as expected"
            elif step.expect_error is not None:
                reason = f"expected {step.expect_error}, reverted with {exc.error_name}: {exc}"
                raise ScenarioFailed(step, reason, self.results) from None
            else:
                raise ScenarioFailed(step, str(exc), self.results) from None
        except ScenarioFailed:
            raise
        except (ChainConnectionError, TransactionUnconfirmed) as exc:
            # which of this step's transactions were confirmed before the node went away
            unsure = isinstance(exc, TransactionUnconfirmed) or len(self.session.journal) > mark
            raise ScenarioFailed(
                step, str(exc), self.results, resume_from=step.number, unsure=unsure
            ) from None
        except ScfError as exc:
            raise ScenarioFailed(step, str(exc), self.results) from None
        else:
            if step.expect_error is not None:
                raise ScenarioFailed(
                    step, f"expected {step.expect_error}, but the step succeeded", self.results
                )
        receipts = self.session.journal[mark:]
        events = [e for r in receipts for e in self.decoder.decode_receipt(r)]
        if step.action not in ("expect", "audit"):
            self._last_events = events
        return StepResult(
            number=step.number,
            action=step.action,
            transactions=["0x" + bytes(r["transactionHash"]).hex() for r in receipts],
            gas=sum(int(r["gasUsed"]) for r in receipts),
            events=[self.portable(e) for e in events],
            detail=detail,
        )

    def _ref(self, value: int | str) -> int:
        return int(self.handles[value]) if isinstance(value, str) else int(value)

    def _dispatch(self, step: Step) -> str:  # noqa: C901 - one branch per action, flat on purpose
        s, a, action = self.session, step.args, step.action
        # validation guarantees `by:` wherever an action has no natural sender
        sender = cast(
            str, getattr(a, "by", None) or (ACTIONS[action][1] if action in ACTIONS else "")
        )
        if action == "time.advance":
            self._now += int(a)
            s.mine_at(self._tick())
            return f"clock +{int(a)} s"
        if action == "expect":
            return self._expect(step)
        if action == "audit":
            report = run_audit(s)
            failed = [c.detail for c in report.checks if not c.ok]
            failed += [f"{f.kind}: {f.subject} {f.detail}" for f in report.findings]
            if failed and a.expect == "clean":
                raise ScenarioFailed(step, "audit not clean: " + "; ".join(failed), self.results)
            verdict = "clean" if not failed else "not clean"
            return f"audit {verdict}: {len(report.checks)} checks over {report.events} events"
        token, ledger, financing = Token(s), Ledger(s), Financing(s)
        if action == "token.mint":
            token.mint(a.to, parse_amount(a.amount), sender=sender)
        elif action == "token.transfer":
            token.transfer(a.to, parse_amount(a.amount), sender=sender)
        elif action == "token.approve":
            token.approve(a.spender, parse_amount(a.amount), sender=sender)
        elif action in ("role.grant", "role.revoke"):
            (roles.grant if action == "role.grant" else roles.revoke)(
                s, a.role, a.account, sender=sender
            )
        elif action == "supplier.register":
            registry = Registry(s)
            registry.register(a.account, a.name, a.parts, parse_amount(a.capacity), sender=sender)
            if a.score is not None:
                registry.rate(a.account, a.score)
            if a.region is not None:
                registry.set_region(a.account, a.region)
            if a.inputs:
                registry.declare_inputs(a.account, a.inputs)
        elif action == "supplier.region":
            Registry(s).set_region(a.account, a.region, sender=sender)
        elif action == "supplier.inputs":
            Registry(s).declare_inputs(a.account, a.inputs, sender=sender)
        elif action == "supplier.rate":
            Registry(s).rate(a.account, a.score, sender=sender)
        elif action == "supplier.attest":
            from ..credit.service import attest, attest_value

            when = (
                datetime(a.as_of.year, a.as_of.month, a.as_of.day, tzinfo=UTC)
                if a.as_of is not None
                else datetime.fromtimestamp(s.latest_timestamp(), UTC)
            )
            value = attest_value(a.indicator, a.value)
            attest(s, a.account, a.indicator, value, a.source, when, sender=sender)
        elif action == "supplier.publish_score":
            from ..credit.service import publish

            publish(s, a.account, sender=sender)
        elif action == "supplier.suspend":
            Registry(s).suspend(a.account, sender=sender)
        elif action == "supplier.reinstate":
            Registry(s).reinstate(a.account, sender=sender)
        elif action == "supplier.qualify":
            Registry(s).qualify(
                a.part, a.lead_time, supplier=a.by or a.substitute, terms_version=a.terms_version
            )
        elif action == "supplier.withdraw":
            Registry(s).withdraw_qualification(a.part, supplier=a.by or a.substitute)
        elif action == "supplier.unqualify":
            Registry(s).unqualify(a.part, a.substitute, sender=sender)
        elif action == "supplier.readmit":
            Registry(s).readmit(a.part, a.substitute, sender=sender)
        elif action == "project.create":
            spec = a.model_dump(exclude={"by"}, exclude_none=True)
            ledger.create_project(spec, sender=sender)
        elif action == "project.fund":
            ledger.fund(a.project, parse_amount(a.amount), funder=sender)
        elif action == "project.disburse":
            ledger.disburse(a.project, a.model_dump(exclude={"by", "project"}), sender=a.by)
        elif action == "project.disburse_batch":
            ledger.disburse_batch(a.project, [p.model_dump() for p in a.payments], sender=a.by)
        elif action == "project.approve_payment":
            ledger.approve_payment(
                a.project, a.model_dump(exclude={"by", "project"}), sender=sender
            )
        elif action in ("project.team_add", "project.team_remove"):
            ledger.set_team_wallet(a.project, a.wallet, action == "project.team_add", sender=sender)
        elif action == "project.reallocate":
            _, proposal = ledger.propose_reallocation(
                a.project, a.from_, a.to, parse_amount(a.amount), sender=a.by
            )
            return self._name(step, proposal, f"proposal {proposal}")
        elif action == "project.approve_reallocation":
            ledger.approve_reallocation(a.project, self._ref(a.proposal), sender=sender)
        elif action == "project.close":
            ledger.close(a.project, sender=a.by)
        elif action == "project.claim":
            ledger.claim(a.project, funder=sender)
        elif action == "milestone.approve":
            ledger.approve_milestone(a.project, a.milestone, a.evidence, sender=sender)
        elif action == "ledger.pause":
            ledger.pause(sender=sender)
        elif action == "ledger.unpause":
            ledger.unpause(sender=sender)
        elif action == "pool.deposit":
            Pool(s).deposit(parse_amount(a.amount), by=sender)
        elif action == "pool.withdraw":
            Pool(s).withdraw(parse_amount(a.amount), by=sender)
        elif action == "pool.policy":
            financing.set_policy(dict(a.model_extra or {}), sender=sender)
        elif action == "order.register":
            spec = a.model_dump(exclude={"by"})
            spec["value"] = a.value
            _, order = financing.register_order(spec, sender=a.by)
            return self._name(step, order, f"order {order}")
        elif action == "order.approve":
            financing.approve_order(self._ref(a.order), sender=sender)
        elif action == "order.cancel":
            financing.cancel_order(self._ref(a.order), sender=a.by)
        elif action == "order.record_delivery":
            financing.record_delivery(self._ref(a.order), a.evidence, sender=a.by)
        elif action == "order.accept_delivery":
            financing.accept_delivery(self._ref(a.order), sender=a.by)
        elif action == "order.reject_delivery":
            financing.reject_delivery(self._ref(a.order), a.evidence, sender=sender)
        elif action == "order.settle":
            st = financing.settle_order(self._ref(a.order), sender=a.by)
            to_pool, to_supplier = format_amount(st.to_pool), format_amount(st.to_supplier)
            if not st.settled:
                kept = f", {format_amount(st.set_off)} set off" if st.set_off else ""
                return (
                    f"{to_pool} to the pool{kept}, {format_amount(st.held)} held for the supplier"
                )
            kept = f" ({format_amount(st.set_off)} set off)" if st.set_off else ""
            return f"{to_pool} to the pool, {to_supplier} to the supplier{kept}"
        elif action == "disruption.report":
            trigger = financing.report_disruption(
                a.supplier,
                a.reason or a.other_reason,
                a.evidence,
                sender=sender,
                other_reason=a.reason is None,
            )
            financed = sum(o.financed for o in trigger.outcomes)
            return (
                f"{financed} of {len(trigger.outcomes)} order(s) financed"
                if trigger.disrupted
                else "reported"
            )
        elif action == "disruption.process":
            financing.process_disruption(a.supplier, sender=sender)
        elif action == "disruption.recover":
            financing.report_recovery(a.supplier, sender=sender)
        elif action == "disruption.shock":
            shock = financing.report_shock(
                a.region,
                a.reason or a.other_reason,
                a.evidence,
                sender=sender,
                other_reason=a.reason is None,
            )
            financed = sum(o.financed for o in shock.outcomes)
            return (
                f"{len(shock.disrupted)} supplier(s) disrupted, {financed} of "
                f"{len(shock.outcomes)} order(s) financed"
                if shock.cap is not None
                else "reported"
            )
        elif action == "disruption.shock_process":
            financing.process_shock(a.region, sender=sender)
        elif action == "disruption.region_recover":
            financing.report_region_recovery(a.region, sender=sender)
        elif action == "facility.repay":
            financing.repay(self._facility(a.facility), parse_amount(a.amount), by=sender)
        elif action == "facility.collect":
            facility = self._facility(a.facility)
            owner = a.by or ledger.owner(
                financing.order(financing.facility(facility).order).project
            )
            financing.collect_facility(facility, sender=owner)
        elif action == "order.close_undelivered":
            financing.close_undelivered(self._ref(a.order), sender=sender)
        elif action == "recovery.repay":
            _, repaid = ledger.repay_recovery(
                a.project, a.substitute, parse_amount(a.amount), by=sender
            )
            return f"{format_amount(repaid)} repaid"
        return "ok"

    def _recover_handles(self, done: list[Step]) -> None:
        """The handles the steps before a resume named, read back from the chain: an order
        by its project and purchase order, a reallocation proposal by its project, lines
        and amount (the latest proposals that match, in the steps' order)."""
        rows = collect(self.session)
        orders = {
            (event_text(r["args"]["project"]), event_text(r["args"]["po"])): int(r["args"]["order"])
            for r in rows
            if r["event"] == "OrderRegistered"
        }
        proposals: dict[tuple[str, str, str, int], list[int]] = {}
        for r in rows:
            if r["event"] == "ReallocationProposed":
                a = r["args"]
                key = (
                    event_text(a["project"]),
                    event_text(a["from"]),
                    event_text(a["to"]),
                    int(a["amount"]),
                )
                proposals.setdefault(key, []).append(int(a["id"]))
        wanted: dict[tuple[str, str, str, int], list[Step]] = {}
        for step in done:
            if not step.handle:
                continue
            a = step.args
            if step.action == "order.register":
                order = orders.get((a.project, a.po))
                if order is None:
                    raise InputError(
                        f"step {step.number} registered order {a.po} of {a.project}, which "
                        "is not on this chain: resume from an earlier step"
                    )
                self.handles[step.handle] = order
            elif step.action == "project.reallocate":
                key = (a.project, a.from_, a.to, parse_amount(a.amount))
                wanted.setdefault(key, []).append(step)
        for key, steps in wanted.items():
            found = proposals.get(key, [])
            if len(found) < len(steps):
                raise InputError(
                    f"step {steps[0].number} proposed a reallocation of {key[0]} that is not "
                    "on this chain: resume from an earlier step"
                )
            for step, proposal in zip(steps, found[-len(steps) :], strict=True):
                self.handles[str(step.handle)] = proposal

    def _name(self, step: Step, value: Any, text: str) -> str:
        if step.handle:
            self.handles[step.handle] = value
            return f"{text} (as {step.handle})"
        return text

    def _facility(self, ref: int | str) -> int:
        if isinstance(ref, str):  # a handle names an order: its facility
            order = Financing(self.session).order(self._ref(ref))
            if order.facility is None:
                raise InputError(f"order {order.id} ({ref}) has no facility")
            return order.facility
        return int(ref)

    # expectations

    def _expect(self, step: Step) -> str:
        """`event:` with argument filters; or `project:` / `supplier:` with field values;
        and/or `pool:` and `token_balance:` mappings."""
        e = step.args
        extra = dict(e.model_extra or {})
        checked = []
        if e.event:
            self._expect_event(step, e.event, extra)
            checked.append(f"event {e.event}")
        elif e.project or e.supplier:
            if e.project and e.supplier:
                raise ScenarioFailed(
                    step, "name either project: or supplier:, not both", self.results
                )
            record: Any = (
                Ledger(self.session).project(e.project)
                if e.project
                else Registry(self.session).supplier(str(e.supplier))
            )
            subject = f"project {e.project}" if e.project else f"supplier {e.supplier}"
            for field, want in extra.items():
                self._compare(step, f"{subject} {field}", getattr(record, field, None), want)
            checked.append(subject)
        elif extra:
            raise ScenarioFailed(step, f"unknown expectation(s): {', '.join(extra)}", self.results)
        if e.pool:
            status = Pool(self.session).status()
            for field, want in e.pool.items():
                self._compare(step, f"pool {field}", getattr(status, field, None), want)
            checked.append("pool")
        if e.token_balance:
            who, want = e.token_balance.get("of"), e.token_balance.get("amount")
            self._compare(
                step, f"token balance of {who}", Token(self.session).balance_of(str(who)), want
            )
            checked.append(f"token balance of {who}")
        if not checked:
            raise ScenarioFailed(
                step,
                "nothing to check: give event:, project:, supplier:, pool: or token_balance:",
                self.results,
            )
        return "holds: " + ", ".join(checked)

    def _compare(self, step: Step, what: str, actual: Any, want: Any) -> None:
        if actual is None:
            raise ScenarioFailed(step, f"{what}: no such field", self.results)
        if isinstance(actual, int) and not isinstance(actual, bool) and isinstance(want, str):
            ok, shown = actual == parse_amount(want), format_amount(actual)
        elif (
            isinstance(actual, str)
            and isinstance(want, str)
            and _is_number(actual)
            and _is_number(want)
        ):
            places = Decimal(want)
            ok, shown = Decimal(actual).quantize(places) == places, actual
        else:
            ok, shown = actual == want, actual
        if not ok:
            raise ScenarioFailed(step, f"{what}: expected {want}, got {shown}", self.results)

    def _expect_event(self, step: Step, name: str, wanted: dict[str, Any]) -> None:
        candidates = [e for e in self._last_events if e.name == name]
        for event in candidates:
            if all(self._arg_matches(event, k, v) for k, v in wanted.items()):
                return
        want = ", ".join(f"{k}={v}" for k, v in wanted.items())
        # an amount asked for as a quoted decimal is shown the same way in what was emitted
        quoted = {k for k, v in wanted.items() if isinstance(v, str)}
        seen = "; ".join(self._describe(e, quoted) for e in candidates) or "no such event"
        raise ScenarioFailed(
            step, f"expected {name}({want}); the step before emitted: {seen}", self.results
        )

    def _arg_matches(self, event: DecodedEvent, key: str, want: Any) -> bool:
        if key not in event.args:
            return False
        kind, actual = event.types[key], event.args[key]
        try:
            if kind == "address":
                return bool(actual == self.session.accounts.resolve(str(want)))
            if kind.startswith("uint") or kind.startswith("int"):
                return bool(actual == (parse_amount(want) if isinstance(want, str) else int(want)))
            if kind == "bytes32":
                if isinstance(want, str) and want.startswith("0x") and len(want) == 66:
                    return bool(actual == bytes.fromhex(want[2:]))
                return bool(actual == to_bytes32(str(want)))
        except ScfError:
            return False
        return bool(actual == want)

    def _describe(self, event: DecodedEvent, amounts: set[str] | None = None) -> str:
        """`Name(arg=value, …)`; the integer arguments named in `amounts` as decimals."""
        args = self.portable(event)["args"]
        for key in amounts or ():
            kind = event.types.get(key, "")
            if key in args and (kind.startswith("uint") or kind.startswith("int")):
                args[key] = format_amount(int(event.args[key]))
        return f"{event.name}(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"

    def portable(self, event: DecodedEvent) -> dict[str, Any]:
        """The event with addresses as aliases or contract names, so runs compare across chains."""
        contracts = {r.address: n for n, r in self.session.deployment().contracts.items()}

        def show(kind: str, value: Any) -> Any:
            if kind == "address":
                return contracts.get(value) or self.session.accounts.name_of(value) or value
            if kind == "bytes32":
                text = from_bytes32(value)
                return (
                    text
                    if text.isprintable()
                    and text
                    and len(text.encode()) == len(value.rstrip(b"\0"))
                    else "0x" + value.hex()
                )
            if isinstance(value, bytes):
                return "0x" + value.hex()
            if isinstance(value, tuple | list):
                return [show("", v) for v in value]
            return value

        return {
            "contract": event.contract,
            "event": event.name,
            "args": {k: show(event.types[k], v) for k, v in event.args.items()},
        }


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
