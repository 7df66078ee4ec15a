// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFinancingPolicy} from "./interfaces/IFinancingPolicy.sol";
import {IFinancingPool} from "./interfaces/IFinancingPool.sol";
import {IFundLedger} from "./interfaces/IFundLedger.sol";
import {ISubstituteFinancing} from "./interfaces/ISubstituteFinancing.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {DisruptionLogic} from "./financing/DisruptionLogic.sol";

/// @title SubstituteFinancing
/// @notice Purchase orders, the disruption trigger, delivery, settlement, collection and
/// non-delivery. Every advance is backed by the order's reservation, which covers what the
/// facility can owe at its stop: the pool carries the project's reserved cash, the project
/// carries non-delivery. The trigger (reports, choice, terms, caps) runs in the linked
/// `DisruptionLogic` library on this contract's storage. Work per call is bounded by the
/// policy's orders per call and the 16 substitutes a part can have; nothing loops over
/// suppliers, projects or facilities.
contract SubstituteFinancing is ISubstituteFinancing, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of the oracles that report disruptions and recoveries.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @dev The ledger's reviewer role: one reviewer approves payments, milestones and orders.
    bytes32 private constant REVIEWER_ROLE = keccak256("REVIEWER_ROLE");

    /// @notice The settlement token.
    IERC20 public immutable token;
    /// @notice The supplier registry.
    ISupplierRegistry public immutable registry;
    /// @notice The fund ledger holding the orders' reservations.
    IFundLedger public immutable ledger;
    /// @notice The pool that funds advances.
    IFinancingPool public immutable pool;
    /// @notice The terms the trigger applies.
    IFinancingPolicy public immutable terms;

    DisruptionLogic.State private _s;

    /// @param token_ The settlement token.
    /// @param registry_ The supplier registry (this contract needs its trigger role).
    /// @param ledger_ The fund ledger (this contract needs its financier role).
    /// @param pool_ The financing pool (this contract needs its financier role).
    /// @param terms_ The financing policy.
    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(
        IERC20 token_,
        ISupplierRegistry registry_,
        IFundLedger ledger_,
        IFinancingPool pool_,
        IFinancingPolicy terms_,
        uint48 adminDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        token = token_;
        registry = registry_;
        ledger = ledger_;
        pool = pool_;
        terms = terms_;
    }

    /// @inheritdoc ISubstituteFinancing
    function registerOrder(
        bytes32 project,
        bytes32 part,
        address supplier,
        uint256 value,
        bytes32 category,
        uint256 milestone,
        uint64 due,
        bytes32 po
    ) external nonReentrant returns (uint256 id) {
        bool pending = _checkNewOrder(project, part, supplier, value, due, po);
        id = ++_s.orderCount;
        _s.orders[id] = Order({
            project: project,
            part: part,
            category: category,
            po: po,
            value: value,
            supplier: supplier,
            status: pending ? OrderStatus.Pending : OrderStatus.Open,
            facility: 0,
            originalSupplier: supplier,
            due: due,
            milestone: milestone.toUint32(),
            acceptBy: 0
        });
        _s.poOrders[project][po] = id;
        DisruptionLogic.addOpen(_s, supplier, id);
        registry.commitCapacity(supplier, value, id);
        ledger.reserve(project, id, category, milestone, value);
        _emitRegistered(id, pending);
    }

    /// @inheritdoc ISubstituteFinancing
    function approveOrder(uint256 id) external {
        _requireReviewer();
        Order storage o = _s.orders[id];
        if (o.status != OrderStatus.Pending) revert FinancingOrderStatus(id, o.status);
        o.status = OrderStatus.Open;
        emit OrderApproved(id, o.project, msg.sender);
    }

    /// @inheritdoc ISubstituteFinancing
    function cancelOrder(uint256 id) external nonReentrant {
        Order storage o = _s.orders[id];
        if (o.status != OrderStatus.Open && o.status != OrderStatus.Pending) revert FinancingOrderStatus(id, o.status);
        _requireOwner(o.project);
        o.status = OrderStatus.Cancelled;
        DisruptionLogic.dropOpen(_s, o.supplier, id);
        registry.releaseCapacity(o.supplier, o.value, id);
        ledger.release(o.project, id);
        emit OrderCancelled(id, o.project);
    }

    /// @inheritdoc ISubstituteFinancing
    function recordDelivery(uint256 id, bytes32 evidence) external {
        Order storage o = _s.orders[id];
        OrderStatus status = o.status;
        if (status == OrderStatus.Pending) revert FinancingOrderPending(id);
        if (status != OrderStatus.Open && status != OrderStatus.Financed) revert FinancingOrderStatus(id, status);
        if (msg.sender != o.supplier) revert FinancingNotOrderSupplier(id, msg.sender);
        if (registry.statusOf(msg.sender) == ISupplierRegistry.Status.Suspended) {
            revert FinancingSupplierSuspended(id, msg.sender);
        }
        if (status == OrderStatus.Open) DisruptionLogic.dropOpen(_s, o.supplier, id);
        uint256 acceptBy = block.timestamp + uint256(terms.current().acceptanceDays) * 1 days;
        o.status = OrderStatus.Delivered;
        o.acceptBy = acceptBy.toUint64();
        emit DeliveryRecorded(id, msg.sender, evidence, acceptBy);
    }

    /// @inheritdoc ISubstituteFinancing
    function acceptDelivery(uint256 id) external {
        Order storage o = _s.orders[id];
        _requireDelivered(id, o);
        _requireOwner(o.project);
        o.status = OrderStatus.Accepted;
        emit DeliveryAccepted(id, msg.sender);
    }

    /// @inheritdoc ISubstituteFinancing
    function rejectDelivery(uint256 id, bytes32 evidence) external {
        _requireReviewer();
        Order storage o = _s.orders[id];
        _requireDelivered(id, o);
        if (block.timestamp >= o.acceptBy) revert FinancingAcceptancePeriodOver(id, o.acceptBy);
        o.acceptBy = 0;
        if (o.facility != 0) {
            o.status = OrderStatus.Financed;
        } else {
            o.status = OrderStatus.Open;
            DisruptionLogic.addOpen(_s, o.supplier, id);
        }
        emit DeliveryRejected(id, msg.sender, evidence);
    }

    /// @inheritdoc ISubstituteFinancing
    function reportDisruption(address supplier, bytes32 reason, bytes32 evidence)
        external
        onlyRole(ORACLE_ROLE)
        nonReentrant
    {
        DisruptionLogic.report(_s, _deps(), supplier, reason, evidence);
    }

    /// @inheritdoc ISubstituteFinancing
    function processDisruption(address supplier) external nonReentrant {
        DisruptionLogic.process(_s, _deps(), supplier);
    }

    /// @inheritdoc ISubstituteFinancing
    function reportRecovery(address supplier) external onlyRole(ORACLE_ROLE) nonReentrant {
        DisruptionLogic.recover(_s, _deps(), supplier);
    }

    /// @inheritdoc ISubstituteFinancing
    function reportRegionalShock(bytes32 region, bytes32 reason, bytes32 evidence)
        external
        onlyRole(ORACLE_ROLE)
        nonReentrant
    {
        DisruptionLogic.reportShock(_s, _deps(), region, reason, evidence);
    }

    /// @inheritdoc ISubstituteFinancing
    function processRegionalShock(bytes32 region) external nonReentrant {
        DisruptionLogic.processShock(_s, _deps(), region);
    }

    /// @inheritdoc ISubstituteFinancing
    function reportRegionRecovery(bytes32 region) external onlyRole(ORACLE_ROLE) nonReentrant {
        DisruptionLogic.recoverRegion(_s, _deps(), region);
    }

    /// @inheritdoc ISubstituteFinancing
    function collectFacility(uint256 facilityId) external nonReentrant {
        Facility storage f = _s.facilities[facilityId];
        if (f.status != FacilityStatus.Active) revert FinancingFacilityStatus(facilityId, f.status);
        if (block.timestamp < f.due && registry.statusOf(f.substitute) == ISupplierRegistry.Status.Active) {
            revert FinancingNotCollectable(facilityId, f.due);
        }
        uint256 id = f.order;
        bytes32 project = _s.orders[id].project;
        _repayPool(project, id, facilityId, _poolShare(id, facilityId, ledger.reservationLeft(project, id)));
    }

    /// @inheritdoc ISubstituteFinancing
    function closeUndelivered(uint256 id) external nonReentrant {
        _requireReviewer();
        Order storage o = _s.orders[id];
        // a delivery recorded but not accepted (nor deemed accepted) is rejected by closing,
        // so a substitute cannot keep the order open by recording delivery again and again
        bool delivered = o.status == OrderStatus.Delivered && block.timestamp < o.acceptBy;
        uint256 facilityId = o.facility;
        if (facilityId == 0 || (o.status != OrderStatus.Financed && !delivered)) {
            revert FinancingOrderStatus(id, o.status);
        }
        Facility storage f = _s.facilities[facilityId];
        if (block.timestamp < f.stop) revert FinancingGraceNotOver(facilityId, f.stop);
        bytes32 project = o.project;
        // this contract's books first, then the calls out (checks, effects, interactions)
        o.status = OrderStatus.ClosedUndelivered;
        if (f.status == FacilityStatus.Active) {
            _repayPool(project, id, facilityId, _poolShare(id, facilityId, ledger.reservationLeft(project, id)));
        }
        uint256 returned = ledger.reservationLeft(project, id);
        uint256 recovery = o.value - returned;
        if (returned != 0) ledger.release(project, id);
        if (recovery != 0) ledger.recordRecovery(project, id, f.substitute, recovery);
        registry.releaseCapacity(o.supplier, o.value, id);
        emit OrderClosedUndelivered(id, f.substitute, recovery, returned);
    }

    /// @inheritdoc ISubstituteFinancing
    function settleOrder(uint256 id) external nonReentrant {
        Order storage o = _s.orders[id];
        OrderStatus status = o.status;
        if (status == OrderStatus.Pending) revert FinancingOrderPending(id);
        if (status == OrderStatus.Delivered) {
            if (block.timestamp < o.acceptBy) revert FinancingDeliveryNotAccepted(id, o.acceptBy);
        } else if (status != OrderStatus.Accepted) {
            revert FinancingOrderStatus(id, status);
        }
        // everything is decided from reads first, then this contract's books, then the calls
        // out (checks, effects, interactions)
        uint256 facilityId = o.facility;
        Settlement memory t =
            _settlement(o, id, facilityId != 0 && _s.facilities[facilityId].status == FacilityStatus.Active);
        // a held settlement that would move nothing at all is refused
        bool moves = t.share.amount != 0 || t.setOff != 0;
        if (t.held && !moves) revert FinancingPayeeNotEligible(id, o.supplier);
        o.status = t.held ? OrderStatus.Accepted : OrderStatus.Settled;
        bytes32 project = o.project;
        if (t.repays) _repayPool(project, id, facilityId, t.share);
        // what the supplier owes the project is set off all the same: nothing goes to it
        if (t.setOff != 0 && ledger.setOffReservation(project, id, o.supplier) != t.setOff) {
            revert FinancingBooksDisagree(id);
        }
        if (t.held) {
            emit SettlementHeld(id, o.supplier, t.rest - t.setOff);
            return;
        }
        if (t.eligible && t.rest != 0 && ledger.payReservation(project, id, o.supplier, _invoiceOf(o.po)) != t.rest) {
            revert FinancingBooksDisagree(id);
        }
        registry.releaseCapacity(o.supplier, o.value, id);
        emit OrderSettled(id, project, o.supplier, t.rest, t.share.amount, o.po);
    }

    /// @inheritdoc ISubstituteFinancing
    function repay(uint256 id, uint256 amount) external nonReentrant {
        Facility storage f = _s.facilities[id];
        if (f.status != FacilityStatus.Active) revert FinancingFacilityStatus(id, f.status);
        if (amount == 0) revert FinancingZeroAmount();
        (uint256 owedPrincipal, uint256 owedInterest, bool open) = pool.facilityValue(id);
        if (!open) revert FinancingBooksDisagree(f.order);
        if (amount > owedPrincipal + owedInterest) amount = owedPrincipal + owedInterest;
        (uint256 principal, bool closed) = _book(id, amount, owedPrincipal, owedInterest);
        token.safeTransferFrom(msg.sender, address(pool), amount);
        uint256 interest = _collect(id, amount, principal, closed);
        emit FacilityRepaid(id, msg.sender, address(pool), amount, interest, principal, closed);
    }

    /// @inheritdoc ISubstituteFinancing
    function order(uint256 id) external view returns (Order memory) {
        return _s.orders[id];
    }

    /// @inheritdoc ISubstituteFinancing
    function facility(uint256 id) external view returns (Facility memory) {
        return _s.facilities[id];
    }

    /// @inheritdoc ISubstituteFinancing
    function openOrders(address supplier) external view returns (uint256[] memory) {
        return _s.open[supplier];
    }

    /// @inheritdoc ISubstituteFinancing
    function exposure(address supplier) external view returns (uint256) {
        return _s.exposure[supplier];
    }

    /// @inheritdoc ISubstituteFinancing
    function projectExposure(bytes32 project) external view returns (uint256) {
        return _s.projectExposure[project];
    }

    /// @inheritdoc ISubstituteFinancing
    function shock(uint256 id) external view returns (Shock memory) {
        return _s.shocks[id];
    }

    /// @inheritdoc ISubstituteFinancing
    function regionShock(bytes32 region) external view returns (uint256) {
        return _s.regionShock[region];
    }

    /// @inheritdoc ISubstituteFinancing
    function shockOf(address supplier) external view returns (uint256) {
        return _s.shockOf[supplier];
    }

    /// @inheritdoc ISubstituteFinancing
    function counts() external view returns (uint256 orders, uint256 facilities) {
        return (_s.orderCount, _s.facilityCount);
    }

    /// @dev What the pool is owed on a facility now and what it takes from the order's
    /// reservation: all of it, or what is left of the reservation.
    struct Share {
        uint256 amount;
        uint256 principal;
        uint256 interest;
    }

    /// @dev How an order settles, read before anything is written: the pool's share when its
    /// facility is Active, what is left for the supplier, whether the supplier may be paid,
    /// what of its debts to the project is set off, and whether settlement is held.
    struct Settlement {
        Share share;
        bool repays;
        uint256 rest;
        bool eligible;
        uint256 setOff;
        bool held;
    }

    function _settlement(Order storage o, uint256 id, bool repays) private view returns (Settlement memory t) {
        bytes32 project = o.project;
        uint256 left = ledger.reservationLeft(project, id);
        t.repays = repays;
        if (repays) t.share = _poolShare(id, o.facility, left);
        t.rest = left - t.share.amount;
        t.eligible = true;
        if (t.rest != 0 && !ledger.isEligiblePayee(project, o.supplier)) {
            t.eligible = false;
            uint256 owed = ledger.recoveryOwed(project, o.supplier);
            t.setOff = owed < t.rest ? owed : t.rest;
        }
        t.held = !t.eligible && t.setOff < t.rest;
    }

    /// @dev The pool's share of order `id`'s reservation (`left` of it) for its Active
    /// facility `facilityId` (reads only).
    function _poolShare(uint256 id, uint256 facilityId, uint256 left) private view returns (Share memory share) {
        bool open;
        (share.principal, share.interest, open) = pool.facilityValue(facilityId);
        if (!open) revert FinancingBooksDisagree(id);
        uint256 owed = share.principal + share.interest;
        share.amount = owed < left ? owed : left;
    }

    /// @dev The pool is an eligible payee for exactly its share (`_poolShare`), paid from
    /// the order's reservation (which covers it by construction): booked here first, then
    /// paid, then handed to the pool's books.
    function _repayPool(bytes32 project, uint256 id, uint256 facilityId, Share memory share) private {
        (uint256 principal, bool closed) = _book(facilityId, share.amount, share.principal, share.interest);
        if (share.amount != 0) ledger.payPoolFromReservation(project, id, address(pool), share.amount);
        _collect(facilityId, share.amount, principal, closed);
        emit PoolRepaidFromReservation(id, facilityId, share.amount);
    }

    /// @dev Books `amount` against facility `id` on this contract's side before any call out,
    /// split as the pool splits it (`FinancingPool.collect`: interest first, then principal;
    /// all of what is owed closes the facility); returns the principal repaid and whether it
    /// closes.
    function _book(uint256 id, uint256 amount, uint256 owedPrincipal, uint256 owedInterest)
        private
        returns (uint256 principal, bool closed)
    {
        Facility storage f = _s.facilities[id];
        closed = amount >= owedPrincipal + owedInterest;
        if (closed) principal = owedPrincipal;
        else if (amount > owedInterest) principal = amount - owedInterest;
        _s.exposure[f.substitute] -= principal;
        _s.projectExposure[_s.orders[f.order].project] -= principal;
        if (closed) f.status = FacilityStatus.Repaid;
    }

    /// @dev Hands `amount`, already paid to the pool, to the pool's books for facility `id`;
    /// the pool must split it as `_book` did, or nothing happens. Returns the interest.
    function _collect(uint256 id, uint256 amount, uint256 principal, bool closed) private returns (uint256 interest) {
        uint256 poolPrincipal;
        bool poolClosed;
        (interest, poolPrincipal, poolClosed) = pool.collect(id, amount);
        if (poolPrincipal != principal || poolClosed != closed) revert FinancingBooksDisagree(_s.facilities[id].order);
    }

    /// @dev The registration rules; returns whether the order needs the reviewer's approval.
    function _checkNewOrder(bytes32 project, bytes32 part, address supplier, uint256 value, uint64 due, bytes32 po)
        private
        view
        returns (bool pending)
    {
        IFundLedger.ProjectInfo memory info = ledger.project(project);
        if (msg.sender != info.owner) revert FinancingNotProjectOwner(project, msg.sender);
        if (value == 0) revert FinancingOrderInvalid();
        if (po == bytes32(0)) revert FinancingPoRequired();
        uint256 taken = _s.poOrders[project][po];
        if (taken != 0) revert FinancingDuplicatePo(project, po, taken);
        uint256 latest = block.timestamp + uint256(terms.current().maxOrderHorizonDays) * 1 days;
        if (due <= block.timestamp || due > latest) revert FinancingDueOutOfRange(due, block.timestamp + 1, latest);
        if (registry.statusOf(supplier) != ISupplierRegistry.Status.Active || !registry.supplies(supplier, part)) {
            revert FinancingSupplierNotEligible(supplier, part);
        }
        uint256 threshold = info.thresholds.dualControl;
        pending = threshold != 0 && value >= threshold;
    }

    function _emitRegistered(uint256 id, bool pending) private {
        Order storage o = _s.orders[id];
        emit OrderRegistered(
            id, o.project, o.part, o.supplier, o.value, o.category, o.milestone, o.due, o.po, pending
        );
    }

    function _requireDelivered(uint256 id, Order storage o) private view {
        if (o.status == OrderStatus.Pending) revert FinancingOrderPending(id);
        if (o.status != OrderStatus.Delivered) revert FinancingOrderStatus(id, o.status);
    }

    function _requireReviewer() private view {
        if (!IAccessControl(address(ledger)).hasRole(REVIEWER_ROLE, msg.sender)) revert FinancingNotReviewer(msg.sender);
    }

    /// @dev The invoice reference of a settlement's supplier leg: keccak256 of the purchase
    /// order's text, as the client hashes an invoice given as text, so a direct payment that
    /// cites the same purchase order is flagged as a repeated invoice.
    function _invoiceOf(bytes32 po) private pure returns (bytes32) {
        uint256 length = 32;
        while (length != 0 && po[length - 1] == 0) --length;
        bytes memory text = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            text[i] = po[i];
        }
        return keccak256(text);
    }

    function _deps() private view returns (DisruptionLogic.Deps memory) {
        return DisruptionLogic.Deps({registry: registry, ledger: ledger, pool: pool, policy: terms});
    }

    function _requireOwner(bytes32 project) private view {
        address owner = ledger.project(project).owner;
        if (msg.sender != owner) revert FinancingNotProjectOwner(project, msg.sender);
    }

}
