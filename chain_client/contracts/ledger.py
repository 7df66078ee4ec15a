"""The fund ledger: projects, funding, milestones, payments, reallocations, close and claim."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from eth_abi import encode as abi_encode
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from ..audit.collect import collect
from ..errors import (
    ChainConnectionError,
    ContractRevert,
    InputError,
    ScfError,
    TransactionUnconfirmed,
)
from ..models import ChunkOutcome, TxResult
from ..projects import (
    BudgetLineRecord,
    FlagRecord,
    FunderRecord,
    MilestoneRecord,
    PaymentSpec,
    ProjectRecord,
    ProjectSpec,
    Stage,
    Thresholds,
    parse_spec,
)
from ..units import format_amount, from_bytes32, reference_hash, to_bytes32
from .base import Bound
from .token import Token

PROJECT_STATUS = ("None", "Open", "Closed")
#: Rows per transaction when paying a file. A chunk's key depends on where it starts, so this
#: stays fixed: a resumed file must be cut the same way. 200 payments to new payees, each with
#: an invoice and a memo, used 18.6M gas on the embedded chain: 62 % of a 30M block.
CHUNK_ROWS = 200
#: The payment run a payments file is paid under unless the payer names another.
DEFAULT_RUN = "default"
#: The ABI tuple of one payment (to, amount, category, milestone, invoice, memo).
_PAYMENT_TYPES = "address,uint256,bytes32,uint256,bytes32,string"
ADDRESS_SUBJECT_FLAGS = {"PAYEE_SHARE", "NEAR_THRESHOLD"}
TEXT_SUBJECT_FLAGS = {"BUDGET_LINE_90"}


class Ledger(Bound):
    """The deployment's FundLedger."""

    artifact = "FundLedger"

    # writes

    def create_project(
        self, spec: ProjectSpec | dict[str, Any], *, sender: str = "admin"
    ) -> TxResult:
        """Create a project (sent by an approved creator; admin by default)."""
        spec = parse_spec(ProjectSpec, spec)
        categories = list(spec.budget)
        fn = self.contract.functions.createProject(
            (
                to_bytes32(spec.id, field="project id"),
                self.resolve(spec.owner),
                [to_bytes32(c, field="category") for c in categories],
                [spec.budget[c] for c in categories],
                [int(m.stage) for m in spec.milestones],
                [m.amount for m in spec.milestones],
                (spec.dual_control, spec.near_margin, spec.payee_share_bps, spec.share_floor),
                spec.substitute_financing,
            )
        )
        return self.session.transact(fn, sender)[0]

    def fund(self, project: str, amount: int, *, funder: str) -> list[TxResult]:
        """Approve the ledger for `amount`, then deposit it into `project` (two transactions)."""
        self.owner(project)  # an unknown project fails before anything is sent
        fn = self.contract.functions.fund(to_bytes32(project), amount)
        return Token(self.session).spend(
            self.address, amount, sender=funder, then=lambda: self.session.transact(fn, funder)[0]
        )

    def approve_milestone(
        self, project: str, milestone: int, evidence: str | None = None, *, sender: str = "reviewer"
    ) -> TxResult:
        fn = self.contract.functions.approveMilestone(
            to_bytes32(project), milestone, reference_hash(evidence)
        )
        return self.session.transact(fn, sender)[0]

    def set_team_wallet(
        self, project: str, wallet: str, allowed: bool = True, *, sender: str = "reviewer"
    ) -> TxResult:
        fn = self.contract.functions.setTeamWallet(
            to_bytes32(project), self.resolve(wallet), allowed
        )
        return self.session.transact(fn, sender)[0]

    def approve_payment(
        self, project: str, payment: PaymentSpec | dict[str, Any], *, sender: str = "reviewer"
    ) -> TxResult:
        """Pre-approve exactly this payment (dual control)."""
        p = parse_spec(PaymentSpec, payment)
        fn = self.contract.functions.approvePayment(
            to_bytes32(project),
            self.resolve(p.to),
            p.amount,
            to_bytes32(p.category),
            p.milestone,
            reference_hash(p.invoice),
        )
        return self.session.transact(fn, sender)[0]

    def _payment_tuple(self, p: PaymentSpec) -> tuple[Any, ...]:
        return (
            self.resolve(p.to),
            p.amount,
            to_bytes32(p.category, field="category"),
            p.milestone,
            reference_hash(p.invoice),
            p.memo,
        )

    def disburse(
        self, project: str, payment: PaymentSpec | dict[str, Any], *, sender: str | None = None
    ) -> TxResult:
        """Pay one payee (sent by the project owner unless `sender` says otherwise)."""
        p = parse_spec(PaymentSpec, payment)
        owner = sender or self.owner(project)
        fn = self.contract.functions.disburse(to_bytes32(project), *self._payment_tuple(p))
        return self.session.transact(fn, owner)[0]

    def disburse_batch(
        self,
        project: str,
        payments: list[PaymentSpec] | list[dict[str, Any]],
        *,
        sender: str | None = None,
        run: str | None = None,
        first: int = 0,
    ) -> TxResult:
        """Many payments in one transaction: all land or none. Under a `run` name the batch
        is that run's payments from position `first`, recorded on chain; it must start where
        the run's last batch ended (`LedgerBatchAlreadyPaid` before, `LedgerBatchOutOfOrder`
        after)."""
        if not payments:
            raise InputError("a batch needs at least one payment")
        owner = sender or self.owner(project)
        rows = [self._payment_tuple(parse_spec(PaymentSpec, p)) for p in payments]
        key = bytes(32) if run is None else to_bytes32(run, field="run")
        fn = self.contract.functions.disburseBatch(to_bytes32(project), key, first, rows)
        return self.session.transact(fn, owner)[0]

    def pay_file(
        self,
        project: str,
        payments: list[PaymentSpec],
        *,
        run: str = DEFAULT_RUN,
        sender: str | None = None,
        chunk_rows: int = CHUNK_ROWS,
        progress: Callable[[ChunkOutcome], None] | None = None,
    ) -> list[ChunkOutcome]:
        """Pay a payments file of any length in chunks of at most `chunk_rows`, each one keyed
        transaction (all of a chunk or none of it). Running the same file again resumes it,
        and never pays a payment twice.

        Each chunk is sent as the payments of run `run` from its position in the file; the
        ledger takes a run's chunks only one after the other (no overlap, no gap) and records
        each with the number and the hash of its payments. The file is walked from its first
        payment along the chunks recorded: a chunk already paid with the same payments is
        skipped; one paid with other payments refuses the whole file before anything is sent
        (the file is not the one paid under this run: an edited, re-sorted or shortened file,
        or another one, whose rows would otherwise be paid again); rows past the last paid
        chunk (appended since) are paid. `run` names a new payment run of the same file.
        The chunks to send are checked together against the project before the first is
        sent: its balance, budget lines, tranches, and each payee's eligibility and debts.
        """
        if not payments:
            raise InputError("a payments file needs at least one payment")
        if chunk_rows < 1:
            raise InputError(f"chunk_rows must be at least 1, not {chunk_rows}")
        key = to_bytes32(project, field="project id")
        run_key = to_bytes32(run, field="run")
        owner = sender or self.owner(project)
        rows = [self._payment_tuple(p) for p in payments]
        plan: list[tuple[int, list[tuple[Any, ...]], int]] = []
        first = 0
        while first < len(rows):
            paid_in, count, hashed = self.session.call(
                self.contract.functions.batchPaid(key, run_key, first)
            )
            if paid_in:
                part = rows[first : first + int(count)]
                if len(part) != int(count) or _payments_hash(part) != bytes(hashed):
                    raise InputError(
                        f"payments {first + 1}-{first + int(count)} of run {run} were paid in "
                        f"block {paid_in} with other rows: this file is not the one paid under "
                        "this run (edited, re-sorted, shortened or another file); nothing was "
                        "sent",
                        hint="pay it as a new run with --run NAME only if none of its rows "
                        "was paid before",
                    )
            else:
                part = rows[first : first + chunk_rows]
            plan.append((first, part, int(paid_in)))
            first += len(part)
        run_paid = int(self.session.call(self.contract.functions.runPaid(key, run_key)))
        if run_paid > len(rows):
            raise InputError(
                f"run {run} of {project} has {run_paid} payments paid; this file has {len(rows)}: "
                "it is not the file paid under this run (shortened, or another file); nothing "
                "was sent",
                hint="pay it as a new run with --run NAME only if none of its rows was paid before",
            )
        unpaid = [(first, part) for (first, part, paid) in plan if not paid]
        try:
            self._check_fits(
                project, [p for first, part in unpaid for p in payments[first : first + len(part)]]
            )
        except InputError as error:
            spans: list[list[int]] = []  # contiguous runs of unpaid payments, from 1
            for first, part in unpaid:
                if spans and spans[-1][1] == first:
                    spans[-1][1] = first + len(part)
                else:
                    spans.append([first, first + len(part)])
            ranges = ", ".join(f"{a + 1}-{b}" for a, b in spans)
            already = len(plan) - len(unpaid)
            error.message = (
                f"{error.message} (payments {ranges} of the file, not paid yet"
                + (f"; {already} chunk(s) already paid" if already else "")
                + "); nothing was sent"
            )
            raise

        self._try_chunks(key, owner, plan)
        out: list[ChunkOutcome] = []
        for number, (first, part, paid_in) in enumerate(plan, start=1):
            total = sum(row[1] for row in part)
            common = {
                "chunk": number,
                "first_row": first,
                "rows": len(part),
                "total": total,
                "run": run,
            }
            if paid_in:
                outcome = ChunkOutcome(**common, status="already paid", block=paid_in)
            else:
                fn = self.contract.functions.disburseBatch(key, run_key, first, part)
                try:
                    result = self.session.transact(fn, owner)[0]
                except ScfError as error:
                    raise _chunk_failed(error, number, len(plan), first, part, out) from None
                outcome = ChunkOutcome(
                    **common, status="paid", block=result.block, transaction=result
                )
            out.append(outcome)
            if progress is not None:
                progress(outcome)
        return out

    def _try_chunks(
        self, key: bytes, owner: str, plan: list[tuple[int, list[tuple[Any, ...]], int]]
    ) -> None:
        """Run each chunk still to pay as a call on the current state (no key, nothing sent),
        so that a rule the totals do not show (dual control, a payee's status, gas) refuses
        the file before its first chunk lands. Each chunk is tried alone: what an earlier
        chunk uses up (an approval two identical rows share) shows only when sent."""
        sender = self.session.accounts.resolve(owner)
        for number, (first, part, paid_in) in enumerate(plan, start=1):
            if paid_in:
                continue
            fn = self.contract.functions.disburseBatch(key, bytes(32), 0, part)
            try:
                fn.call({"from": sender})
            except Exception as exc:  # noqa: BLE001 - decoded by the session
                decoded = self.session.decode(exc)
                reason = str(decoded) if decoded is not None else str(exc).splitlines()[0]
                raise InputError(
                    f"chunk {number} of {len(plan)} (payments {first + 1}-{first + len(part)}) "
                    f"would be refused: {reason}; nothing was sent"
                ) from None

    def _check_fits(self, project: str, payments: list[PaymentSpec]) -> None:
        """Refuse payments that cannot all land, before any is sent: more than the balance,
        a budget line's room or an approved milestone's tranche allows."""
        if not payments:
            return
        record = self.project(project)
        if record.status != "Open":
            raise InputError(f"project {project} is {record.status.lower()}")
        total = sum(p.amount for p in payments)
        if total > record.free:
            raise InputError(
                f"the payments total {format_amount(total, grouping=True)}; {project} has "
                f"{format_amount(record.free, grouping=True)} free"
            )
        lines = {line.category: line for line in record.lines}
        by_line: dict[str, int] = defaultdict(int)
        by_milestone: dict[int, int] = defaultdict(int)
        for p in payments:
            by_line[p.category] += p.amount
            by_milestone[p.milestone] += p.amount
        for category, amount in by_line.items():
            line = lines.get(category)
            if line is None:
                raise InputError(f"{project} has no budget line {category}")
            if amount > line.left:
                raise InputError(
                    f"the payments on budget line {category} total "
                    f"{format_amount(amount, grouping=True)}; "
                    f"{format_amount(line.left, grouping=True)} is left on it"
                )
        key = to_bytes32(project, field="project id")
        for payee in dict.fromkeys(self.resolve(p.to) for p in payments):
            shown = self.session.name_of(payee)
            if not self.session.call(self.contract.functions.isEligiblePayee(key, payee)):
                raise InputError(
                    f"{shown} is neither an Active registered supplier nor a team wallet of "
                    f"{project}"
                )
            owed = int(self.session.call(self.contract.functions.recoveryOwed(key, payee)))
            if owed:
                raise InputError(
                    f"{shown} owes {project} {format_amount(owed, grouping=True)} in "
                    "recoveries: payments to it are refused until repaid"
                )
        for index, amount in sorted(by_milestone.items()):
            if index >= len(record.milestones):
                raise InputError(f"{project} has no milestone {index}")
            m = record.milestones[index]
            if not m.approved:
                raise InputError(f"milestone {index} of {project} is not approved")
            left = m.tranche - m.spent - m.reserved
            if amount > left:
                raise InputError(
                    f"the payments under milestone {index} total "
                    f"{format_amount(amount, grouping=True)}; its tranche has "
                    f"{format_amount(left, grouping=True)} left"
                )

    def batch_paid_in(self, project: str, run: str, first: int = 0) -> int:
        """The block the batch of `run` starting at position `first` was paid in, 0 if none."""
        fn = self.contract.functions.batchPaid(
            to_bytes32(project), to_bytes32(run, field="run"), first
        )
        return int(self.session.call(fn)[0])

    def run_paid(self, project: str, run: str) -> int:
        """How many payments of `run` are paid: where its next batch starts."""
        fn = self.contract.functions.runPaid(to_bytes32(project), to_bytes32(run, field="run"))
        return int(self.session.call(fn))

    def propose_reallocation(
        self, project: str, source: str, target: str, amount: int, *, sender: str | None = None
    ) -> tuple[TxResult, int]:
        """Propose moving `amount` of cap between lines; returns the proposal id."""
        owner = sender or self.owner(project)
        fn = self.contract.functions.proposeReallocation(
            to_bytes32(project),
            to_bytes32(source, field="category"),
            to_bytes32(target, field="category"),
            amount,
        )
        result, receipt = self.session.transact(fn, owner)
        (event,) = self.contract.events.ReallocationProposed().process_receipt(receipt)
        return result, int(event["args"]["id"])

    def approve_reallocation(
        self, project: str, proposal: int, *, sender: str = "reviewer"
    ) -> TxResult:
        fn = self.contract.functions.approveReallocation(to_bytes32(project), proposal)
        return self.session.transact(fn, sender)[0]

    def close(self, project: str, *, sender: str | None = None) -> TxResult:
        fn = self.contract.functions.closeProject(to_bytes32(project))
        return self.session.transact(fn, sender or self.owner(project))[0]

    def repay_recovery(
        self, project: str, debtor: str, amount: int, *, by: str
    ) -> tuple[list[TxResult], int]:
        """Approve, then repay up to `amount` of what `debtor` owes `project` from `by`;
        returns the transactions and what was repaid (capped at what is owed)."""
        key = to_bytes32(project, field="project id")
        owed = self.recovery_owed(project, debtor)
        if owed == 0:
            raise InputError(f"{debtor} owes {project} nothing")
        amount = min(amount, owed)
        fn = self.contract.functions.repayRecovery(key, self.resolve(debtor), amount)
        token = Token(self.session)
        return token.spend(
            self.address, amount, sender=by, then=lambda: self.session.transact(fn, by)[0]
        ), amount

    def recovery_owed(self, project: str, debtor: str) -> int:
        """What `debtor` still owes `project` in recoveries."""
        self.owner(project)
        fn = self.contract.functions.recoveryOwed(to_bytes32(project), self.resolve(debtor))
        return int(self.session.call(fn))

    def claim(self, project: str, *, funder: str) -> TxResult:
        return self.session.transact(self.contract.functions.claim(to_bytes32(project)), funder)[0]

    def pause(self, *, sender: str = "admin") -> TxResult:
        return self.session.transact(self.contract.functions.pause(), sender)[0]

    def unpause(self, *, sender: str = "admin") -> TxResult:
        return self.session.transact(self.contract.functions.unpause(), sender)[0]

    # reads

    def paused(self) -> bool:
        return bool(self.session.call(self.contract.functions.paused()))

    def owner(self, project: str) -> ChecksumAddress:
        """The owner of `project`; `InputError` when there is no such project."""
        info = self.session.call(
            self.contract.functions.project(to_bytes32(project, field="project id"))
        )
        if info[1] == 0:
            raise InputError(f"no project {project}", hint="list them with `scf project list`")
        return to_checksum_address(info[0])

    def claimable(self, project: str, funder: str) -> int:
        fn = self.contract.functions.claimable(to_bytes32(project), self.resolve(funder))
        return int(self.session.call(fn))

    def project(self, project: str) -> ProjectRecord:
        """Totals, budget lines, milestones and funders of `project`."""
        self.owner(project)
        key = to_bytes32(project)
        f = self.contract.functions
        (
            owner,
            status,
            funded,
            spent,
            reserved,
            refunded,
            balance,
            budget,
            open_items,
            th,
            recovered,
            substitute_financing,
        ) = self.session.call(f.project(key))
        lines = [
            BudgetLineRecord(
                category=from_bytes32(c), cap=cap, spent=s, reserved=r, left=cap - s - r
            )
            for c, cap, s, r in self.session.call(f.budgetLines(key))
        ]
        milestones = [
            MilestoneRecord(
                index=i,
                stage=Stage(stage).name,
                tranche=tranche,
                spent=s,
                reserved=r,
                approved=approved,
                evidence=("0x" + evidence.hex()) if approved else None,
            )
            for i, (stage, tranche, s, r, approved, evidence) in enumerate(
                self.session.call(f.milestones(key))
            )
        ]
        accounts, amounts = self.session.call(f.funders(key))
        return ProjectRecord(
            id=project,
            owner=owner,
            status=PROJECT_STATUS[status],
            funded=funded,
            spent=spent,
            reserved=reserved,
            refunded=refunded,
            recovered=recovered,
            balance=balance,
            free=balance - reserved,
            budget=budget,
            open_reservations=open_items,
            thresholds=Thresholds(
                dual_control=th[0], near_margin=th[1], payee_share_bps=th[2], share_floor=th[3]
            ),
            substitute_financing=substitute_financing,
            lines=lines,
            milestones=milestones,
            funders=[
                FunderRecord(address=a, amount=v) for a, v in zip(accounts, amounts, strict=True)
            ],
        )

    def project_ids(self) -> list[str]:
        count = int(self.session.call(self.contract.functions.projectCount()))
        return [
            from_bytes32(self.session.call(self.contract.functions.projectAt(i)))
            for i in range(count)
        ]

    def flags(self, project: str) -> list[FlagRecord]:
        """The `RiskFlagged` events of `project`, oldest first.

        Read with the audit's collector (linear on every backend; eth-tester's own
        `eth_getLogs` grows with the square of the chain).
        """
        self.owner(project)
        wanted = "0x" + to_bytes32(project).hex()
        out = []
        for row in collect(self.session):
            args = row["args"]
            if row["event"] != "RiskFlagged" or args["project"] != wanted:
                continue
            code = from_bytes32(bytes.fromhex(args["code"][2:]))
            subject = bytes.fromhex(args["subject"][2:])
            shown: str
            if code in ADDRESS_SUBJECT_FLAGS:
                shown = to_checksum_address(subject[-20:])
            elif code in TEXT_SUBJECT_FLAGS:
                shown = from_bytes32(subject)
            else:
                shown = "0x" + subject.hex()
            out.append(
                FlagRecord(
                    code=code,
                    subject=shown,
                    value=int(args["value"]),
                    block=row["block"],
                    tx_hash=row["tx"],
                )
            )
        return out


def _payments_hash(rows: list[tuple[Any, ...]]) -> bytes:
    """`keccak256(abi.encode(payments))`, as the ledger records a keyed batch."""
    return bytes(keccak(abi_encode([f"({_PAYMENT_TYPES})[]"], [rows])))


def _chunk_failed(
    error: ScfError,
    number: int,
    chunks: int,
    first: int,
    part: list[tuple[Any, ...]],
    done: list[ChunkOutcome],
) -> ScfError:
    """`error`, told in the file's terms: which chunk and payments, whether it may have
    landed, what is paid, and how to go on."""
    paid = [c for c in done if c.status == "paid"]
    before = (
        f"chunks 1-{len(done)} of {chunks} are paid ({len(paid)} just now)"
        if done
        else "no earlier chunk"
    )
    unsure = isinstance(error, TransactionUnconfirmed | ChainConnectionError)
    state = "was sent but not confirmed" if unsure else "was not paid"
    if isinstance(error, ContractRevert) and error.error_name in (
        "LedgerBatchAlreadyPaid",
        "LedgerBatchOutOfOrder",
    ):
        error.message = (
            f"chunk {number} of {chunks} (payments {first + 1}-{first + len(part)}) was "
            "not paid: another payer of this run paid its first "
            f"{error.arguments.get('paid')} payments meanwhile; nothing was paid twice; "
            f"{before}"
        )
        error.hint = "run the same command again: it checks which chunks landed"
        return error
    error.message = (
        f"chunk {number} of {chunks} (payments {first + 1}-{first + len(part)}) {state}: "
        f"{error.message}; {before}"
    )
    error.hint = (
        "run the same command again: it checks which chunks landed and pays only the rest"
        if unsure
        else "fix the cause and run the same command again: paid chunks are skipped"
    )
    return error
