// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFinancingPool} from "./interfaces/IFinancingPool.sol";
import {IFundLedger} from "./interfaces/IFundLedger.sol";
import {ISubstituteFinancing} from "./interfaces/ISubstituteFinancing.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";

/// @title SubstituteFinancing
/// @notice Purchase orders, the disruption trigger, delivery, settlement and default. Work per call is bounded
/// by the policy's orders per call and the 16 substitutes a part can have; nothing loops over
/// suppliers, projects or facilities.
contract SubstituteFinancing is ISubstituteFinancing, AccessControlDefaultAdminRules, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of the oracles that report disruptions and recoveries.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    uint256 private constant BPS = 10_000;
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

    /// @notice The settlement token.
    IERC20 public immutable token;
    /// @notice The supplier registry.
    ISupplierRegistry public immutable registry;
    /// @notice The fund ledger holding the orders' reservations.
    IFundLedger public immutable ledger;
    /// @notice The pool that funds advances.
    IFinancingPool public immutable pool;

    struct Round {
        uint64 startedAt;
        uint32 number;
        uint16 reports;
    }

    struct Episode {
        uint256 id;
        uint256 cap;
        uint256 advanced;
    }

    Policy private _policy;
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
    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(
        IERC20 token_,
        ISupplierRegistry registry_,
        IFundLedger ledger_,
        IFinancingPool pool_,
        uint48 adminDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        token = token_;
        registry = registry_;
        ledger = ledger_;
        pool = pool_;
        _setPolicy(
            Policy({
                advanceBps: 8000,
                baseRateBps: 400,
                bandFloors: [uint16(800), 700, 600],
                bandSpreads: [uint16(100), 250, 500],
                minScore: 600,
                graceDays: 30,
                exposureCapBps: 5000,
                reportCapBps: 5000,
                quorum: 1,
                quorumWindow: 1 days,
                maxPerCall: 10,
                acceptanceDays: 14,
                maxOrderHorizonDays: 3 * 365
            })
        );
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
        uint256 acceptBy = block.timestamp + uint256(_policy.acceptanceDays) * 1 days;
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
        Round storage round = _rounds[supplier];
        if (round.reports == 0 || block.timestamp > round.startedAt + _policy.quorumWindow) {
            round.number += 1;
            round.startedAt = uint64(block.timestamp);
            round.reports = 0;
        }
        if (_reported[supplier][round.number][msg.sender]) revert FinancingAlreadyReported(supplier, msg.sender);
        _reported[supplier][round.number][msg.sender] = true;
        round.reports += 1;
        emit DisruptionReported(supplier, msg.sender, reason, evidence, round.reports, _policy.quorum);
        if (round.reports < _policy.quorum) return;

        round.reports = 0;
        registry.markDisrupted(supplier);
        uint256 cap = (IERC4626(address(pool)).totalAssets() * _policy.reportCapBps) / BPS;
        _episodes[supplier] = Episode({id: ++_episodeCount, cap: cap, advanced: 0});
        _cursor[supplier] = 0;
        emit SupplierDisrupted(supplier, _episodeCount, cap);
        _process(supplier);
    }

    /// @inheritdoc ISubstituteFinancing
    function processDisruption(address supplier) external nonReentrant {
        ISupplierRegistry.Status status = registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Disrupted) revert FinancingSupplierStatus(supplier, uint8(status));
        _process(supplier);
    }

    /// @inheritdoc ISubstituteFinancing
    function reportRecovery(address supplier) external onlyRole(ORACLE_ROLE) {
        ISupplierRegistry.Status status = registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Disrupted) revert FinancingSupplierStatus(supplier, uint8(status));
        registry.markRecovered(supplier);
        emit SupplierRecovered(supplier, msg.sender);
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
            // The pool is an eligible payee for exactly what the facility owes, and is paid first.
            (uint256 principal, uint256 interest,,) = pool.facilityValue(facilityId);
            uint256 left = ledger.reservationLeft(project, id);
            toPool = principal + interest < left ? principal + interest : left;
            if (toPool != 0) ledger.payPoolFromReservation(project, id, address(pool), toPool);
            _collect(facilityId, toPool);
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
        (uint256 owedPrincipal, uint256 owedInterest,,) = pool.facilityValue(id);
        if (amount > owedPrincipal + owedInterest) amount = owedPrincipal + owedInterest;
        token.safeTransferFrom(msg.sender, address(pool), amount);
        (uint256 interest, uint256 principal, bool closed) = _collect(id, amount);
        emit FacilityRepaid(id, msg.sender, address(pool), amount, interest, principal, closed);
    }

    /// @inheritdoc ISubstituteFinancing
    function markDefault(uint256 id) external nonReentrant {
        Facility storage f = _facilities[id];
        if (f.status != FacilityStatus.Active) revert FinancingFacilityStatus(id, f.status);
        uint256 until = pool.graceEnd(id);
        if (block.timestamp < until) revert FinancingGraceNotOver(id, until);
        (uint256 principal,,,) = pool.facilityValue(id);
        uint256 loss = pool.writeOff(id);
        f.status = FacilityStatus.Defaulted;
        _exposure[f.substitute] -= principal;
        registry.markDefaulted(f.substitute);
        emit FacilityDefaulted(id, f.substitute, loss);
    }

    /// @inheritdoc ISubstituteFinancing
    function setPolicy(Policy calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPolicy(p);
    }

    /// @inheritdoc ISubstituteFinancing
    function policy() external view returns (Policy memory) {
        return _policy;
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

    /// @inheritdoc ISubstituteFinancing
    function rateFor(uint16 score) public view returns (uint256) {
        if (score < _policy.minScore) return 0;
        for (uint256 i = 0; i < 3; ++i) {
            if (score >= _policy.bandFloors[i]) return _policy.baseRateBps + _policy.bandSpreads[i];
        }
        return 0;
    }

    /// @dev Finances up to `maxPerCall` open orders of `supplier`, from its cursor.
    function _process(address supplier) private {
        uint256[] storage list = _open[supplier];
        Episode storage episode = _episodes[supplier];
        uint256 cursor = _cursor[supplier];
        uint256 handled = 0;
        uint256 limit = _policy.maxPerCall;
        uint256 assets = IERC4626(address(pool)).totalAssets();
        while (handled < limit && cursor < list.length) {
            uint256 id = list[cursor];
            if (_finance(id, supplier, episode, assets)) {
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

    /// @dev Picks the best eligible substitute for order `id` and advances to it.
    function _finance(uint256 id, address disrupted, Episode storage episode, uint256 assets)
        private
        returns (bool financed)
    {
        Order storage o = _orders[id];
        if (o.status == OrderStatus.Pending) {
            emit SubstituteUnavailable(id, disrupted, ORDER_NOT_APPROVED);
            return false;
        }
        uint256 advance = (o.value * _policy.advanceBps) / BPS;
        if (advance == 0) {
            emit SubstituteUnavailable(id, disrupted, TOO_SMALL);
            return false;
        }
        (address chosen, uint16 score) = _choose(id, o, disrupted, advance, assets);
        bytes32 reason;
        if (chosen == address(0)) {
            reason = NO_SUBSTITUTE;
        } else if (pool.idle() < advance) {
            reason = NO_CASH;
        } else if (episode.advanced + advance > episode.cap) {
            reason = REPORT_CAP;
        }
        if (reason != bytes32(0)) {
            emit SubstituteUnavailable(id, disrupted, reason);
            return false;
        }
        _advance(id, disrupted, chosen, score, advance);
        return true;
    }

    /// @dev Opens the facility, pays the advance from the pool and re-points the order.
    function _advance(uint256 id, address disrupted, address chosen, uint16 score, uint256 advance) private {
        Order storage o = _orders[id];
        Episode storage episode = _episodes[disrupted];
        uint256 facilityId = ++_facilityCount;
        _facilities[facilityId] = Facility({
            substitute: chosen,
            due: o.due,
            rateBps: uint16(rateFor(score)),
            status: FacilityStatus.Active,
            order: id.toUint64(),
            openedAt: uint64(block.timestamp),
            episode: episode.id.toUint64(),
            principal: advance
        });
        episode.advanced += advance;
        _exposure[chosen] += advance;
        o.supplier = chosen;
        o.status = OrderStatus.Financed;
        o.facility = facilityId.toUint64();
        registry.releaseCapacity(disrupted, o.value);
        registry.commitCapacity(chosen, o.value);
        Facility storage f = _facilities[facilityId];
        // An order already past its due date is financed to the next midnight rather than
        // making the whole report revert.
        uint256 due = o.due > block.timestamp ? o.due : block.timestamp + 1;
        f.due = due.toUint64();
        pool.openFacility(facilityId, chosen, advance, f.rateBps, due, _policy.graceDays);
        emit SubstituteFinanced(
            id, facilityId, o.project, address(pool), chosen, advance, disrupted, f.rateBps, due, episode.id
        );
    }

    /// @dev Best = highest score among eligible candidates, ties to the earlier in the list.
    /// Emits `SubstitutePassedOver` for every candidate not chosen.
    function _choose(uint256 id, Order storage o, address disrupted, uint256 advance, uint256 assets)
        private
        returns (address best, uint16 bestScore)
    {
        address[] memory candidates = registry.substitutes(o.part);
        bool[] memory eligible = new bool[](candidates.length);
        uint256 exposureCap = (assets * _policy.exposureCapBps) / BPS;
        for (uint256 i = 0; i < candidates.length; ++i) {
            address c = candidates[i];
            if (c == disrupted) continue;
            ISupplierRegistry.Supplier memory s = registry.supplier(c);
            bytes32 reason;
            if (s.status != ISupplierRegistry.Status.Active) reason = NOT_ACTIVE;
            else if (s.score < _policy.minScore) reason = LOW_SCORE;
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
        uint256 latest = block.timestamp + uint256(_policy.maxOrderHorizonDays) * 1 days;
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

    function _setPolicy(Policy memory p) private {
        if (p.advanceBps == 0 || p.advanceBps > BPS) revert FinancingPolicyInvalid("advanceBps");
        if (p.bandFloors[0] < p.bandFloors[1] || p.bandFloors[1] < p.bandFloors[2] || p.bandFloors[0] > 1000) {
            revert FinancingPolicyInvalid("bandFloors");
        }
        if (p.minScore > 1000) revert FinancingPolicyInvalid("minScore");
        if (p.exposureCapBps == 0 || p.exposureCapBps > BPS) revert FinancingPolicyInvalid("exposureCapBps");
        if (p.reportCapBps == 0 || p.reportCapBps > BPS) revert FinancingPolicyInvalid("reportCapBps");
        if (p.quorum == 0) revert FinancingPolicyInvalid("quorum");
        if (p.maxPerCall == 0) revert FinancingPolicyInvalid("maxPerCall");
        if (p.acceptanceDays == 0 || p.acceptanceDays > 365) revert FinancingPolicyInvalid("acceptanceDays");
        if (p.maxOrderHorizonDays == 0 || p.maxOrderHorizonDays > 10 * 365) {
            revert FinancingPolicyInvalid("maxOrderHorizonDays");
        }
        _policy = p;
        emit PolicyUpdated(p);
    }
}
