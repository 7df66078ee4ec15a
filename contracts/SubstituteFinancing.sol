// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFinancingPolicy} from "./interfaces/IFinancingPolicy.sol";
import {IFinancingPool} from "./interfaces/IFinancingPool.sol";
import {IFundLedger} from "./interfaces/IFundLedger.sol";
import {ISubstituteFinancing} from "./interfaces/ISubstituteFinancing.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";

/// @title SubstituteFinancing
/// @notice Purchase orders, the disruption trigger, delivery, settlement, collection and
/// non-delivery. Every advance is backed by the order's reservation, which covers what the
/// facility can owe at its stop: the pool carries the project's reserved cash, the project
/// carries non-delivery. Work per call is bounded
/// by the policy's orders per call and the 16 substitutes a part can have; nothing loops over
/// suppliers, projects or facilities.
contract SubstituteFinancing is ISubstituteFinancing, AccessControlDefaultAdminRules, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of the oracles that report disruptions and recoveries.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    uint256 private constant BPS = 10_000;
    uint256 private constant SCALE = 365 days * BPS;
    /// @dev The ledger's reviewer role: one reviewer approves payments, milestones and orders.
    bytes32 private constant REVIEWER_ROLE = keccak256("REVIEWER_ROLE");

    bytes32 private constant NOT_ACTIVE = "NOT_ACTIVE";
    bytes32 private constant LOW_SCORE = "LOW_SCORE";
    bytes32 private constant NO_CAPACITY = "NO_CAPACITY";
    bytes32 private constant EXPOSURE_CAP = "EXPOSURE_CAP";
    bytes32 private constant LOWER_SCORE = "LOWER_SCORE";
    bytes32 private constant NO_SUBSTITUTE = "NO_SUBSTITUTE";
    bytes32 private constant NO_CASH = "NO_CASH";
    bytes32 private constant REPORT_CAP = "REPORT_CAP";
    bytes32 private constant ORDER_NOT_APPROVED = "ORDER_NOT_APPROVED";
    bytes32 private constant TOO_SMALL = "TOO_SMALL";
    bytes32 private constant MILESTONE_NOT_APPROVED = "MILESTONE_NOT_APPROVED";

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

    /// @dev One quorum round of reports about a supplier; `recovery` says which kind, so a
    /// pending vote of one kind never counts toward the other.
    struct Round {
        uint64 startedAt;
        uint32 number;
        uint16 reports;
        bool recovery;
    }

    struct Episode {
        uint256 id;
        uint256 cap;
        uint256 advanced;
    }

    mapping(uint256 id => Order) private _orders;
    mapping(uint256 id => Facility) private _facilities;
    mapping(address supplier => uint256[]) private _open;
    mapping(uint256 order => uint256) private _openIndex;
    mapping(address supplier => uint256) private _cursor;
    mapping(address supplier => uint256) private _exposure;
    mapping(address supplier => Round) private _rounds;
    mapping(address supplier => mapping(uint32 round => mapping(address oracle => bool))) private _reported;
    mapping(address supplier => Episode) private _episodes;
    mapping(bytes32 project => mapping(bytes32 po => uint256 order)) private _poOrders;
    uint256 private _orderCount;
    uint256 private _facilityCount;
    uint256 private _episodeCount;

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
        id = ++_orderCount;
        _orders[id] = Order({
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
        _poOrders[project][po] = id;
        _addOpen(supplier, id);
        registry.commitCapacity(supplier, value);
        ledger.reserve(project, id, category, milestone, value);
        _emitRegistered(id, pending);
    }

    /// @inheritdoc ISubstituteFinancing
    function approveOrder(uint256 id) external {
        _requireReviewer();
        Order storage o = _orders[id];
        if (o.status != OrderStatus.Pending) revert FinancingOrderStatus(id, o.status);
        o.status = OrderStatus.Open;
        emit OrderApproved(id, o.project, msg.sender);
    }

    /// @inheritdoc ISubstituteFinancing
    function cancelOrder(uint256 id) external nonReentrant {
        Order storage o = _orders[id];
        if (o.status != OrderStatus.Open && o.status != OrderStatus.Pending) revert FinancingOrderStatus(id, o.status);
        _requireOwner(o.project);
        o.status = OrderStatus.Cancelled;
        _dropOpen(o.supplier, id);
        registry.releaseCapacity(o.supplier, o.value);
        ledger.release(o.project, id);
        emit OrderCancelled(id, o.project);
    }

    /// @inheritdoc ISubstituteFinancing
    function recordDelivery(uint256 id, bytes32 evidence) external {
        Order storage o = _orders[id];
        OrderStatus status = o.status;
        if (status == OrderStatus.Pending) revert FinancingOrderPending(id);
        if (status != OrderStatus.Open && status != OrderStatus.Financed) revert FinancingOrderStatus(id, status);
        if (msg.sender != o.supplier) revert FinancingNotOrderSupplier(id, msg.sender);
        if (registry.statusOf(msg.sender) == ISupplierRegistry.Status.Suspended) {
            revert FinancingSupplierSuspended(id, msg.sender);
        }
        if (status == OrderStatus.Open) _dropOpen(o.supplier, id);
        uint256 acceptBy = block.timestamp + uint256(terms.current().acceptanceDays) * 1 days;
        o.status = OrderStatus.Delivered;
        o.acceptBy = acceptBy.toUint64();
        emit DeliveryRecorded(id, msg.sender, evidence, acceptBy);
    }

    /// @inheritdoc ISubstituteFinancing
    function acceptDelivery(uint256 id) external {
        Order storage o = _orders[id];
        _requireDelivered(id, o);
        _requireOwner(o.project);
        o.status = OrderStatus.Accepted;
        emit DeliveryAccepted(id, msg.sender);
    }

    /// @inheritdoc ISubstituteFinancing
    function rejectDelivery(uint256 id, bytes32 evidence) external {
        _requireReviewer();
        Order storage o = _orders[id];
        _requireDelivered(id, o);
        if (block.timestamp >= o.acceptBy) revert FinancingAcceptancePeriodOver(id, o.acceptBy);
        o.acceptBy = 0;
        if (o.facility != 0) {
            o.status = OrderStatus.Financed;
        } else {
            o.status = OrderStatus.Open;
            _addOpen(o.supplier, id);
        }
        emit DeliveryRejected(id, msg.sender, evidence);
    }

    /// @inheritdoc ISubstituteFinancing
    function reportDisruption(address supplier, bytes32 reason, bytes32 evidence)
        external
        onlyRole(ORACLE_ROLE)
        nonReentrant
    {
        ISupplierRegistry.Status status = registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Active) revert FinancingSupplierStatus(supplier, uint8(status));
        IFinancingPolicy.Policy memory p = terms.current();
        (uint256 reports, bool reached) = _vote(supplier, p, false);
        emit DisruptionReported(supplier, msg.sender, reason, evidence, reports, p.quorum);
        if (!reached) return;
        registry.markDisrupted(supplier);
        uint256 cap = (IERC4626(address(pool)).totalAssets() * p.reportCapBps) / BPS;
        _episodes[supplier] = Episode({id: ++_episodeCount, cap: cap, advanced: 0});
        _cursor[supplier] = 0;
        emit SupplierDisrupted(supplier, _episodeCount, cap);
        _process(supplier, p);
    }

    /// @inheritdoc ISubstituteFinancing
    function processDisruption(address supplier) external nonReentrant {
        ISupplierRegistry.Status status = registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Disrupted) revert FinancingSupplierStatus(supplier, uint8(status));
        _process(supplier, terms.current());
    }

    /// @inheritdoc ISubstituteFinancing
    function reportRecovery(address supplier) external onlyRole(ORACLE_ROLE) {
        ISupplierRegistry.Status status = registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Disrupted) revert FinancingSupplierStatus(supplier, uint8(status));
        IFinancingPolicy.Policy memory p = terms.current();
        (uint256 reports, bool reached) = _vote(supplier, p, true);
        if (reached) registry.markRecovered(supplier);
        emit SupplierRecovered(supplier, msg.sender, reports, p.quorum, reached);
    }

    /// @inheritdoc ISubstituteFinancing
    function collectFacility(uint256 facilityId) external nonReentrant {
        Facility storage f = _facilities[facilityId];
        if (f.status != FacilityStatus.Active) revert FinancingFacilityStatus(facilityId, f.status);
        if (block.timestamp < f.due && registry.statusOf(f.substitute) == ISupplierRegistry.Status.Active) {
            revert FinancingNotCollectable(facilityId, f.due);
        }
        uint256 id = f.order;
        _repayPool(_orders[id].project, id, facilityId);
    }

    /// @inheritdoc ISubstituteFinancing
    function closeUndelivered(uint256 id) external nonReentrant {
        _requireReviewer();
        Order storage o = _orders[id];
        // a delivery recorded but not accepted (nor deemed accepted) is rejected by closing,
        // so a substitute cannot keep the order open by recording delivery again and again
        bool delivered = o.status == OrderStatus.Delivered && block.timestamp < o.acceptBy;
        uint256 facilityId = o.facility;
        if (facilityId == 0 || (o.status != OrderStatus.Financed && !delivered)) {
            revert FinancingOrderStatus(id, o.status);
        }
        Facility storage f = _facilities[facilityId];
        if (block.timestamp < f.stop) revert FinancingGraceNotOver(facilityId, f.stop);
        bytes32 project = o.project;
        if (f.status == FacilityStatus.Active) _repayPool(project, id, facilityId);
        uint256 returned = ledger.reservationLeft(project, id);
        uint256 recovery = o.value - returned;
        o.status = OrderStatus.ClosedUndelivered;
        if (returned != 0) ledger.release(project, id);
        if (recovery != 0) ledger.recordRecovery(project, id, f.substitute, recovery);
        registry.releaseCapacity(o.supplier, o.value);
        emit OrderClosedUndelivered(id, f.substitute, recovery, returned);
    }

    /// @inheritdoc ISubstituteFinancing
    function settleOrder(uint256 id) external nonReentrant {
        Order storage o = _orders[id];
        OrderStatus status = o.status;
        if (status == OrderStatus.Pending) revert FinancingOrderPending(id);
        if (status == OrderStatus.Delivered) {
            if (block.timestamp < o.acceptBy) revert FinancingDeliveryNotAccepted(id, o.acceptBy);
        } else if (status != OrderStatus.Accepted) {
            revert FinancingOrderStatus(id, status);
        }
        bytes32 project = o.project;
        address supplier = o.supplier;
        uint256 toPool = 0;
        uint256 facilityId = o.facility;
        if (facilityId != 0 && _facilities[facilityId].status == FacilityStatus.Active) {
            toPool = _repayPool(project, id, facilityId);
        }
        uint256 rest = ledger.reservationLeft(project, id);
        if (rest != 0 && !ledger.isEligiblePayee(project, supplier)) {
            if (toPool == 0) revert FinancingPayeeNotEligible(id, supplier);
            o.status = OrderStatus.Accepted;
            emit SettlementHeld(id, supplier, rest);
            return;
        }
        o.status = OrderStatus.Settled;
        if (rest != 0) ledger.payReservation(project, id, supplier, _invoiceOf(o.po));
        registry.releaseCapacity(supplier, o.value);
        emit OrderSettled(id, project, supplier, rest, toPool, o.po);
    }

    /// @inheritdoc ISubstituteFinancing
    function repay(uint256 id, uint256 amount) external nonReentrant {
        Facility storage f = _facilities[id];
        if (f.status != FacilityStatus.Active) revert FinancingFacilityStatus(id, f.status);
        if (amount == 0) revert FinancingZeroAmount();
        (uint256 owedPrincipal, uint256 owedInterest,) = pool.facilityValue(id);
        if (amount > owedPrincipal + owedInterest) amount = owedPrincipal + owedInterest;
        token.safeTransferFrom(msg.sender, address(pool), amount);
        (uint256 interest, uint256 principal, bool closed) = _collect(id, amount);
        emit FacilityRepaid(id, msg.sender, address(pool), amount, interest, principal, closed);
    }

    /// @inheritdoc ISubstituteFinancing
    function order(uint256 id) external view returns (Order memory) {
        return _orders[id];
    }

    /// @inheritdoc ISubstituteFinancing
    function facility(uint256 id) external view returns (Facility memory) {
        return _facilities[id];
    }

    /// @inheritdoc ISubstituteFinancing
    function openOrders(address supplier) external view returns (uint256[] memory) {
        return _open[supplier];
    }

    /// @inheritdoc ISubstituteFinancing
    function exposure(address supplier) external view returns (uint256) {
        return _exposure[supplier];
    }

    /// @inheritdoc ISubstituteFinancing
    function counts() external view returns (uint256 orders, uint256 facilities) {
        return (_orderCount, _facilityCount);
    }

    /// @dev The annual rate for `score` under policy `p` (0 if not eligible).
    function _rateFor(IFinancingPolicy.Policy memory p, uint16 score) private pure returns (uint256) {
        if (score < p.minScore) return 0;
        for (uint256 i = 0; i < 3; ++i) {
            if (score >= p.bandFloors[i]) return p.baseRateBps + p.bandSpreads[i];
        }
        return 0;
    }

    /// @dev Finances up to `maxPerCall` open orders of `supplier`, from its cursor.
    function _process(address supplier, IFinancingPolicy.Policy memory p) private {
        uint256[] storage list = _open[supplier];
        Episode storage episode = _episodes[supplier];
        uint256 cursor = _cursor[supplier];
        uint256 handled = 0;
        uint256 exposureCap = (IERC4626(address(pool)).totalAssets() * p.exposureCapBps) / BPS;
        while (handled < p.maxPerCall && cursor < list.length) {
            uint256 id = list[cursor];
            if (_finance(id, supplier, episode, p, exposureCap)) {
                // the last order moved into this slot: look at the same index again
                _dropOpen(supplier, id);
            } else {
                ++cursor;
            }
            ++handled;
        }
        _cursor[supplier] = cursor < list.length ? cursor : 0;
        emit DisruptionProcessed(supplier, handled, list.length);
    }

    /// @dev A facility's terms as the trigger sets them.
    struct Terms {
        uint256 advance;
        uint256 rate;
        uint256 due;
        uint256 stop;
        bool lowered;
    }

    /// @dev Picks the best eligible substitute for order `id` and advances to it.
    function _finance(
        uint256 id,
        address disrupted,
        Episode storage episode,
        IFinancingPolicy.Policy memory p,
        uint256 exposureCap
    ) private returns (bool financed) {
        Order storage o = _orders[id];
        if (o.status == OrderStatus.Pending) {
            emit SubstituteUnavailable(id, disrupted, ORDER_NOT_APPROVED);
            return false;
        }
        // the pool is repaid out of the reservation, which can be paid only once its
        // milestone is approved: no advance before that
        if (!ledger.isMilestoneApproved(o.project, o.milestone)) {
            emit SubstituteUnavailable(id, disrupted, MILESTONE_NOT_APPROVED);
            return false;
        }
        uint256 nominal = (o.value * p.advanceBps) / BPS;
        if (nominal == 0) {
            emit SubstituteUnavailable(id, disrupted, TOO_SMALL);
            return false;
        }
        // caps are checked with the nominal advance: the advance can only be lowered below
        (address chosen, uint16 score) = _choose(id, o, disrupted, nominal, exposureCap, p.minScore);
        Terms memory t = _terms(o, nominal, _rateFor(p, score), p.graceDays);
        bytes32 reason;
        if (chosen == address(0)) {
            reason = NO_SUBSTITUTE;
        } else if (t.advance == 0) {
            reason = TOO_SMALL;
        } else if (pool.idle() < t.advance) {
            reason = NO_CASH;
        } else if (episode.advanced + t.advance > episode.cap) {
            reason = REPORT_CAP;
        }
        if (reason != bytes32(0)) {
            emit SubstituteUnavailable(id, disrupted, reason);
            return false;
        }
        _advance(id, disrupted, chosen, t);
        return true;
    }

    /// @dev The terms of a facility on order `o` for a substitute of `score`: the policy's
    /// rate; due on the order's due date (or the next midnight for an order already overdue,
    /// so that no order can make a report revert); interest stopping at the due date rounded
    /// up to a midnight plus the grace period; the advance lowered, if need be, until what the
    /// facility would owe at its stop fits in the order's value (its reservation).
    function _terms(Order storage o, uint256 nominal, uint256 rate, uint256 graceDays)
        private
        view
        returns (Terms memory t)
    {
        t.rate = rate;
        t.due = o.due > block.timestamp ? o.due : block.timestamp + 1;
        t.stop = Math.ceilDiv(t.due, 1 days) * 1 days + graceDays * 1 days;
        uint256 value = o.value;
        uint256 elapsed = t.stop - block.timestamp;
        t.advance = nominal;
        if (pool.owedAtStop(nominal, t.rate, block.timestamp, t.stop) > value) {
            t.lowered = true;
            t.advance = (value * SCALE) / (SCALE + t.rate * elapsed);
            // rounding up what is owed can still overshoot by a unit
            while (t.advance != 0 && pool.owedAtStop(t.advance, t.rate, block.timestamp, t.stop) > value) {
                --t.advance;
            }
        }
    }

    /// @dev Opens the facility, pays the advance from the pool and re-points the order.
    function _advance(uint256 id, address disrupted, address chosen, Terms memory t) private {
        Order storage o = _orders[id];
        Episode storage episode = _episodes[disrupted];
        uint256 facilityId = ++_facilityCount;
        _facilities[facilityId] = Facility({
            substitute: chosen,
            due: t.due.toUint64(),
            rateBps: t.rate.toUint16(),
            status: FacilityStatus.Active,
            order: id.toUint64(),
            openedAt: uint64(block.timestamp),
            episode: episode.id.toUint64(),
            stop: t.stop.toUint64(),
            principal: t.advance
        });
        episode.advanced += t.advance;
        _exposure[chosen] += t.advance;
        o.supplier = chosen;
        o.status = OrderStatus.Financed;
        o.facility = facilityId.toUint64();
        registry.releaseCapacity(disrupted, o.value);
        registry.commitCapacity(chosen, o.value);
        pool.openFacility(facilityId, chosen, t.advance, t.rate, t.stop);
        emit SubstituteFinanced(
            id, facilityId, o.project, address(pool), chosen, t.advance, disrupted, t.rate, t.due, episode.id, t.stop, t.lowered
        );
    }

    /// @dev Best = highest score among eligible candidates, ties to the earlier in the list.
    /// Emits `SubstitutePassedOver` for every candidate not chosen.
    function _choose(
        uint256 id,
        Order storage o,
        address disrupted,
        uint256 advance,
        uint256 exposureCap,
        uint256 minScore
    ) private returns (address best, uint16 bestScore) {
        address[] memory candidates = registry.substitutes(o.part);
        bool[] memory eligible = new bool[](candidates.length);
        for (uint256 i = 0; i < candidates.length; ++i) {
            address c = candidates[i];
            if (c == disrupted) continue;
            ISupplierRegistry.Supplier memory s = registry.supplier(c);
            bytes32 reason;
            if (s.status != ISupplierRegistry.Status.Active) reason = NOT_ACTIVE;
            else if (s.score < minScore) reason = LOW_SCORE;
            else if (s.capacity - s.committed < o.value) reason = NO_CAPACITY;
            else if (_exposure[c] + advance > exposureCap) reason = EXPOSURE_CAP;
            if (reason != bytes32(0)) {
                emit SubstitutePassedOver(id, c, reason);
                continue;
            }
            eligible[i] = true;
            if (best == address(0) || s.score > bestScore) {
                best = c;
                bestScore = s.score;
            }
        }
        for (uint256 i = 0; i < candidates.length; ++i) {
            if (eligible[i] && candidates[i] != best) emit SubstitutePassedOver(id, candidates[i], LOWER_SCORE);
        }
    }

    /// @dev The pool is an eligible payee for exactly what the facility owes now, and is
    /// paid it from the order's reservation (which covers it by construction); returns it.
    function _repayPool(bytes32 project, uint256 id, uint256 facilityId) private returns (uint256 amount) {
        (uint256 principal, uint256 interest,) = pool.facilityValue(facilityId);
        uint256 left = ledger.reservationLeft(project, id);
        amount = principal + interest < left ? principal + interest : left;
        if (amount != 0) ledger.payPoolFromReservation(project, id, address(pool), amount);
        _collect(facilityId, amount);
        emit PoolRepaidFromReservation(id, facilityId, amount);
    }

    /// @dev Counts the sender's report about `supplier` in its current quorum round (a new
    /// round when the last one reached quorum or its window passed). The same quorum decides
    /// a disruption and a recovery.
    function _vote(address supplier, IFinancingPolicy.Policy memory p, bool recovery)
        private
        returns (uint256 reports, bool reached)
    {
        Round storage round = _rounds[supplier];
        if (round.reports == 0 || round.recovery != recovery || block.timestamp > round.startedAt + p.quorumWindow) {
            round.number += 1;
            round.startedAt = uint64(block.timestamp);
            round.reports = 0;
            round.recovery = recovery;
        }
        if (_reported[supplier][round.number][msg.sender]) revert FinancingAlreadyReported(supplier, msg.sender);
        _reported[supplier][round.number][msg.sender] = true;
        reports = ++round.reports;
        reached = reports >= p.quorum;
        if (reached) round.reports = 0;
    }

    /// @dev Books `amount`, already paid to the pool, against facility `id`.
    function _collect(uint256 id, uint256 amount) private returns (uint256 interest, uint256 principal, bool closed) {
        Facility storage f = _facilities[id];
        (interest, principal, closed) = pool.collect(id, amount);
        _exposure[f.substitute] -= principal;
        if (closed) f.status = FacilityStatus.Repaid;
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
        uint256 taken = _poOrders[project][po];
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
        Order storage o = _orders[id];
        emit OrderRegistered(
            id, o.project, o.part, o.supplier, o.value, o.category, o.milestone, o.due, o.po, pending
        );
    }

    function _addOpen(address supplier, uint256 id) private {
        _open[supplier].push(id);
        _openIndex[id] = _open[supplier].length;
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

    function _dropOpen(address supplier, uint256 id) private {
        uint256[] storage list = _open[supplier];
        uint256 index = _openIndex[id] - 1;
        uint256 last = list[list.length - 1];
        list[index] = last;
        _openIndex[last] = index + 1;
        list.pop();
        delete _openIndex[id];
    }

    function _requireOwner(bytes32 project) private view {
        address owner = ledger.project(project).owner;
        if (msg.sender != owner) revert FinancingNotProjectOwner(project, msg.sender);
    }

}
