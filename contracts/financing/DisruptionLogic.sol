// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFinancingPolicy} from "../interfaces/IFinancingPolicy.sol";
import {IFinancingPool} from "../interfaces/IFinancingPool.sol";
import {IFundLedger} from "../interfaces/IFundLedger.sol";
import {ISubstituteFinancing} from "../interfaces/ISubstituteFinancing.sol";
import {ISupplierRegistry} from "../interfaces/ISupplierRegistry.sol";

/// @title DisruptionLogic
/// @notice The disruption trigger of `SubstituteFinancing`: oracle quorum, the choice of a
/// substitute, the terms and caps of its facility. An external library, linked at deployment
/// and run by delegatecall, so that its events, errors and storage are those of
/// `SubstituteFinancing` while each contract stays under the EIP-170 size limit.
library DisruptionLogic {
    using SafeCast for uint256;

    uint256 private constant BPS = 10_000;
    uint256 private constant SCALE = 365 days * BPS;

    bytes32 private constant NOT_ACTIVE = "NOT_ACTIVE";
    bytes32 private constant LOW_SCORE = "LOW_SCORE";
    bytes32 private constant TERMS_CHANGED = "TERMS_CHANGED";
    bytes32 private constant NO_CAPACITY = "NO_CAPACITY";
    bytes32 private constant EXPOSURE_CAP = "EXPOSURE_CAP";
    bytes32 private constant LOWER_SCORE = "LOWER_SCORE";
    bytes32 private constant LATER_DELIVERY = "LATER_DELIVERY";
    bytes32 private constant NO_SUBSTITUTE = "NO_SUBSTITUTE";
    bytes32 private constant NO_CASH = "NO_CASH";
    bytes32 private constant PROJECT_CAP = "PROJECT_CAP";
    bytes32 private constant WINDOW_CAP = "WINDOW_CAP";
    bytes32 private constant ORDER_NOT_APPROVED = "ORDER_NOT_APPROVED";
    bytes32 private constant TOO_SMALL = "TOO_SMALL";
    bytes32 private constant MILESTONE_NOT_APPROVED = "MILESTONE_NOT_APPROVED";
    bytes32 private constant PROJECT_OPTED_OUT = "PROJECT_OPTED_OUT";
    bytes32 private constant TENOR_TOO_LONG = "TENOR_TOO_LONG";
    bytes32 private constant SAME_REGION = "SAME_REGION";
    bytes32 private constant SHARED_UPSTREAM = "SHARED_UPSTREAM";
    bytes32 private constant SHOCK_CAP = "SHOCK_CAP";

    /// @dev One quorum round of reports about a supplier; `recovery` says which kind, so a
    /// pending vote of one kind never counts toward the other.
    struct Round {
        uint64 startedAt;
        uint32 number;
        uint16 reports;
        bool recovery;
    }

    /// @dev What one day's advances drew against a supplier's disruptions.
    struct Draw {
        uint64 day;
        uint192 amount;
    }

    /// @dev The advances drawn against one supplier's disruptions, one entry per day with
    /// draws, oldest first; `drawn` is the sum of those from `head` on (the days still inside
    /// the rolling window). A window is at most 365 days, so at most 366 entries are ever
    /// live and one call never drops more than that, however many advances were made.
    struct Window {
        uint256 head;
        uint256 drawn;
        Draw[] draws;
    }

    /// @dev The storage of `SubstituteFinancing`, shared with this library.
    struct State {
        mapping(uint256 id => ISubstituteFinancing.Order) orders;
        mapping(uint256 id => ISubstituteFinancing.Facility) facilities;
        mapping(address supplier => uint256[]) open;
        mapping(uint256 order => uint256) openIndex;
        mapping(address supplier => uint256) cursor;
        mapping(address substitute => uint256) exposure;
        mapping(bytes32 project => uint256) projectExposure;
        mapping(address supplier => Round) rounds;
        mapping(address supplier => mapping(uint32 round => mapping(address oracle => bool))) reported;
        mapping(address supplier => uint256) episodes;
        mapping(address supplier => Window) windows;
        mapping(bytes32 project => mapping(bytes32 po => uint256 order)) poOrders;
        uint256 orderCount;
        uint256 facilityCount;
        uint256 episodeCount;
        mapping(uint256 id => ISubstituteFinancing.Shock) shocks;
        mapping(bytes32 region => uint256 id) regionShock;
        mapping(address supplier => uint256 id) shockOf;
        mapping(bytes32 region => Round) regionRounds;
        mapping(bytes32 region => mapping(uint32 round => mapping(address oracle => bool))) regionReported;
        uint256 shockCount;
    }

    /// @dev Where a walk of a shock's region members stands within one call.
    struct Walk {
        bytes32 region;
        uint256 cursor;
        uint256 position;
        uint256 size;
        uint256 budget;
        uint256 looked;
    }

    /// @dev The contracts the trigger works with.
    struct Deps {
        ISupplierRegistry registry;
        IFundLedger ledger;
        IFinancingPool pool;
        IFinancingPolicy policy;
    }

    /// @dev A candidate as the choice sees it.
    struct Pick {
        address account;
        uint16 score;
        uint16 leadDays;
        uint32 version;
        bool deliverable;
        uint256 advanceBps;
        IFinancingPolicy.Terms terms;
    }

    /// @dev A facility's terms as the trigger sets them.
    struct Terms {
        uint256 advance;
        uint256 rate;
        uint256 due;
        uint256 stop;
        bool lowered;
    }

    /// @dev What one call may commit: caps in token units and the disrupted supplier; and the
    /// life-cycle stage of the order at hand (set per order); the regional shock that
    /// disrupted the supplier (0: none).
    struct Limits {
        address disrupted;
        uint8 stage;
        uint256 shock;
        uint256 shockCapNow;
        uint256 exposureCap;
        uint256 projectCap;
        uint256 windowCap;
        uint256 windowSeconds;
        uint256 minAdvance;
    }

    /// @notice Counts an oracle's report; at quorum marks `supplier` Disrupted and finances
    /// its open orders (up to the policy's orders per call).
    function report(State storage s, Deps memory d, address supplier, bytes32 reason, bytes32 evidence) external {
        ISupplierRegistry.Status status = d.registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Active) {
            revert ISubstituteFinancing.FinancingSupplierStatus(supplier, uint8(status));
        }
        IFinancingPolicy.Policy memory p = d.policy.current();
        (uint256 reports, bool reached) = _vote(s.rounds[supplier], s.reported[supplier], p, false);
        if (reports == 0) revert ISubstituteFinancing.FinancingAlreadyReported(supplier, msg.sender);
        emit ISubstituteFinancing.DisruptionReported(supplier, msg.sender, reason, evidence, reports, p.quorum);
        if (reached) _disruptAndProcess(s, d, supplier, p);
    }

    /// @dev A supplier of a region under a shock in force is disrupted under that shock and
    /// its cap, however it is reported.
    function _disruptAndProcess(State storage s, Deps memory d, address supplier, IFinancingPolicy.Policy memory p)
        private
    {
        Limits memory l = _disrupt(s, d, supplier, p, _inForce(s, d.registry.regionOf(supplier)));
        _process(s, d, supplier, l, p.maxPerCall);
    }

    /// @notice Counts an oracle's report of a shock to `region`; at quorum the shock is in
    /// force and the region's members are walked (`_walk`).
    function reportShock(State storage s, Deps memory d, bytes32 region, bytes32 reason, bytes32 evidence)
        external
    {
        if (region == bytes32(0)) revert ISubstituteFinancing.FinancingRegionInvalid();
        uint256 current = _inForce(s, region);
        if (current != 0) revert ISubstituteFinancing.FinancingShockInForce(region, current);
        IFinancingPolicy.Policy memory p = d.policy.current();
        (uint256 reports, bool reached) = _vote(s.regionRounds[region], s.regionReported[region], p, false);
        if (reports == 0) revert ISubstituteFinancing.FinancingAlreadyReportedRegion(region, msg.sender);
        emit ISubstituteFinancing.RegionalShockReported(region, msg.sender, reason, evidence, reports, p.quorum);
        if (!reached) return;
        uint256 id = ++s.shockCount;
        uint256 cap = (IERC4626(address(d.pool)).totalAssets() * p.shockCapBps) / BPS;
        uint256 size = d.registry.regionSize(region);
        s.shocks[id] = ISubstituteFinancing.Shock({
            region: region,
            cap: cap.toUint128(),
            drawn: 0,
            cursor: 0,
            inForce: true,
            size: size.toUint64(),
            position: 0
        });
        s.regionShock[region] = id;
        emit ISubstituteFinancing.RegionalShock(region, id, cap, size);
        _walk(s, d, id, p);
    }

    /// @notice Continues the shock in force in `region`.
    function processShock(State storage s, Deps memory d, bytes32 region) external {
        uint256 id = _inForce(s, region);
        if (id == 0) revert ISubstituteFinancing.FinancingNoShock(region);
        _walk(s, d, id, d.policy.current());
    }

    /// @notice Counts an oracle's report that `region` recovered; at quorum its shock ends.
    function recoverRegion(State storage s, Deps memory d, bytes32 region) external {
        uint256 id = _inForce(s, region);
        if (id == 0) revert ISubstituteFinancing.FinancingNoShock(region);
        IFinancingPolicy.Policy memory p = d.policy.current();
        (uint256 reports, bool reached) = _vote(s.regionRounds[region], s.regionReported[region], p, true);
        if (reports == 0) revert ISubstituteFinancing.FinancingAlreadyReportedRegion(region, msg.sender);
        if (reached) s.shocks[id].inForce = false;
        emit ISubstituteFinancing.RegionRecovered(region, id, msg.sender, reports, p.quorum, reached);
    }

    /// @notice Finances the next open orders of a Disrupted supplier.
    function process(State storage s, Deps memory d, address supplier) external {
        ISupplierRegistry.Status status = d.registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Disrupted) {
            revert ISubstituteFinancing.FinancingSupplierStatus(supplier, uint8(status));
        }
        IFinancingPolicy.Policy memory p = d.policy.current();
        _process(s, d, supplier, _limits(d, p, supplier, _shockFor(s, d, supplier)), p.maxPerCall);
    }

    /// @notice Counts an oracle's recovery report; at quorum returns `supplier` to Active.
    function recover(State storage s, Deps memory d, address supplier) external {
        ISupplierRegistry.Status status = d.registry.statusOf(supplier);
        if (status != ISupplierRegistry.Status.Disrupted) {
            revert ISubstituteFinancing.FinancingSupplierStatus(supplier, uint8(status));
        }
        IFinancingPolicy.Policy memory p = d.policy.current();
        (uint256 reports, bool reached) = _vote(s.rounds[supplier], s.reported[supplier], p, true);
        if (reports == 0) revert ISubstituteFinancing.FinancingAlreadyReported(supplier, msg.sender);
        if (reached) {
            d.registry.markRecovered(supplier);
            delete s.shockOf[supplier];
        }
        emit ISubstituteFinancing.SupplierRecovered(supplier, msg.sender, reports, p.quorum, reached);
    }

    /// @dev Adds order `id` to `supplier`'s open list.
    function addOpen(State storage s, address supplier, uint256 id) internal {
        s.open[supplier].push(id);
        s.openIndex[id] = s.open[supplier].length;
    }

    /// @dev Takes order `id` off `supplier`'s open list (the last entry takes its slot).
    function dropOpen(State storage s, address supplier, uint256 id) internal {
        uint256[] storage list = s.open[supplier];
        uint256 index = s.openIndex[id] - 1;
        uint256 last = list[list.length - 1];
        list[index] = last;
        s.openIndex[last] = index + 1;
        list.pop();
        delete s.openIndex[id];
    }

    /// @dev The limits of a call on `disrupted`'s orders, whose advances draw on the cap of
    /// regional shock `shock` (0: none).
    function _limits(Deps memory d, IFinancingPolicy.Policy memory p, address disrupted, uint256 shock)
        private
        view
        returns (Limits memory l)
    {
        uint256 assets = IERC4626(address(d.pool)).totalAssets();
        l.disrupted = disrupted;
        l.shock = shock;
        l.shockCapNow = (assets * p.shockCapBps) / BPS;
        l.exposureCap = (assets * p.exposureCapBps) / BPS;
        l.projectCap = (assets * p.projectCapBps) / BPS;
        l.windowCap = (assets * p.windowCapBps) / BPS;
        l.windowSeconds = uint256(p.windowDays) * 1 days;
        l.minAdvance = p.minAdvance;
    }

    /// @dev Marks `supplier` Disrupted under a new episode (and regional shock `shock`, 0 for
    /// none) and announces the room left in its rolling window; returns its limits.
    function _disrupt(State storage s, Deps memory d, address supplier, IFinancingPolicy.Policy memory p, uint256 shock)
        private
        returns (Limits memory l)
    {
        d.registry.markDisrupted(supplier);
        uint256 episode = ++s.episodeCount;
        s.episodes[supplier] = episode;
        s.cursor[supplier] = 0;
        s.shockOf[supplier] = shock;
        l = _limits(d, p, supplier, shock);
        uint256 drawn = _drawn(s.windows[supplier], l.windowSeconds);
        emit ISubstituteFinancing.SupplierDisrupted(
            supplier, episode, l.windowCap > drawn ? l.windowCap - drawn : 0, shock
        );
    }

    /// @dev The shock whose cap `supplier`'s advances draw on: the one that disrupted it, or,
    /// for a supplier disrupted on its own before a shock to its region, the one in force
    /// there now (so that no member escapes the shock's cap by having been reported first).
    function _shockFor(State storage s, Deps memory d, address supplier) private view returns (uint256 id) {
        id = s.shockOf[supplier];
        if (id == 0) id = _inForce(s, d.registry.regionOf(supplier));
    }

    /// @dev The shock in force in `region` (0: none, or no region).
    function _inForce(State storage s, bytes32 region) private view returns (uint256 id) {
        if (region == bytes32(0)) return 0;
        id = s.regionShock[region];
        if (id != 0 && !s.shocks[id].inForce) id = 0;
    }

    /// @dev Walks shock `id`'s region members from its cursor, up to the members listed when
    /// it reached quorum (a supplier put in the region later needs its own report): an Active
    /// member still in the region is marked Disrupted under the shock, and each member
    /// disrupted by it has its open orders financed from the walk's own position in its list
    /// (so that nobody's `processDisruption` moves the walk back). Looking at a member and
    /// handling an order each take one of the `maxPerCall` units of a call, except the look at
    /// the member a call takes up from the last one, so that every call moves the walk on.
    function _walk(State storage s, Deps memory d, uint256 id, IFinancingPolicy.Policy memory p) private {
        ISubstituteFinancing.Shock storage shock = s.shocks[id];
        Walk memory w = Walk({
            region: shock.region,
            cursor: shock.cursor,
            position: shock.position,
            size: shock.size,
            budget: p.maxPerCall,
            looked: 0
        });
        while (_step(s, d, id, p, w)) {}
        shock.cursor = uint64(w.cursor);
        shock.position = uint64(w.position);
        emit ISubstituteFinancing.RegionalShockProcessed(w.region, id, w.looked, w.cursor, w.size);
    }

    /// @dev Looks at the member at the walk's cursor; returns whether to go on.
    function _step(State storage s, Deps memory d, uint256 id, IFinancingPolicy.Policy memory p, Walk memory w)
        private
        returns (bool)
    {
        if (w.cursor >= w.size) return false;
        (address member, bool inRegion, ISupplierRegistry.Status status) = d.registry.regionMember(w.region, w.cursor);
        bool continuing = status == ISupplierRegistry.Status.Disrupted && s.shockOf[member] == id;
        if (!continuing || w.looked != 0) {
            if (w.budget == 0) return false;
            --w.budget;
        }
        ++w.looked;
        Limits memory l;
        if (inRegion && status == ISupplierRegistry.Status.Active) {
            l = _disrupt(s, d, member, p, id);
            w.position = 0;
        } else if (continuing) {
            l = _limits(d, p, member, id);
        } else {
            ++w.cursor;
            w.position = 0;
            return true;
        }
        uint256 length;
        uint256 handled;
        (handled, w.position, length) = _handle(s, d, member, l, w.budget, w.position);
        w.budget -= handled;
        emit ISubstituteFinancing.DisruptionProcessed(member, handled, length);
        if (w.position < length) return false; // its orders continue in the next call
        w.position = 0;
        ++w.cursor;
        return true;
    }

    /// @dev Finances up to `budget` open orders of `supplier`, from its cursor; returns how
    /// many were handled and whether its list was looked at to the end.
    function _process(
        State storage s,
        Deps memory d,
        address supplier,
        Limits memory l,
        uint256 budget
    ) private returns (uint256 handled, bool done) {
        uint256 cursor;
        uint256 length;
        (handled, cursor, length) = _handle(s, d, supplier, l, budget, s.cursor[supplier]);
        done = cursor >= length;
        s.cursor[supplier] = done ? 0 : cursor;
        emit ISubstituteFinancing.DisruptionProcessed(supplier, handled, length);
    }

    /// @dev Looks at up to `budget` open orders of `supplier` from position `cursor`; returns
    /// how many, the position reached and the list's length then.
    function _handle(
        State storage s,
        Deps memory d,
        address supplier,
        Limits memory l,
        uint256 budget,
        uint256 cursor
    ) private returns (uint256 handled, uint256, uint256) {
        uint256[] storage list = s.open[supplier];
        while (handled < budget && cursor < list.length) {
            uint256 id = list[cursor];
            if (_finance(s, d, id, l)) {
                // the last order moved into this slot: look at the same index again
                dropOpen(s, supplier, id);
            } else {
                ++cursor;
            }
            ++handled;
        }
        return (handled, cursor, list.length);
    }

    /// @dev Picks the best eligible substitute for order `id` and advances to it, or says
    /// why not (`SubstituteUnavailable`; the order stays open for the next call).
    function _finance(State storage s, Deps memory d, uint256 id, Limits memory l) private returns (bool) {
        ISubstituteFinancing.Order storage o = s.orders[id];
        bytes32 reason = bytes32(0);
        (bool allowed, bool approved, IFundLedger.Stage stage) = d.ledger.financingGate(o.project, o.milestone);
        l.stage = uint8(stage);
        if (!allowed) {
            // the project's terms, known to its funders, exclude substitute financing
            reason = PROJECT_OPTED_OUT;
        } else if (o.status == ISubstituteFinancing.OrderStatus.Pending) {
            reason = ORDER_NOT_APPROVED;
        } else if (!approved) {
            // the pool is repaid out of the reservation, which can be paid only once its
            // milestone is approved: no advance before that
            reason = MILESTONE_NOT_APPROVED;
        }
        if (reason == bytes32(0)) {
            Pick memory best = _choose(s, d, id, o, l);
            if (best.account == address(0)) {
                reason = NO_SUBSTITUTE;
            } else {
                Terms memory t = _terms(d, o, best);
                reason = _capped(s, d, o, t.advance, l);
                if (reason == bytes32(0)) {
                    _advance(s, d, id, l, best, t);
                    return true;
                }
            }
        }
        emit ISubstituteFinancing.SubstituteUnavailable(id, l.disrupted, reason);
        return false;
    }

    /// @dev Why an advance of `advance` on order `o` cannot be made now (zero if it can).
    function _capped(
        State storage s,
        Deps memory d,
        ISubstituteFinancing.Order storage o,
        uint256 advance,
        Limits memory l
    ) private returns (bytes32) {
        if (advance < Math.max(l.minAdvance, 1)) return TOO_SMALL; // nothing, or below the minimum
        if (d.pool.idle() < advance) return NO_CASH;
        if (s.projectExposure[o.project] + advance > l.projectCap) return PROJECT_CAP;
        if (_drawn(s.windows[l.disrupted], l.windowSeconds) + advance > l.windowCap) return WINDOW_CAP;
        if (l.shock != 0) {
            // the cap fixed when the shock was reported, or less if the pool shrank since
            ISubstituteFinancing.Shock storage shock = s.shocks[l.shock];
            if (uint256(shock.drawn) + advance > Math.min(shock.cap, l.shockCapNow)) return SHOCK_CAP;
        }
        return bytes32(0);
    }

    /// @dev What a supplier's disruptions drew within the rolling window of `span` seconds;
    /// drops the days that left it. A day leaves the window `span` after it ends, so no draw
    /// is counted for less than the whole window.
    function _drawn(Window storage w, uint256 span) private returns (uint256) {
        uint256 head = w.head;
        uint256 length = w.draws.length;
        uint256 drawn = w.drawn;
        while (head < length && (uint256(w.draws[head].day) + 1) * 1 days + span <= block.timestamp) {
            drawn -= w.draws[head].amount;
            delete w.draws[head];
            ++head;
        }
        w.head = head;
        w.drawn = drawn;
        return drawn;
    }

    /// @dev The terms of a facility on order `o` for substitute `c`, under the terms version
    /// it accepted: the band's share of the value; due the later of the order's due date and
    /// now plus the quoted lead time, plus the payment lag; interest stopping at the due date
    /// rounded up to a midnight plus the grace period; the advance lowered, if need be, until
    /// what the facility would owe at its stop fits in the order's value (its reservation).
    function _terms(Deps memory d, ISubstituteFinancing.Order storage o, Pick memory c)
        private
        view
        returns (Terms memory t)
    {
        uint256 value = o.value;
        uint256 ready = block.timestamp + uint256(c.leadDays) * 1 days;
        t.rate = c.terms.rateBps;
        t.due = (o.due > ready ? o.due : ready) + uint256(c.terms.paymentLagDays) * 1 days;
        t.stop = Math.ceilDiv(t.due, 1 days) * 1 days + uint256(c.terms.graceDays) * 1 days;
        t.advance = (value * c.advanceBps) / BPS;
        if (d.pool.owedAtStop(t.advance, t.rate, block.timestamp, t.stop) > value) {
            t.lowered = true;
            t.advance = (value * SCALE) / (SCALE + t.rate * (t.stop - block.timestamp));
            // rounding up what is owed can still overshoot by a unit
            while (t.advance != 0 && d.pool.owedAtStop(t.advance, t.rate, block.timestamp, t.stop) > value) {
                --t.advance;
            }
        }
    }

    /// @dev Opens the facility, pays the advance from the pool and re-points the order.
    function _advance(State storage s, Deps memory d, uint256 id, Limits memory l, Pick memory c, Terms memory t)
        private
    {
        address disrupted = l.disrupted;
        ISubstituteFinancing.Order storage o = s.orders[id];
        uint256 facilityId = ++s.facilityCount;
        uint256 episode = s.episodes[disrupted];
        s.facilities[facilityId] = ISubstituteFinancing.Facility({
            substitute: c.account,
            due: t.due.toUint64(),
            rateBps: t.rate.toUint16(),
            status: ISubstituteFinancing.FacilityStatus.Active,
            order: id.toUint64(),
            openedAt: uint64(block.timestamp),
            episode: episode.toUint64(),
            stop: t.stop.toUint64(),
            termsVersion: c.version,
            stage: l.stage,
            principal: t.advance
        });
        Window storage w = s.windows[disrupted];
        uint256 today = block.timestamp / 1 days;
        uint256 length = w.draws.length;
        // the last draw is today's when it is not before today (days only go forward)
        if (length > w.head && w.draws[length - 1].day >= today) {
            w.draws[length - 1].amount += t.advance.toUint192();
        } else {
            w.draws.push(Draw({day: uint64(today), amount: t.advance.toUint192()}));
        }
        w.drawn += t.advance;
        if (l.shock != 0) s.shocks[l.shock].drawn += t.advance.toUint128();
        s.exposure[c.account] += t.advance;
        s.projectExposure[o.project] += t.advance;
        o.supplier = c.account;
        o.status = ISubstituteFinancing.OrderStatus.Financed;
        o.facility = facilityId.toUint64();
        d.registry.releaseCapacity(disrupted, o.value, id);
        d.registry.commitCapacity(c.account, o.value, id);
        d.pool.openFacility(facilityId, c.account, t.advance, t.rate, t.stop);
        _emitFinanced(id, facilityId, o.project, address(d.pool), disrupted, episode, c.account, t);
        _emitTerms(facilityId, l.stage, c);
    }

    function _emitTerms(uint256 facilityId, uint8 stage, Pick memory c) private {
        emit ISubstituteFinancing.FacilityTerms(
            facilityId,
            c.version,
            stage,
            c.score,
            c.advanceBps,
            c.leadDays,
            c.terms.paymentLagDays,
            c.terms.graceDays,
            c.deliverable
        );
    }

    function _emitFinanced(
        uint256 id,
        uint256 facilityId,
        bytes32 project,
        address pool,
        address disrupted,
        uint256 episode,
        address substitute,
        Terms memory t
    ) private {
        emit ISubstituteFinancing.SubstituteFinanced(
            id, facilityId, project, pool, substitute, t.advance, disrupted, t.rate, t.due, episode, t.stop, t.lowered
        );
    }

    /// @dev Best = can deliver by the order's due date, then highest score, then earliest in
    /// the list. Emits `SubstitutePassedOver` for every candidate not chosen, with why.
    function _choose(
        State storage s,
        Deps memory d,
        uint256 id,
        ISubstituteFinancing.Order storage o,
        Limits memory l
    ) private returns (Pick memory best) {
        ISupplierRegistry.Candidate[] memory list = d.registry.candidates(o.part);
        Pick[] memory picks = new Pick[](list.length);
        for (uint256 i = 0; i < list.length; ++i) {
            ISupplierRegistry.Candidate memory c = list[i];
            if (c.account == l.disrupted) continue;
            bytes32 reason = _ineligible(s, d, o, c, l, picks[i]);
            if (reason != bytes32(0)) {
                emit ISubstituteFinancing.SubstitutePassedOver(id, c.account, reason);
                continue;
            }
            Pick memory pick = picks[i];
            if (
                best.account == address(0) || (pick.deliverable && !best.deliverable)
                    || (pick.deliverable == best.deliverable && pick.score > best.score)
            ) best = pick;
        }
        for (uint256 i = 0; i < list.length; ++i) {
            Pick memory pick = picks[i];
            if (pick.account == address(0) || pick.account == best.account) continue;
            bytes32 why = best.deliverable && !pick.deliverable ? LATER_DELIVERY : LOWER_SCORE;
            emit ISubstituteFinancing.SubstitutePassedOver(id, pick.account, why);
        }
    }

    /// @dev Why candidate `c` cannot take order `o` (zero if it can; then `pick` is filled).
    function _ineligible(
        State storage s,
        Deps memory d,
        ISubstituteFinancing.Order storage o,
        ISupplierRegistry.Candidate memory c,
        Limits memory l,
        Pick memory pick
    ) private view returns (bytes32) {
        if (c.status != ISupplierRegistry.Status.Active) return NOT_ACTIVE;
        if (_inForce(s, c.region) != 0) return SAME_REGION;
        if (c.inputs != 0 && d.registry.sourcesFrom(c.account, l.disrupted)) return SHARED_UPSTREAM;
        // the terms it accepted, and the shares and longest tenor of the order's stage
        (IFinancingPolicy.Terms memory terms, bool valid, uint16[3] memory shares, uint256 longest) =
            d.policy.termsAt(c.termsVersion, l.stage);
        uint256 advanceBps = 0;
        for (uint256 b = 0; b < 3; ++b) {
            if (c.score >= terms.bandFloors[b]) {
                advanceBps = shares[b];
                break;
            }
        }
        if (advanceBps == 0) return LOW_SCORE;
        if (!valid) return TERMS_CHANGED;
        uint256 ready = block.timestamp + uint256(c.leadDays) * 1 days;
        uint256 due = (o.due > ready ? o.due : ready) + uint256(terms.paymentLagDays) * 1 days;
        if (longest != 0 && due - block.timestamp > longest * 1 days) return TENOR_TOO_LONG;
        if (c.capacityLeft < o.value) return NO_CAPACITY;
        // the advance can only be lowered below this nominal one
        if (s.exposure[c.account] + (o.value * advanceBps) / BPS > l.exposureCap) return EXPOSURE_CAP;
        pick.account = c.account;
        pick.score = c.score;
        pick.leadDays = c.leadDays;
        pick.version = c.termsVersion;
        pick.deliverable = block.timestamp + uint256(c.leadDays) * 1 days <= o.due;
        pick.advanceBps = advanceBps;
        pick.terms = terms;
        return bytes32(0);
    }

    /// @dev Counts the sender's report in the current quorum round of a supplier or a region (a new
    /// round when the last one reached quorum, was of the other kind or its window passed).
    /// The same quorum decides a disruption and a recovery.
    function _vote(
        Round storage round,
        mapping(uint32 round => mapping(address oracle => bool)) storage reported,
        IFinancingPolicy.Policy memory p,
        bool recovery
    ) private returns (uint256 reports, bool reached) {
        if (round.reports == 0 || round.recovery != recovery || block.timestamp > round.startedAt + p.quorumWindow) {
            round.number += 1;
            round.startedAt = uint64(block.timestamp);
            round.reports = 0;
            round.recovery = recovery;
        }
        // 0 reports: this oracle already reported in this round (the caller names the error)
        if (reported[round.number][msg.sender]) return (0, false);
        reported[round.number][msg.sender] = true;
        reports = ++round.reports;
        reached = reports >= p.quorum;
        if (reached) round.reports = 0;
    }
}
