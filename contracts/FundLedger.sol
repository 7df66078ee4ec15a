// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IFundLedger} from "./interfaces/IFundLedger.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {LedgerRiskFlags} from "./ledger/LedgerRiskFlags.sol";

/// @title FundLedger
/// @notice R&D fund-flow tracking: every yuan of a project from funder to payee, capped by
/// budget line and milestone tranche. No function loops over projects, payees or payments;
/// the loops that exist are bounded by a project's 16 lines and 16 milestones, or by the
/// caller's own batch.
contract FundLedger is
    IFundLedger,
    LedgerRiskFlags,
    AccessControlDefaultAdminRules,
    Pausable,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    /// @notice Role approved by the admin to create projects.
    bytes32 public constant CREATOR_ROLE = keccak256("CREATOR_ROLE");
    /// @notice Role that approves milestones, team wallets, large payments and reallocations.
    bytes32 public constant REVIEWER_ROLE = keccak256("REVIEWER_ROLE");
    /// @notice Role of the financing contract: reserves, releases and pays order values.
    bytes32 public constant FINANCIER_ROLE = keccak256("FINANCIER_ROLE");
    /// @notice Most budget lines, and most milestones, per project.
    uint256 public constant MAX_ITEMS = 16;
    /// @notice Largest amount the ledger takes: a cap, a tranche, a threshold, a project's
    /// funding, what one debtor owes. Amounts are packed two to a storage slot.
    uint256 public constant MAX_AMOUNT = type(uint120).max;

    /// @notice The settlement token.
    IERC20 public immutable token;
    /// @notice The supplier registry deciding who is an Active supplier.
    ISupplierRegistry public immutable registry;

    // Storage is laid out for the payment path: what one payment reads and writes sits in as
    // few slots as possible, and the figures only views need are derived (a line's spent is
    // its cap less what is left and reserved). History is in the events.

    /// @dev A budget line. Slot 1 is all a payment touches: `left` is cap - spent - reserved.
    struct Line {
        uint128 left;
        uint120 cap;
        bool exists;
        uint128 reserved;
    }

    /// @dev A milestone. Slot 1 is all a payment touches: `left` is tranche - spent - reserved.
    struct MilestoneData {
        uint128 left;
        Stage stage;
        bool approved;
        uint128 tranche;
        uint128 reserved;
        bytes32 evidence;
    }

    struct ProjectData {
        // slot 0: read by every call on the project
        address owner;
        ProjectStatus status;
        bool substituteFinancing;
        uint16 payeeShareBps;
        uint8 milestoneCount;
        bool defaultFloor;
        bool defaultMargin;
        // slot 1: read and written by every payment; `free` is the balance less reserved
        uint128 free;
        uint128 spent;
        // slot 2: read by every payment; `shareFloor` with its default applied
        uint128 dualControl;
        uint128 shareFloor;
        // slot 3: read by a payment under dual control; `nearMargin` with its default applied
        uint128 nearMargin;
        uint128 budget;
        // the rest: funding, reservations, closing
        uint128 funded;
        uint128 refunded;
        uint128 reserved;
        uint128 recovered;
        uint128 closedBalance;
        uint128 recoveredAfterClose;
        uint64 openReservations;
        uint64 reallocations;
        bytes32[] categories;
        address[] funders;
    }

    /// @dev A payee of a project, in one slot: what it was paid (the payee-share flag), what
    /// it owes in recoveries, and whether it is an approved team wallet.
    struct Payee {
        uint128 paid;
        uint120 owed;
        bool team;
    }

    struct Reallocation {
        bytes32 from;
        bytes32 to;
        uint256 amount;
        bool pending;
    }

    struct Reservation {
        bytes32 category;
        uint128 amount;
        uint8 milestone;
        bool open;
    }

    mapping(bytes32 project => ProjectData) private _projects;
    mapping(bytes32 project => mapping(bytes32 category => Line)) private _lines;
    mapping(bytes32 project => mapping(uint256 index => MilestoneData)) private _milestones;
    mapping(bytes32 project => mapping(address payee => Payee)) private _payees;
    mapping(bytes32 project => mapping(address funder => uint256)) private _contributions;
    mapping(bytes32 project => mapping(address funder => uint256)) private _claimed;
    mapping(bytes32 project => mapping(uint256 id => Reallocation)) private _reallocations;
    mapping(bytes32 project => mapping(uint256 ref => Reservation)) private _reservations;
    mapping(bytes32 approval => bool) private _paymentApprovals;
    /// @dev A keyed batch as paid: its block, its number of payments and the hash of its
    /// payments (`keccak256(abi.encode(payments))`), so that a payer resuming a file can
    /// tell the batch it sent from another one at the same position. Keyed by
    /// `keccak256(abi.encode(run, first))`.
    struct Batch {
        uint64 blockNumber;
        uint32 count;
        bytes32 payments;
    }

    mapping(bytes32 project => mapping(bytes32 batch => Batch)) private _batches;
    /// @dev Per run of a project, the number of its payments paid: the position its next
    /// batch must start at, so that a run's batches tile its file without overlap or gap.
    mapping(bytes32 project => mapping(bytes32 run => uint256 next)) private _runNext;

    /// @dev The recoveries a debtor owes a project, order by order, oldest first (the total
    /// is `Payee.owed`): a queue whose head moves past paid entries, so each entry is read
    /// once however many repayments come.
    struct RecoveryQueue {
        uint256 head;
        uint256[] refs;
        mapping(uint256 ref => uint256) left;
    }

    mapping(bytes32 project => mapping(address debtor => RecoveryQueue)) private _recoveries;
    bytes32[] private _projectIds;

    /// @param token_ The settlement token.
    /// @param registry_ The supplier registry.
    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(IERC20 token_, ISupplierRegistry registry_, uint48 adminDelay, address admin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        token = token_;
        registry = registry_;
    }

    /// @inheritdoc IFundLedger
    function createProject(ProjectSpec calldata spec) external onlyRole(CREATOR_ROLE) whenNotPaused {
        bytes32 id = spec.id;
        if (id == bytes32(0) || spec.owner == address(0)) revert LedgerZeroValue();
        ProjectData storage p = _projects[id];
        if (p.status != ProjectStatus.None) revert LedgerProjectExists(id);
        uint256 lines = spec.categories.length;
        uint256 steps = spec.stages.length;
        if (lines != spec.caps.length || steps != spec.tranches.length) revert LedgerLengthMismatch();
        if (lines == 0 || lines > MAX_ITEMS) revert LedgerCountInvalid(lines, MAX_ITEMS);
        if (steps == 0 || steps > MAX_ITEMS) revert LedgerCountInvalid(steps, MAX_ITEMS);
        Thresholds calldata t = spec.thresholds;
        if (t.payeeShareBps > BPS) revert LedgerShareInvalid(t.payeeShareBps);
        _checkAmount(t.dualControl);
        _checkAmount(t.nearMargin);
        _checkAmount(t.shareFloor);

        uint256 budget = 0;
        for (uint256 i = 0; i < lines; ++i) {
            bytes32 category = spec.categories[i];
            uint256 cap = spec.caps[i];
            if (category == bytes32(0) || cap == 0) revert LedgerZeroValue();
            Line storage line = _lines[id][category];
            if (line.exists) revert LedgerDuplicateCategory(category);
            _checkAmount(cap);
            budget += cap;
            // every cap is at most the budget, and stays so: reallocations keep the total
            _checkAmount(budget);
            line.exists = true;
            line.cap = uint120(cap);
            line.left = uint128(cap);
            p.categories.push(category);
        }
        uint256 trancheTotal = 0;
        for (uint256 i = 0; i < steps; ++i) {
            uint256 tranche = spec.tranches[i];
            _checkAmount(tranche);
            MilestoneData storage m = _milestones[id][i];
            m.stage = spec.stages[i];
            m.tranche = uint128(tranche);
            m.left = uint128(tranche);
            trancheTotal += tranche;
        }
        if (trancheTotal > budget) revert LedgerTranchesExceedBudget(trancheTotal, budget);

        p.owner = spec.owner;
        p.status = ProjectStatus.Open;
        p.substituteFinancing = spec.substituteFinancing;
        p.payeeShareBps = t.payeeShareBps;
        p.milestoneCount = uint8(steps);
        p.defaultFloor = t.shareFloor == 0;
        p.defaultMargin = t.nearMargin == 0;
        p.dualControl = uint128(t.dualControl);
        p.shareFloor = uint128(t.shareFloor == 0 ? budget / 10 : t.shareFloor);
        p.nearMargin = uint128(t.nearMargin == 0 ? t.dualControl / 10 : t.nearMargin);
        p.budget = uint128(budget);
        _projectIds.push(id);

        emit ProjectCreated(id, spec.owner, msg.sender, budget, spec.thresholds, spec.substituteFinancing);
        for (uint256 i = 0; i < lines; ++i) {
            emit BudgetLineSet(id, spec.categories[i], spec.caps[i]);
        }
        for (uint256 i = 0; i < steps; ++i) {
            emit MilestoneAdded(id, i, spec.stages[i], spec.tranches[i]);
        }
    }

    /// @inheritdoc IFundLedger
    function fund(bytes32 id, uint256 amount) external nonReentrant whenNotPaused {
        ProjectData storage p = _open(id);
        if (amount == 0) revert LedgerZeroValue();
        _checkAmount(amount);
        uint256 funded = p.funded + amount;
        _checkAmount(funded);
        if (_contributions[id][msg.sender] == 0) p.funders.push(msg.sender);
        _contributions[id][msg.sender] += amount;
        p.funded = uint128(funded);
        p.free += uint128(amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit ProjectFunded(id, msg.sender, address(this), amount);
    }

    /// @inheritdoc IFundLedger
    function approveMilestone(bytes32 id, uint256 milestone, bytes32 evidence) external onlyRole(REVIEWER_ROLE) {
        MilestoneData storage m = _milestone(_open(id), id, milestone);
        if (m.approved) revert LedgerMilestoneAlreadyApproved(id, milestone);
        m.approved = true;
        m.evidence = evidence;
        emit MilestoneApproved(id, milestone, msg.sender, evidence);
    }

    /// @inheritdoc IFundLedger
    function setTeamWallet(bytes32 id, address wallet, bool allowed) external onlyRole(REVIEWER_ROLE) {
        _open(id);
        if (wallet == address(0)) revert LedgerZeroValue();
        _payees[id][wallet].team = allowed;
        emit TeamWalletSet(id, wallet, allowed, msg.sender);
    }

    /// @inheritdoc IFundLedger
    function approvePayment(
        bytes32 id,
        address to,
        uint256 amount,
        bytes32 category,
        uint256 milestone,
        bytes32 invoice
    ) external onlyRole(REVIEWER_ROLE) {
        _open(id);
        bytes32 approval = _approvalKey(id, to, amount, category, milestone, invoice);
        _paymentApprovals[approval] = true;
        emit PaymentApproved(id, approval, to, amount, msg.sender);
    }

    /// @inheritdoc IFundLedger
    function disburse(
        bytes32 id,
        address to,
        uint256 amount,
        bytes32 category,
        uint256 milestone,
        bytes32 invoice,
        string calldata memo
    ) external nonReentrant whenNotPaused {
        ProjectData storage p = _owned(id);
        _pay(p, id, Payment({to: to, amount: amount, category: category, milestone: milestone, invoice: invoice, memo: memo}));
    }

    /// @inheritdoc IFundLedger
    function disburseBatch(bytes32 id, bytes32 run, uint256 first, Payment[] calldata payments)
        external
        nonReentrant
        whenNotPaused
    {
        ProjectData storage p = _owned(id);
        if (payments.length == 0) revert LedgerZeroValue();
        // the zero run records nothing: its only position is 0
        uint256 next = run == bytes32(0) ? 0 : _runNext[id][run];
        if (first < next) revert LedgerBatchAlreadyPaid(id, run, first, next);
        if (first > next) revert LedgerBatchOutOfOrder(id, run, first, next);
        bytes32 hashed = bytes32(0);
        if (run != bytes32(0)) {
            hashed = keccak256(abi.encode(payments));
            _runNext[id][run] = first + payments.length;
            _batches[id][keccak256(abi.encode(run, first))] =
                Batch({blockNumber: uint64(block.number), count: uint32(payments.length), payments: hashed});
        }
        uint256 total = 0;
        for (uint256 i = 0; i < payments.length; ++i) {
            _pay(p, id, payments[i]);
            total += payments[i].amount;
        }
        if (run != bytes32(0)) emit BatchPaid(id, run, first, payments.length, total, hashed);
    }

    /// @inheritdoc IFundLedger
    function batchPaid(bytes32 id, bytes32 run, uint256 first)
        external
        view
        returns (uint256 blockNumber, uint256 count, bytes32 payments)
    {
        Batch storage b = _batches[id][keccak256(abi.encode(run, first))];
        return (b.blockNumber, b.count, b.payments);
    }

    /// @inheritdoc IFundLedger
    function runPaid(bytes32 id, bytes32 run) external view returns (uint256) {
        return _runNext[id][run];
    }

    /// @inheritdoc IFundLedger
    function proposeReallocation(bytes32 id, bytes32 from, bytes32 to, uint256 amount)
        external
        returns (uint256 reallocation)
    {
        ProjectData storage p = _owned(id);
        _line(id, from);
        _line(id, to);
        if (amount == 0 || from == to) revert LedgerZeroValue();
        reallocation = ++p.reallocations;
        _reallocations[id][reallocation] = Reallocation({from: from, to: to, amount: amount, pending: true});
        emit ReallocationProposed(id, reallocation, from, to, amount);
    }

    /// @inheritdoc IFundLedger
    function approveReallocation(bytes32 id, uint256 reallocation) external onlyRole(REVIEWER_ROLE) {
        _open(id);
        Reallocation storage r = _reallocations[id][reallocation];
        if (!r.pending) revert LedgerReallocationUnknown(id, reallocation);
        Line storage from = _lines[id][r.from];
        uint256 free = from.left;
        if (r.amount > free) revert LedgerBudgetExceeded(id, r.from, free, r.amount);
        Line storage to = _lines[id][r.to];
        r.pending = false;
        // the amount is at most what the source line has left, so both casts are exact; the
        // caps keep their total, the budget, which is at most MAX_AMOUNT
        from.cap -= uint120(r.amount);
        from.left -= uint128(r.amount);
        to.cap += uint120(r.amount);
        to.left += uint128(r.amount);
        emit ReallocationApproved(id, reallocation, msg.sender);
        emit BudgetLineSet(id, r.from, from.cap);
        emit BudgetLineSet(id, r.to, to.cap);
    }

    /// @inheritdoc IFundLedger
    function reserve(bytes32 id, uint256 ref, bytes32 category, uint256 milestone, uint256 amount)
        external
        onlyRole(FINANCIER_ROLE)
        whenNotPaused
    {
        ProjectData storage p = _open(id);
        Reservation storage r = _reservations[id][ref];
        if (r.category != bytes32(0)) revert LedgerReservationExists(id, ref);
        if (amount == 0) revert LedgerZeroValue();
        Line storage line = _line(id, category);
        MilestoneData storage m = _milestone(p, id, milestone);
        _checkRoom(p, line, m, id, category, milestone, amount);
        // within the line's room, so below MAX_AMOUNT: the casts are exact
        uint128 value = uint128(amount);
        line.left -= value;
        line.reserved += value;
        m.left -= value;
        m.reserved += value;
        p.free -= value;
        p.reserved += value;
        ++p.openReservations;
        _reservations[id][ref] =
            Reservation({category: category, amount: value, milestone: uint8(milestone), open: true});
        emit FundsReserved(id, ref, category, milestone, amount);
        _flagLine(id, category, line.cap, line.cap - line.left, amount);
    }

    /// @inheritdoc IFundLedger
    function release(bytes32 id, uint256 ref) external onlyRole(FINANCIER_ROLE) {
        ProjectData storage p = _projects[id];
        Reservation storage r = _openReservation(id, ref);
        _unreserve(p, id, r);
        emit ReservationReleased(id, ref, r.amount);
    }

    /// @inheritdoc IFundLedger
    function payReservation(bytes32 id, uint256 ref, address to, bytes32 invoice)
        external
        onlyRole(FINANCIER_ROLE)
        nonReentrant
        whenNotPaused
        returns (uint256 amount)
    {
        ProjectData storage p = _projects[id];
        Reservation storage r = _openReservation(id, ref);
        if (!isEligiblePayee(id, to)) revert LedgerPayeeNotEligible(id, to);
        amount = r.amount;
        // the payee owes the project: that part repays its recoveries and stays here
        uint256 setOff = _setOff(p, id, r, ref, to);
        if (amount > setOff) _payOut(p, id, r, to, amount - setOff, invoice);
        uint256 payeeTotal = _recordPayee(id, to, amount);
        _flagPayment(p, id, payeeTotal, to, amount, invoice);
    }

    /// @inheritdoc IFundLedger
    function setOffReservation(bytes32 id, uint256 ref, address debtor)
        external
        onlyRole(FINANCIER_ROLE)
        nonReentrant
        whenNotPaused
        returns (uint256)
    {
        return _setOff(_projects[id], id, _openReservation(id, ref), ref, debtor);
    }

    /// @inheritdoc IFundLedger
    function payPoolFromReservation(bytes32 id, uint256 ref, address pool, uint256 amount)
        external
        onlyRole(FINANCIER_ROLE)
        nonReentrant
    {
        Reservation storage r = _openReservation(id, ref);
        if (amount == 0) revert LedgerZeroValue();
        if (amount > r.amount) revert LedgerInsufficientBalance(id, r.amount, amount);
        _payOut(_projects[id], id, r, pool, amount, bytes32(0));
    }

    /// @inheritdoc IFundLedger
    function financingGate(bytes32 id, uint256 milestone)
        external
        view
        returns (bool allowed, bool approved, Stage stage)
    {
        allowed = _projects[id].substituteFinancing;
        if (milestone < _projects[id].milestoneCount) {
            MilestoneData storage m = _milestones[id][milestone];
            (approved, stage) = (m.approved, m.stage);
        }
    }

    /// @inheritdoc IFundLedger
    function reservationLeft(bytes32 id, uint256 ref) external view returns (uint256) {
        Reservation storage r = _reservations[id][ref];
        return r.open ? r.amount : 0;
    }

    /// @inheritdoc IFundLedger
    function recordRecovery(bytes32 id, uint256 ref, address debtor, uint256 amount)
        external
        onlyRole(FINANCIER_ROLE)
    {
        Reservation storage r = _reservations[id][ref];
        if (r.category == bytes32(0)) revert LedgerReservationUnknown(id, ref);
        if (amount == 0) revert LedgerZeroValue();
        _checkAmount(amount);
        Payee storage payee = _payees[id][debtor];
        uint256 owed = payee.owed + amount;
        _checkAmount(owed);
        payee.owed = uint120(owed);
        RecoveryQueue storage q = _recoveries[id][debtor];
        q.refs.push(ref);
        q.left[ref] += amount;
        emit RecoveryRecorded(id, debtor, ref, amount, r.category, r.milestone);
    }

    /// @inheritdoc IFundLedger
    function repayRecovery(bytes32 id, address debtor, uint256 amount)
        external
        nonReentrant
        returns (uint256 repaid)
    {
        if (_payees[id][debtor].owed == 0) revert LedgerNothingToRecover(id, debtor);
        if (amount == 0) revert LedgerZeroValue();
        repaid = _applyRecovery(_projects[id], id, debtor, amount, msg.sender, true);
    }

    /// @inheritdoc IFundLedger
    function recoveryOwed(bytes32 id, address debtor) external view returns (uint256) {
        return _payees[id][debtor].owed;
    }

    /// @inheritdoc IFundLedger
    function closeProject(bytes32 id) external {
        ProjectData storage p = _open(id);
        if (msg.sender != p.owner && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert LedgerNotProjectOwner(id, msg.sender);
        }
        if (p.openReservations != 0) revert LedgerOpenItems(id, p.openReservations);
        p.status = ProjectStatus.Closed;
        p.closedBalance = uint128(_balance(p));
        emit ProjectClosed(id, p.closedBalance);
    }

    /// @inheritdoc IFundLedger
    function claim(bytes32 id) external nonReentrant whenNotPaused returns (uint256 amount) {
        ProjectData storage p = _projects[id];
        if (p.status != ProjectStatus.Closed) revert LedgerProjectStatus(id, p.status);
        amount = claimable(id, msg.sender);
        if (amount == 0) revert LedgerNothingToClaim(id, msg.sender);
        _claimed[id][msg.sender] += amount;
        // a claim is a share of what the project holds, so at most its balance: exact casts
        p.refunded += uint128(amount);
        p.free -= uint128(amount);
        token.safeTransfer(msg.sender, amount);
        emit FundsRefunded(id, address(this), msg.sender, amount);
    }

    /// @inheritdoc IFundLedger
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IFundLedger
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IFundLedger
    function project(bytes32 id) external view returns (ProjectInfo memory) {
        ProjectData storage p = _projects[id];
        return ProjectInfo({
            owner: p.owner,
            status: p.status,
            funded: p.funded,
            spent: p.spent,
            reserved: p.reserved,
            refunded: p.refunded,
            balance: _balance(p),
            budget: p.budget,
            openReservations: p.openReservations,
            thresholds: Thresholds({
                dualControl: p.dualControl,
                nearMargin: p.defaultMargin ? 0 : p.nearMargin,
                payeeShareBps: p.payeeShareBps,
                shareFloor: p.defaultFloor ? 0 : p.shareFloor
            }),
            recovered: p.recovered,
            substituteFinancing: p.substituteFinancing
        });
    }

    /// @inheritdoc IFundLedger
    function budgetLines(bytes32 id) external view returns (BudgetLine[] memory lines) {
        bytes32[] storage categories = _projects[id].categories;
        lines = new BudgetLine[](categories.length);
        for (uint256 i = 0; i < categories.length; ++i) {
            Line storage line = _lines[id][categories[i]];
            lines[i] = BudgetLine({
                category: categories[i],
                cap: line.cap,
                spent: uint256(line.cap) - line.left - line.reserved,
                reserved: line.reserved
            });
        }
    }

    /// @inheritdoc IFundLedger
    function milestones(bytes32 id) external view returns (Milestone[] memory list) {
        uint256 count = _projects[id].milestoneCount;
        list = new Milestone[](count);
        for (uint256 i = 0; i < count; ++i) {
            MilestoneData storage m = _milestones[id][i];
            list[i] = Milestone({
                stage: m.stage,
                tranche: m.tranche,
                spent: uint256(m.tranche) - m.left - m.reserved,
                reserved: m.reserved,
                approved: m.approved,
                evidence: m.evidence
            });
        }
    }

    /// @inheritdoc IFundLedger
    function funders(bytes32 id) external view returns (address[] memory accounts, uint256[] memory amounts) {
        accounts = _projects[id].funders;
        amounts = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            amounts[i] = _contributions[id][accounts[i]];
        }
    }

    /// @notice What `payee` has received from `project`, directly and through orders.
    function paidTo(bytes32 id, address payee) external view returns (uint256) {
        return _payees[id][payee].paid;
    }

    /// @inheritdoc IFundLedger
    function claimable(bytes32 id, address funder) public view returns (uint256) {
        ProjectData storage p = _projects[id];
        if (p.status != ProjectStatus.Closed || p.funded == 0) return 0;
        uint256 share = (_contributions[id][funder] * (uint256(p.closedBalance) + p.recoveredAfterClose)) / p.funded;
        return share - _claimed[id][funder];
    }

    /// @inheritdoc IFundLedger
    function isEligiblePayee(bytes32 id, address payee) public view returns (bool) {
        return _payees[id][payee].team || registry.statusOf(payee) == ISupplierRegistry.Status.Active;
    }

    /// @inheritdoc IFundLedger
    function projectCount() external view returns (uint256) {
        return _projectIds.length;
    }

    /// @inheritdoc IFundLedger
    function projectAt(uint256 index) external view returns (bytes32) {
        return _projectIds[index];
    }

    function _pay(ProjectData storage p, bytes32 id, Payment memory payment) private {
        uint256 amount = payment.amount;
        address to = payment.to;
        if (amount == 0) revert LedgerZeroValue();
        Payee storage payee = _payees[id][to];
        if (!payee.team && registry.statusOf(to) != ISupplierRegistry.Status.Active) {
            revert LedgerPayeeNotEligible(id, to);
        }
        if (payee.owed != 0) revert LedgerPayeeOwesRecovery(id, to, payee.owed);
        Line storage line = _line(id, payment.category);
        MilestoneData storage m = _milestone(p, id, payment.milestone);
        if (!m.approved) revert LedgerMilestoneNotApproved(id, payment.milestone);
        _checkRoom(p, line, m, id, payment.category, payment.milestone, amount);
        if (p.dualControl != 0 && amount >= p.dualControl) _useApproval(id, payment, p.dualControl);
        // _checkRoom held the amount to what the line, the tranche and the balance have left,
        // all below MAX_AMOUNT: the cast is exact and the subtractions cannot wrap
        unchecked {
            line.left -= uint128(amount);
            m.left -= uint128(amount);
            p.free -= uint128(amount);
        }
        p.spent = SafeCast.toUint128(p.spent + amount);
        payee.paid = SafeCast.toUint128(payee.paid + amount);
        token.safeTransfer(to, amount);
        emit FundsDisbursed(
            id, address(this), to, amount, payment.category, payment.milestone, payment.invoice, payment.memo
        );
        uint256 cap = line.cap;
        _flagLine(id, payment.category, cap, cap - line.left, amount);
        _flagPayment(p, id, payee.paid, to, amount, payment.invoice);
    }

    /// @dev Consumes the reviewer's approval of a payment at or above the dual-control threshold.
    function _useApproval(bytes32 id, Payment memory payment, uint256 threshold) private {
        bytes32 approval = _approvalKey(
            id, payment.to, payment.amount, payment.category, payment.milestone, payment.invoice
        );
        if (!_paymentApprovals[approval]) {
            revert LedgerPaymentNotApproved(id, payment.to, payment.amount, threshold);
        }
        delete _paymentApprovals[approval];
    }

    /// @dev The payment's soft rules, in order: payee share, near the dual-control threshold,
    /// repeated invoice.
    function _flagPayment(
        ProjectData storage p,
        bytes32 id,
        uint256 payeeTotal,
        address to,
        uint256 amount,
        bytes32 invoice
    ) private {
        _flagShare(id, p.payeeShareBps, p.shareFloor, p.spent, payeeTotal, to);
        uint256 threshold = p.dualControl;
        if (threshold != 0 && amount < threshold) _flagNearThreshold(id, threshold, p.nearMargin, to, amount);
        _flagInvoice(id, invoice, amount);
    }

    function _recordPayee(bytes32 id, address to, uint256 amount) private returns (uint256) {
        Payee storage payee = _payees[id][to];
        payee.paid = SafeCast.toUint128(payee.paid + amount);
        return payee.paid;
    }

    function _checkRoom(
        ProjectData storage p,
        Line storage line,
        MilestoneData storage m,
        bytes32 id,
        bytes32 category,
        uint256 milestone,
        uint256 amount
    ) private view {
        uint256 lineLeft = line.left;
        if (amount > lineLeft) revert LedgerBudgetExceeded(id, category, lineLeft, amount);
        uint256 trancheLeft = m.left;
        if (amount > trancheLeft) revert LedgerTrancheExhausted(id, milestone, trancheLeft, amount);
        uint256 free = p.free;
        if (amount > free) revert LedgerInsufficientBalance(id, free, amount);
    }

    /// @dev Pays `amount` of reservation `r` to `to`: spent on its line and milestone, the
    /// reservation reduced (and closed when nothing is left).
    function _payOut(ProjectData storage p, bytes32 id, Reservation storage r, address to, uint256 amount, bytes32 ref)
        private
    {
        bytes32 category = r.category;
        uint256 milestone = r.milestone;
        _spend(p, id, r, amount);
        token.safeTransfer(to, amount);
        emit FundsDisbursed(id, address(this), to, amount, category, milestone, ref, "");
    }

    /// @dev Sets off what `debtor` owes project `id` against reservation `r` (order `ref`),
    /// up to what is left of it; returns the amount.
    function _setOff(ProjectData storage p, bytes32 id, Reservation storage r, uint256 ref, address debtor)
        private
        returns (uint256 amount)
    {
        uint256 owed = _payees[id][debtor].owed;
        amount = owed < r.amount ? owed : r.amount;
        if (amount == 0) return 0;
        bytes32 category = r.category;
        uint256 milestone = r.milestone;
        _spend(p, id, r, amount);
        emit RecoverySetOff(id, debtor, ref, amount, category, milestone);
        _applyRecovery(p, id, debtor, amount, debtor, false);
    }

    /// @dev Moves `amount` (at most what is left of it) of reservation `r` to spent on its
    /// line and milestone, closing it when nothing is left; the milestone must be approved.
    /// What is left of the line and the tranche does not change, nor does `free`: the money
    /// leaves the balance and the reservation together.
    function _spend(ProjectData storage p, bytes32 id, Reservation storage r, uint256 amount) private {
        MilestoneData storage m = _milestones[id][r.milestone];
        if (!m.approved) revert LedgerMilestoneNotApproved(id, r.milestone);
        uint128 value = uint128(amount);
        _lines[id][r.category].reserved -= value;
        m.reserved -= value;
        p.reserved -= value;
        r.amount -= value;
        if (r.amount == 0) {
            r.open = false;
            --p.openReservations;
        }
        p.spent += value;
    }

    /// @dev Repays up to `amount` of `debtor`'s recoveries on project `id`, oldest first,
    /// restoring each one's line and tranche. Tokens come from `payer` when `transfer`; in a
    /// set-off they are already here.
    function _applyRecovery(
        ProjectData storage p,
        bytes32 id,
        address debtor,
        uint256 amount,
        address payer,
        bool transfer
    ) private returns (uint256 repaid) {
        RecoveryQueue storage q = _recoveries[id][debtor];
        while (amount != 0 && q.head < q.refs.length) {
            uint256 ref = q.refs[q.head];
            uint256 due = q.left[ref];
            uint256 part = amount < due ? amount : due;
            if (part == due) ++q.head;
            q.left[ref] = due - part;
            amount -= part;
            repaid += part;
            Reservation storage r = _reservations[id][ref];
            Line storage line = _lines[id][r.category];
            line.left = _restored(line.cap, line.left, line.reserved, part);
            MilestoneData storage m = _milestones[id][r.milestone];
            m.left = _restored(m.tranche, m.left, m.reserved, part);
            if (transfer) token.safeTransferFrom(payer, address(this), part);
            emit RecoveryRepaid(id, debtor, ref, payer, address(this), part, r.category, r.milestone);
        }
        _payees[id][debtor].owed -= uint120(repaid);
        p.recovered += uint128(repaid);
        p.free += uint128(repaid);
        if (p.status == ProjectStatus.Closed) p.recoveredAfterClose += uint128(repaid);
    }

    function _unreserve(ProjectData storage p, bytes32 id, Reservation storage r) private {
        r.open = false;
        uint128 value = r.amount;
        Line storage line = _lines[id][r.category];
        line.reserved -= value;
        line.left += value;
        MilestoneData storage m = _milestones[id][r.milestone];
        m.reserved -= value;
        m.left += value;
        p.reserved -= value;
        p.free += value;
        --p.openReservations;
    }

    /// @dev What is left of a line or a tranche of `total` once `part` of its spending is
    /// repaid. Checked: a repayment beyond what was spent reverts, as `spent -= part` would.
    function _restored(uint256 total, uint256 left, uint256 reserved, uint256 part) private pure returns (uint128) {
        uint256 spent = total - left - reserved - part;
        return uint128(total - reserved - spent);
    }

    /// @dev funded + recovered - spent - refunded, kept as `free` + `reserved`.
    function _balance(ProjectData storage p) private view returns (uint256) {
        return uint256(p.free) + p.reserved;
    }

    function _checkAmount(uint256 amount) private pure {
        if (amount > MAX_AMOUNT) revert LedgerAmountTooLarge(amount, MAX_AMOUNT);
    }

    function _open(bytes32 id) private view returns (ProjectData storage p) {
        p = _projects[id];
        if (p.status == ProjectStatus.None) revert LedgerProjectUnknown(id);
        if (p.status != ProjectStatus.Open) revert LedgerProjectStatus(id, p.status);
    }

    function _owned(bytes32 id) private view returns (ProjectData storage p) {
        p = _open(id);
        if (msg.sender != p.owner) revert LedgerNotProjectOwner(id, msg.sender);
    }

    function _line(bytes32 id, bytes32 category) private view returns (Line storage line) {
        line = _lines[id][category];
        if (!line.exists) revert LedgerUnknownCategory(id, category);
    }

    function _milestone(ProjectData storage p, bytes32 id, uint256 index)
        private
        view
        returns (MilestoneData storage)
    {
        if (index >= p.milestoneCount) revert LedgerUnknownMilestone(id, index);
        return _milestones[id][index];
    }

    function _openReservation(bytes32 id, uint256 ref) private view returns (Reservation storage r) {
        r = _reservations[id][ref];
        if (!r.open) revert LedgerReservationUnknown(id, ref);
    }

    function _approvalKey(
        bytes32 id,
        address to,
        uint256 amount,
        bytes32 category,
        uint256 milestone,
        bytes32 invoice
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(id, to, amount, category, milestone, invoice));
    }
}
