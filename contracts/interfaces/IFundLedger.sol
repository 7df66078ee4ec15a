// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title R&D fund ledger
/// @notice Projects with budget lines and milestone tranches. Funders deposit, reviewers
/// approve milestones, owners pay Active suppliers and allow-listed team wallets. Hard rules
/// revert with named errors; soft rules emit `RiskFlagged` and let the payment through. Every
/// token movement is recorded by exactly one event carrying from, to, amount and context.
interface IFundLedger {
    /// @notice Project lifecycle. `None` means no such project.
    enum ProjectStatus {
        None,
        Open,
        Closed
    }

    /// @notice R&D stage of a milestone.
    enum Stage {
        Research,
        Pilot,
        Industrialisation,
        Market
    }

    /// @notice Optional rule thresholds of a project, set at creation.
    /// @param dualControl Payments at or above this need a reviewer's pre-approval (0: off).
    /// @param nearMargin A payment within this margin under `dualControl` is flagged
    /// (0: 10 % of `dualControl`).
    /// @param payeeShareBps A payee above this share of the project's spending is flagged
    /// (0: 5000 = 50 %; 10000 turns the flag off).
    /// @param shareFloor The share flag applies once spending reaches this (0: 10 % of the
    /// budget total).
    struct Thresholds {
        uint256 dualControl;
        uint256 nearMargin;
        uint16 payeeShareBps;
        uint256 shareFloor;
    }

    /// @notice Everything a new project is created with.
    /// @param id Project identifier (bytes32 text, not zero).
    /// @param owner Who disburses and proposes reallocations.
    /// @param categories Budget line categories, 1 to 16, distinct.
    /// @param caps Cap of each budget line, same order.
    /// @param stages Stage of each milestone, 1 to 16; milestone i is numbered i.
    /// @param tranches Tranche of each milestone; they sum to at most the budget total.
    /// @param thresholds Optional soft- and hard-rule thresholds.
    /// @param substituteFinancing Whether the project's orders may be moved to a substitute
    /// with an advance from the pool (repaid out of their reservations) when a supplier is cut
    /// off; fixed at creation, so funders fund knowingly.
    struct ProjectSpec {
        bytes32 id;
        address owner;
        bytes32[] categories;
        uint256[] caps;
        Stage[] stages;
        uint256[] tranches;
        Thresholds thresholds;
        bool substituteFinancing;
    }

    /// @notice A project's totals.
    struct ProjectInfo {
        address owner;
        ProjectStatus status;
        uint256 funded;
        uint256 spent;
        uint256 reserved;
        uint256 refunded;
        uint256 balance;
        uint256 budget;
        uint256 openReservations;
        Thresholds thresholds;
        uint256 recovered;
        bool substituteFinancing;
    }

    /// @notice One budget line.
    struct BudgetLine {
        bytes32 category;
        uint256 cap;
        uint256 spent;
        uint256 reserved;
    }

    /// @notice One milestone and its tranche.
    struct Milestone {
        Stage stage;
        uint256 tranche;
        uint256 spent;
        uint256 reserved;
        bool approved;
        bytes32 evidence;
    }

    /// @notice One payment of a batch.
    struct Payment {
        address to;
        uint256 amount;
        bytes32 category;
        uint256 milestone;
        bytes32 invoice;
        string memo;
    }

    /// @notice Emitted when `project` is created for `owner` by `creator`.
    event ProjectCreated(
        bytes32 indexed project,
        address indexed owner,
        address creator,
        uint256 budget,
        Thresholds thresholds,
        bool substituteFinancing
    );
    /// @notice Emitted for each budget line at creation, and when a reallocation changes caps.
    event BudgetLineSet(bytes32 indexed project, bytes32 indexed category, uint256 cap);
    /// @notice Emitted for each milestone at creation (`milestone` counts from 0).
    event MilestoneAdded(bytes32 indexed project, uint256 milestone, Stage stage, uint256 tranche);
    /// @notice Tokens moved from funder `from` to the ledger (`to`) for `project`.
    event ProjectFunded(bytes32 indexed project, address indexed from, address to, uint256 amount);
    /// @notice Emitted when a reviewer approves `milestone` with an evidence hash.
    event MilestoneApproved(bytes32 indexed project, uint256 milestone, address reviewer, bytes32 evidence);
    /// @notice Emitted when a reviewer allows or removes a team wallet.
    event TeamWalletSet(bytes32 indexed project, address indexed wallet, bool allowed, address reviewer);
    /// @notice Emitted when a reviewer pre-approves one payment at or above dual control.
    event PaymentApproved(bytes32 indexed project, bytes32 indexed approval, address to, uint256 amount, address reviewer);
    /// @notice Tokens moved from the ledger (`from`) to payee `to` for `project`. `ref` is the
    /// invoice hash (zero for the pool's leg of an order's settlement).
    event FundsDisbursed(
        bytes32 indexed project,
        address from,
        address indexed to,
        uint256 amount,
        bytes32 category,
        uint256 milestone,
        bytes32 ref,
        string memo
    );
    /// @notice A keyed batch of payments landed: payments `first` to `first + count - 1` of
    /// payment run `run` (one chunk of a payments file), `total` paid; `payments` is
    /// `keccak256(abi.encode(payments))`.
    event BatchPaid(
        bytes32 indexed project,
        bytes32 indexed run,
        uint256 first,
        uint256 count,
        uint256 total,
        bytes32 payments
    );
    /// @notice Tokens moved from the ledger (`from`) back to funder `to` on a closed project.
    event FundsRefunded(bytes32 indexed project, address from, address indexed to, uint256 amount);
    /// @notice A soft rule fired: `code` names it, `subject` what it is about, `value` a figure.
    event RiskFlagged(bytes32 indexed project, bytes32 indexed code, bytes32 subject, uint256 value);
    /// @notice Emitted when the owner proposes moving `amount` of cap between lines.
    event ReallocationProposed(bytes32 indexed project, uint256 indexed id, bytes32 from, bytes32 to, uint256 amount);
    /// @notice Emitted when a reviewer approves reallocation `id`.
    event ReallocationApproved(bytes32 indexed project, uint256 indexed id, address reviewer);
    /// @notice Emitted when the financing contract reserves an order's value (`ref`: order id).
    event FundsReserved(bytes32 indexed project, uint256 indexed ref, bytes32 category, uint256 milestone, uint256 amount);
    /// @notice Emitted when a reservation is released without payment.
    event ReservationReleased(bytes32 indexed project, uint256 indexed ref, uint256 amount);
    /// @notice Emitted when `project` closes with `remaining` left for its funders.
    event ProjectClosed(bytes32 indexed project, uint256 remaining);
    /// @notice Emitted when the financier records that `debtor` owes `project` `amount` for
    /// order `ref` (a substitute that kept its advance and did not deliver), on the order's
    /// budget line and milestone.
    event RecoveryRecorded(
        bytes32 indexed project, address indexed debtor, uint256 indexed ref, uint256 amount, bytes32 category, uint256 milestone
    );
    /// @notice `amount` of reservation `ref`, due to `debtor`, was set off against what it owes
    /// the project instead of being paid to it: spent on the order's line and milestone with
    /// no transfer (the `RecoveryRepaid` events of the same call say which recoveries it repaid).
    event RecoverySetOff(
        bytes32 indexed project, address indexed debtor, uint256 indexed ref, uint256 amount, bytes32 category, uint256 milestone
    );

    /// @notice Tokens moved from `from` to the ledger (`to`) repaying `debtor`'s recovery on
    /// order `ref`: the project's balance, line and tranche regain `amount`. In a set-off
    /// (`RecoverySetOff` in the same call) `from` is the debtor and no tokens move: the debtor
    /// repays out of a payment due to it.
    event RecoveryRepaid(
        bytes32 indexed project,
        address indexed debtor,
        uint256 indexed ref,
        address from,
        address to,
        uint256 amount,
        bytes32 category,
        uint256 milestone
    );

    /// @notice Thrown when a direct payment goes to `payee` while it owes `project` `owed` in
    /// recoveries: it repays them first (or is paid through an order, which sets them off).
    error LedgerPayeeOwesRecovery(bytes32 project, address payee, uint256 owed);
    /// @notice Thrown when an amount, or a total it would make, is above `max` (2**120 - 1,
    /// about 1.3e36 base units): the ledger packs its amounts in storage by that bound.
    error LedgerAmountTooLarge(uint256 amount, uint256 max);
    /// @notice Thrown when creating a project whose id is taken.
    error LedgerProjectExists(bytes32 project);
    /// @notice Thrown when `project` does not exist.
    error LedgerProjectUnknown(bytes32 project);
    /// @notice Thrown when `project` is closed and the call needs it open (or the reverse).
    error LedgerProjectStatus(bytes32 project, ProjectStatus status);
    /// @notice Thrown when `account` is not the owner of `project` (nor admin where allowed).
    error LedgerNotProjectOwner(bytes32 project, address account);
    /// @notice Thrown when an id, owner, category or amount is zero where it may not be.
    error LedgerZeroValue();
    /// @notice Position `first` of payment run `run` of `project` is paid: the run's first
    /// `paid` payments are.
    error LedgerBatchAlreadyPaid(bytes32 project, bytes32 run, uint256 first, uint256 paid);
    /// @notice A batch of `run` starting at `first` would leave positions `paid` to
    /// `first - 1` unpaid: a run's batches follow each other.
    error LedgerBatchOutOfOrder(bytes32 project, bytes32 run, uint256 first, uint256 paid);
    /// @notice Thrown when list arguments have different lengths.
    error LedgerLengthMismatch();
    /// @notice Thrown when a project has no or more than `max` budget lines or milestones.
    error LedgerCountInvalid(uint256 count, uint256 max);
    /// @notice Thrown when a category is listed twice.
    error LedgerDuplicateCategory(bytes32 category);
    /// @notice Thrown when the milestone tranches add up to more than the budget.
    error LedgerTranchesExceedBudget(uint256 tranches, uint256 budget);
    /// @notice Thrown when a share is above 10000 basis points.
    error LedgerShareInvalid(uint256 bps);
    /// @notice Thrown when `category` is not a budget line of `project`.
    error LedgerUnknownCategory(bytes32 project, bytes32 category);
    /// @notice Thrown when `milestone` is not a milestone of `project`.
    error LedgerUnknownMilestone(bytes32 project, uint256 milestone);
    /// @notice Thrown when a payment or reservation exceeds what is left on a budget line.
    error LedgerBudgetExceeded(bytes32 project, bytes32 category, uint256 available, uint256 requested);
    /// @notice Thrown when paying against a milestone that is not approved.
    error LedgerMilestoneNotApproved(bytes32 project, uint256 milestone);
    /// @notice Thrown when approving a milestone twice.
    error LedgerMilestoneAlreadyApproved(bytes32 project, uint256 milestone);
    /// @notice Thrown when a payment or reservation exceeds what is left of a tranche.
    error LedgerTrancheExhausted(bytes32 project, uint256 milestone, uint256 available, uint256 requested);
    /// @notice Thrown when `payee` is neither an Active registered supplier nor a team wallet.
    error LedgerPayeeNotEligible(bytes32 project, address payee);
    /// @notice Thrown when the project's free balance (balance less reservations) is too low.
    error LedgerInsufficientBalance(bytes32 project, uint256 available, uint256 requested);
    /// @notice Thrown when a payment at or above `threshold` has no reviewer pre-approval.
    error LedgerPaymentNotApproved(bytes32 project, address payee, uint256 amount, uint256 threshold);
    /// @notice Thrown when approving a reallocation that does not exist or was approved.
    error LedgerReallocationUnknown(bytes32 project, uint256 id);
    /// @notice Thrown when closing a project that still has open reservations.
    error LedgerOpenItems(bytes32 project, uint256 count);
    /// @notice Thrown when reserving under a reference already in use.
    error LedgerReservationExists(bytes32 project, uint256 ref);
    /// @notice Thrown when a reservation does not exist or is no longer open.
    error LedgerReservationUnknown(bytes32 project, uint256 ref);
    /// @notice Thrown when `funder` has nothing to claim from `project`.
    error LedgerNothingToClaim(bytes32 project, address funder);
    /// @notice Thrown when `debtor` owes `project` nothing.
    error LedgerNothingToRecover(bytes32 project, address debtor);

    /// @notice Creates a project with budget lines and milestones.
    /// @dev Caller: an approved creator (creator role). 1 to 16 distinct non-zero categories
    /// with caps; 1 to 16 milestones whose tranches sum to at most the budget total. Emits
    /// `ProjectCreated`, one `BudgetLineSet` per line and one `MilestoneAdded` per milestone.
    function createProject(ProjectSpec calldata spec) external;

    /// @notice Deposits `amount` settlement tokens into an open `project`.
    /// @dev Caller: any funder, after approving the ledger. Emits `ProjectFunded`.
    function fund(bytes32 project, uint256 amount) external;

    /// @notice Approves `milestone` of `project`, unlocking payments against its tranche.
    /// @dev Caller: reviewer role. Emits `MilestoneApproved`.
    function approveMilestone(bytes32 project, uint256 milestone, bytes32 evidence) external;

    /// @notice Allows (or removes) `wallet` as a team payee of `project`.
    /// @dev Caller: reviewer role (never the owner alone). Emits `TeamWalletSet`.
    function setTeamWallet(bytes32 project, address wallet, bool allowed) external;

    /// @notice Pre-approves exactly one payment at or above the dual-control threshold.
    /// @dev Caller: reviewer role. The approval is used up by the matching payment. Emits
    /// `PaymentApproved`.
    function approvePayment(
        bytes32 project,
        address to,
        uint256 amount,
        bytes32 category,
        uint256 milestone,
        bytes32 invoice
    ) external;

    /// @notice Pays `amount` to `to` from `project` under a budget line and milestone.
    /// @dev Caller: the project owner; not while paused. Reverts on every hard rule. Emits
    /// `FundsDisbursed`, and `RiskFlagged` for each soft rule that fires.
    function disburse(
        bytes32 project,
        address to,
        uint256 amount,
        bytes32 category,
        uint256 milestone,
        bytes32 invoice,
        string calldata memo
    ) external;

    /// @notice Several payments in one transaction, each under the rules of `disburse`.
    /// @dev Caller: the project owner; all or nothing. Under a non-zero `run` (a payment run
    /// of a payments file) the batch is the run's payments from position `first`, which
    /// must be where the run's last batch ended (0 for its first): an earlier position is
    /// refused with `LedgerBatchAlreadyPaid`, a later one with `LedgerBatchOutOfOrder`. So a
    /// run's batches tile its file, and a file resumed after a failure, by any tool, never
    /// pays a position twice. The batch is recorded (`BatchPaid`, `batchPaid`). The zero
    /// run records nothing and takes `first` 0.
    function disburseBatch(bytes32 project, bytes32 run, uint256 first, Payment[] calldata payments)
        external;

    /// @notice The batch of `run` of `project` that starts at position `first`: its block
    /// (0 if none was paid there), its number of payments and `keccak256(abi.encode(payments))`.
    function batchPaid(bytes32 project, bytes32 run, uint256 first)
        external
        view
        returns (uint256 blockNumber, uint256 count, bytes32 payments);

    /// @notice How many payments of `run` of `project` are paid: where its next batch starts.
    function runPaid(bytes32 project, bytes32 run) external view returns (uint256);

    /// @notice Proposes moving `amount` of cap from budget line `from` to `to`.
    /// @dev Caller: the project owner. Emits `ReallocationProposed`; returns its id (from 1).
    function proposeReallocation(bytes32 project, bytes32 from, bytes32 to, uint256 amount)
        external
        returns (uint256 id);

    /// @notice Approves a proposed reallocation; `from` must still have that much free cap.
    /// @dev Caller: reviewer role. Emits `ReallocationApproved` and two `BudgetLineSet`.
    function approveReallocation(bytes32 project, uint256 id) external;

    /// @notice Reserves an order's value against balance, budget line and tranche (no
    /// approved milestone needed).
    /// @dev Caller: financier role (the financing contract). Emits `FundsReserved`.
    function reserve(bytes32 project, uint256 ref, bytes32 category, uint256 milestone, uint256 amount)
        external;

    /// @notice Releases an open reservation unpaid.
    /// @dev Caller: financier role. Emits `ReservationReleased`.
    function release(bytes32 project, uint256 ref) external;

    /// @notice Pays what is left of an open reservation to its final payee `to` (an order's
    /// supplier) and closes it, under the rules of a direct payment: the milestone must be
    /// approved and `to` an eligible payee now; the payment is recorded against `to` and
    /// raises the same risk flags, with `invoice` as its invoice reference. Dual control is
    /// the financier's to enforce: an order at or above the threshold is approved by the
    /// reviewer before it can be settled.
    /// What `to` owes the project in recoveries is set off first: that part stays with the
    /// project and repays the recoveries, oldest first; only the rest is transferred.
    /// @dev Caller: financier role; not while paused. Emits `RecoverySetOff` and
    /// `RecoveryRepaid` for a set-off, `FundsDisbursed` (`ref` = invoice) for the transfer,
    /// and `RiskFlagged` for each soft rule that fires.
    function payReservation(bytes32 project, uint256 ref, address to, bytes32 invoice)
        external
        returns (uint256 amount);

    /// @notice Applies to an open reservation what `debtor` (the order's payee) owes the
    /// project in recoveries, up to what is left of it, without paying the debtor anything:
    /// a set-off needs no eligible payee. Closes the reservation when nothing is left.
    /// @dev Caller: financier role; not while paused. Emits `RecoverySetOff` and
    /// `RecoveryRepaid`; returns the amount set off (0 when the debtor owes nothing).
    function setOffReservation(bytes32 project, uint256 ref, address debtor) external returns (uint256 amount);

    /// @notice Pays `amount` of an open reservation to `pool`, repaying a facility opened on
    /// the order; the financier computes what the facility owes. The reservation stays open
    /// for the rest (closed if nothing is left). The milestone must be approved. The pool
    /// is repaid even while payments are paused: its claim is on cash already reserved.
    /// @dev Caller: financier role. Emits `FundsDisbursed` (`ref` zero: the pool's leg
    /// carries no invoice reference).
    function payPoolFromReservation(bytes32 project, uint256 ref, address pool, uint256 amount) external;

    /// @notice What the substitute-financing trigger needs of an order's project and
    /// milestone: whether the project's terms let its orders be substitute-financed, whether
    /// `milestone` is approved (false for an unknown one) and its stage (Research for an
    /// unknown one).
    function financingGate(bytes32 project, uint256 milestone)
        external
        view
        returns (bool allowed, bool approved, Stage stage);

    /// @notice What is left of reservation `ref` of `project` (0 if none is open).
    function reservationLeft(bytes32 project, uint256 ref) external view returns (uint256);

    /// @notice Records that `debtor` owes `project` `amount` for order `ref`, on the order's
    /// line and milestone. Allowed on a closed project (funders claim it when repaid).
    /// @dev Caller: financier role. Emits `RecoveryRecorded`.
    function recordRecovery(bytes32 project, uint256 ref, address debtor, uint256 amount) external;

    /// @notice Pays up to `amount` of what `debtor` owes `project` from the caller (after
    /// approving), oldest recovery first; restores the balance, line and tranche. On a closed
    /// project it becomes claimable by the funders pro rata.
    /// @dev Caller: anyone (the debtor or someone for it). Emits `RecoveryRepaid` per
    /// recovery it pays.
    function repayRecovery(bytes32 project, address debtor, uint256 amount) external returns (uint256 repaid);

    /// @notice What `debtor` still owes `project` in recoveries.
    function recoveryOwed(bytes32 project, address debtor) external view returns (uint256);

    /// @notice Closes `project`; what is left, and any recovery repaid later, becomes claimable
    /// by its funders pro rata.
    /// @dev Caller: the owner or the admin; refused while reservations are open. Emits
    /// `ProjectClosed`.
    function closeProject(bytes32 project) external;

    /// @notice Pays the caller its pro-rata share of a closed project's remaining balance and
    /// of recoveries repaid since, less what it claimed before.
    /// @dev Caller: a funder of the project, whenever it has something to claim. Emits
    /// `FundsRefunded`.
    function claim(bytes32 project) external returns (uint256 amount);

    /// @notice Stops all payments, funding, reservations and claims.
    /// @dev Caller: admin. Emits `Paused`.
    function pause() external;

    /// @notice Lifts `pause`.
    /// @dev Caller: admin. Emits `Unpaused`.
    function unpause() external;

    /// @notice Totals, status and thresholds of `project`.
    function project(bytes32 project) external view returns (ProjectInfo memory);

    /// @notice The budget lines of `project`, in creation order.
    function budgetLines(bytes32 project) external view returns (BudgetLine[] memory);

    /// @notice The milestones of `project`, from 0.
    function milestones(bytes32 project) external view returns (Milestone[] memory);

    /// @notice The funders of `project` and what each deposited.
    function funders(bytes32 project) external view returns (address[] memory, uint256[] memory);

    /// @notice What `funder` may claim from closed `project` now (0 once claimed).
    function claimable(bytes32 project, address funder) external view returns (uint256);

    /// @notice Whether `payee` may be paid by `project` now.
    function isEligiblePayee(bytes32 project, address payee) external view returns (bool);

    /// @notice Number of projects ever created.
    function projectCount() external view returns (uint256);

    /// @notice The `index`-th project id (from 0, in creation order).
    function projectAt(uint256 index) external view returns (bytes32);
}
