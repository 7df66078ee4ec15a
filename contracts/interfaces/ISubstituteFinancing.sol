// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Substitute financing: purchase orders, policy, disruption trigger, settlement, default
/// @notice A project's purchase orders are reserved in the fund ledger. An order at or above
/// the project's dual-control threshold waits for the reviewer's approval. When oracles report
/// a supplier cut off, each of its open orders moves, in the same transaction, to the best
/// pre-qualified substitute, which is paid an advance from the pool. The current supplier
/// records delivery, the owner accepts it (or the reviewer rejects it; silence for the
/// acceptance period counts as acceptance), and then anyone may settle: the ledger pays the
/// pool first and the supplier the rest, each under the rules of a direct payment.
interface ISubstituteFinancing {
    /// @notice An order's state.
    /// `Pending` awaits the reviewer's approval; `Delivered` awaits the owner's acceptance (or
    /// the end of the acceptance period); `Accepted` may be settled by anyone.
    enum OrderStatus {
        None,
        Pending,
        Open,
        Financed,
        Delivered,
        Accepted,
        Settled,
        Cancelled,
        ClosedUndelivered
    }

    /// @notice A facility's state.
    enum FacilityStatus {
        None,
        Active,
        Repaid
    }

    /// @notice A purchase order of a project. Fields are ordered to share storage slots: the
    /// trigger rewrites supplier, status and facility with one store. `acceptBy` is set when
    /// delivery is recorded: from then on, silence counts as acceptance.
    struct Order {
        bytes32 project;
        bytes32 part;
        bytes32 category;
        bytes32 po;
        uint256 value;
        address supplier;
        OrderStatus status;
        uint64 facility;
        address originalSupplier;
        uint64 due;
        uint32 milestone;
        uint64 acceptBy;
    }

    /// @notice An advance to a substitute against an order, with the terms it was opened under
    /// and the life-cycle stage of the order's milestone then (0 research, 1 pilot,
    /// 2 industrialisation, 3 market; four storage slots). Interest runs from `openedAt` until repaid, never past `stop`
    /// (`due` rounded up to a UTC midnight, plus the grace period then in force).
    struct Facility {
        address substitute;
        uint64 due;
        uint16 rateBps;
        FacilityStatus status;
        uint64 order;
        uint64 openedAt;
        uint64 episode;
        uint64 stop;
        uint32 termsVersion;
        uint8 stage;
        uint256 principal;
    }

    /// @notice A regional shock: the region, what its disruptions may draw in all (`cap`,
    /// fixed when it is reported, and never more than the policy's share of the pool's
    /// assets at the time of an advance) and have drawn, how far its member list has been
    /// walked (`cursor` of the `size` members listed at quorum, and the position reached in
    /// the current member's open orders), and whether it is still in force (until the
    /// oracles report the region recovered).
    struct Shock {
        bytes32 region;
        uint128 cap;
        uint128 drawn;
        uint64 cursor;
        bool inForce;
        uint64 size;
        uint64 position;
    }

    /// @notice Emitted when a project owner registers purchase order `po` (its value is
    /// reserved). `pending` is true when it waits for the reviewer's approval.
    event OrderRegistered(
        uint256 indexed order,
        bytes32 indexed project,
        bytes32 part,
        address indexed supplier,
        uint256 value,
        bytes32 category,
        uint256 milestone,
        uint256 due,
        bytes32 po,
        bool pending
    );
    /// @notice Emitted when the reviewer approves a pending order.
    event OrderApproved(uint256 indexed order, bytes32 indexed project, address reviewer);
    /// @notice Emitted when a pending or open order is cancelled (its reservation released).
    event OrderCancelled(uint256 indexed order, bytes32 indexed project);
    /// @notice Emitted when the order's current supplier records delivery; silence until
    /// `acceptBy` counts as acceptance.
    event DeliveryRecorded(uint256 indexed order, address indexed supplier, bytes32 evidence, uint256 acceptBy);
    /// @notice Emitted when the project's owner accepts a recorded delivery.
    event DeliveryAccepted(uint256 indexed order, address owner);
    /// @notice Emitted when the reviewer rejects a recorded delivery: the order is back where
    /// it was (Open or Financed).
    event DeliveryRejected(uint256 indexed order, address reviewer, bytes32 evidence);
    /// @notice Emitted by each oracle report about `supplier`.
    event DisruptionReported(address indexed supplier, address indexed oracle, bytes32 reason, bytes32 evidence, uint256 reports, uint256 quorum);
    /// @notice Emitted when a quorum is reached: `supplier` is Disrupted; `episode` numbers the
    /// report and `windowRoom` is what advances against its disruptions may still draw in the
    /// rolling window now.
    /// `shock` is the regional shock that disrupted it (0: a report about it alone).
    event SupplierDisrupted(address indexed supplier, uint256 indexed episode, uint256 windowRoom, uint256 shock);
    /// @notice Emitted by each oracle report of a shock to `region`, with the reports so far
    /// in the current quorum round and the quorum.
    event RegionalShockReported(
        bytes32 indexed region, address oracle, bytes32 reason, bytes32 evidence, uint256 reports, uint256 quorum
    );
    /// @notice Emitted when a regional shock reaches quorum: shock `shock` is in force in
    /// `region`, its disruptions may draw `cap` from the pool in all, and its walk covers the
    /// region's first `members` entries (those listed now).
    event RegionalShock(bytes32 indexed region, uint256 indexed shock, uint256 cap, uint256 members);
    /// @notice Emitted after each batch of a regional shock: `looked` members were looked at
    /// in this call, `cursor` of the region's `members` entries have been walked.
    event RegionalShockProcessed(
        bytes32 indexed region, uint256 indexed shock, uint256 looked, uint256 cursor, uint256 members
    );
    /// @notice Emitted by each oracle report that `region` recovered; at quorum `ended` is
    /// true and the shock is no longer in force (each supplier recovers by its own report).
    event RegionRecovered(
        bytes32 indexed region, uint256 indexed shock, address oracle, uint256 reports, uint256 quorum, bool ended
    );
    /// @notice Emitted by each oracle report that `supplier` recovered; at quorum (the same as
    /// for a disruption) `recovered` is true and the supplier is Active again.
    event SupplierRecovered(address indexed supplier, address oracle, uint256 reports, uint256 quorum, bool recovered);
    /// @notice Tokens moved from the pool (`from`) to substitute `to` as an advance on `order`,
    /// at `rateBps` a year, due `due`, interest stopping at `stop`. `lowered` is true when the
    /// advance was lowered from the policy's share so that what the facility owes at `stop`
    /// fits in the order's reservation.
    event SubstituteFinanced(
        uint256 indexed order,
        uint256 indexed facility,
        bytes32 indexed project,
        address from,
        address to,
        uint256 amount,
        address previousSupplier,
        uint256 rateBps,
        uint256 due,
        uint256 episode,
        uint256 stop,
        bool lowered
    );
    /// @notice The inputs of facility `facility`'s terms: the terms version its substitute
    /// accepted, the stage of the order's milestone whose shares applied, its score and the
    /// share of the order advanced for it, the lead time it quoted, the version's payment lag
    /// and grace, and whether it could deliver by the order's due date (the first ranking key).
    event FacilityTerms(
        uint256 indexed facility,
        uint256 termsVersion,
        uint256 stage,
        uint256 score,
        uint256 advanceBps,
        uint256 leadDays,
        uint256 paymentLagDays,
        uint256 graceDays,
        bool deliverable
    );
    /// @notice A candidate for `order` was not chosen, and why (NOT_ACTIVE, LOW_SCORE,
    /// TERMS_CHANGED, TENOR_TOO_LONG, NO_CAPACITY, EXPOSURE_CAP, LATER_DELIVERY, LOWER_SCORE).
    /// TENOR_TOO_LONG: the facility would fall due later after opening than the policy allows
    /// for the stage of the order's milestone. SAME_REGION: the candidate's region is under a
    /// regional shock in force. SHARED_UPSTREAM: the candidate declared as an upstream input
    /// a part the cut-off supplier makes.
    event SubstitutePassedOver(uint256 indexed order, address indexed candidate, bytes32 reason);
    /// @notice No advance for `order` this time (PROJECT_OPTED_OUT, ORDER_NOT_APPROVED, MILESTONE_NOT_APPROVED,
    /// NO_SUBSTITUTE, TOO_SMALL, NO_CASH, PROJECT_CAP, WINDOW_CAP, SHOCK_CAP); it stays open for a later
    /// `processDisruption`.
    event SubstituteUnavailable(uint256 indexed order, address indexed supplier, bytes32 reason);
    /// @notice Emitted after each batch of a disruption: orders handled and still waiting.
    event DisruptionProcessed(address indexed supplier, uint256 handled, uint256 waiting);
    /// @notice Tokens moved from `from` (a payer outside the ledger) to the pool (`to`)
    /// repaying `facility`.
    event FacilityRepaid(uint256 indexed facility, address from, address to, uint256 amount, uint256 interest, uint256 principal, bool closed);
    /// @notice Order `order` settled: of its reservation, the ledger paid `toPool` to the pool
    /// and `toSupplier` to `supplier` in this transaction (each leg is the ledger's
    /// `FundsDisbursed`; this event records the split, it moves nothing itself).
    event OrderSettled(uint256 indexed order, bytes32 indexed project, address indexed supplier, uint256 toSupplier, uint256 toPool, bytes32 po);
    /// @notice The pool was repaid from the order's reservation, but `amount` for `supplier`
    /// stays reserved under the order because the supplier is not an eligible payee now; a
    /// later `settleOrder` pays it.
    event SettlementHeld(uint256 indexed order, address indexed supplier, uint256 amount);
    /// @notice The pool was repaid `amount` from order `order`'s reservation before settlement
    /// (its facility's due date came, or its substitute is no longer Active). The money is the
    /// ledger's `FundsDisbursed` to the pool in this transaction.
    event PoolRepaidFromReservation(uint256 indexed order, uint256 indexed facility, uint256 amount);
    /// @notice A financed order ended without accepted delivery: the pool was repaid from the
    /// reservation, the rest returned to the project, and `recovery` (what the pool took) is
    /// recorded in the ledger as owed by `substitute`, who keeps only its advance.
    event OrderClosedUndelivered(uint256 indexed order, address indexed substitute, uint256 recovery, uint256 returned);

    /// @notice Thrown when `account` is not the owner of `project`.
    error FinancingNotProjectOwner(bytes32 project, address account);
    /// @notice Thrown when `supplier` is not Active or not registered for `part`.
    error FinancingSupplierNotEligible(address supplier, bytes32 part);
    /// @notice Thrown when an order's value is zero.
    error FinancingOrderInvalid();
    /// @notice Thrown when an order is registered without a purchase-order reference.
    error FinancingPoRequired();
    /// @notice Thrown when `po` is already the reference of order `order` of `project`
    /// (references stay taken after a cancellation).
    error FinancingDuplicatePo(bytes32 project, bytes32 po, uint256 order);
    /// @notice Thrown when an order's due date is not after now (`earliest` - 1) or after
    /// `latest`, the policy's order horizon from now.
    error FinancingDueOutOfRange(uint256 due, uint256 earliest, uint256 latest);
    /// @notice Thrown when an order does not exist or is not in a state that allows the call.
    error FinancingOrderStatus(uint256 order, OrderStatus status);
    /// @notice Thrown when an order awaits the reviewer's approval and the call needs it approved.
    error FinancingOrderPending(uint256 order);
    /// @notice Thrown when `account` lacks the ledger's reviewer role.
    error FinancingNotReviewer(address account);
    /// @notice Thrown when `account` is not the order's current supplier.
    error FinancingNotOrderSupplier(uint256 order, address account);
    /// @notice Thrown when a Suspended supplier records delivery: its claim starts no
    /// acceptance clock (the owner may cancel the order instead).
    error FinancingSupplierSuspended(uint256 order, address supplier);
    /// @notice Thrown when a delivery is rejected after its acceptance period ended (it is
    /// accepted by then).
    error FinancingAcceptancePeriodOver(uint256 order, uint256 acceptBy);
    /// @notice Thrown when a delivered order is settled before the owner accepted it and
    /// before its acceptance period ended.
    error FinancingDeliveryNotAccepted(uint256 order, uint256 acceptBy);
    /// @notice Thrown when settlement can pay nothing because the order's supplier is not an
    /// eligible payee now; the money stays reserved.
    error FinancingPayeeNotEligible(uint256 order, address supplier);
    /// @notice Thrown when a facility does not exist or is not active.
    error FinancingFacilityStatus(uint256 facility, FacilityStatus status);
    /// @notice Thrown when a report concerns a supplier that is already Disrupted, or a
    /// recovery one that is not.
    error FinancingSupplierStatus(address supplier, uint8 status);
    /// @notice Thrown when the same oracle reports twice within one quorum window.
    error FinancingAlreadyReported(address supplier, address oracle);
    /// @notice Thrown when the same oracle reports about `region` twice within one quorum window.
    error FinancingAlreadyReportedRegion(bytes32 region, address oracle);
    /// @notice Thrown when a shock is reported for a region already under shock `shock`.
    error FinancingShockInForce(bytes32 region, uint256 shock);
    /// @notice Thrown when a shock is processed or a region's recovery reported with no shock
    /// in force there.
    error FinancingNoShock(bytes32 region);
    /// @notice Thrown when a region is the zero code.
    error FinancingRegionInvalid();
    /// @notice Thrown when an order is closed as undelivered before its facility's grace
    /// period ends (`until`).
    error FinancingGraceNotOver(uint256 facility, uint256 until);
    /// @notice Thrown when a facility is collected before its due date (`due`) while its
    /// substitute is still Active.
    error FinancingNotCollectable(uint256 facility, uint256 due);
    /// @notice Thrown when a repayment amount is zero.
    error FinancingZeroAmount();
    /// @notice The pool's or the ledger's books for order `order` (its facility, reservation
    /// or set-off) differ from this contract's: nothing moves. Never expected; a guard.
    error FinancingBooksDisagree(uint256 order);

    /// @notice Registers purchase order `po` of `project` with `supplier` and reserves its
    /// value in the ledger (balance, budget line, milestone tranche). At or above the
    /// project's dual-control threshold the order is `Pending` until the reviewer approves it.
    /// @dev Caller: the project's owner. `po` is required and unique within the project; the
    /// due date lies after now and at most the policy's order horizon ahead; the supplier must
    /// be Active, registered for `part` and have the capacity. Emits `OrderRegistered` (and
    /// the ledger's `FundsReserved`).
    function registerOrder(
        bytes32 project,
        bytes32 part,
        address supplier,
        uint256 value,
        bytes32 category,
        uint256 milestone,
        uint64 due,
        bytes32 po
    ) external returns (uint256 order);

    /// @notice Approves a pending order: it may then be financed, delivered and settled.
    /// The approval covers whichever substitute the trigger later picks under the policy.
    /// @dev Caller: the ledger's reviewer role. Emits `OrderApproved`.
    function approveOrder(uint256 order) external;

    /// @notice Cancels a pending or open order; releases its reservation and capacity.
    /// @dev Caller: the project's owner. Emits `OrderCancelled`.
    function cancelOrder(uint256 order) external;

    /// @notice Records delivery of an open or financed order with an evidence hash. A
    /// disruption no longer moves the order.
    /// @dev Caller: the order's current supplier, unless it is Suspended. Emits
    /// `DeliveryRecorded`.
    function recordDelivery(uint256 order, bytes32 evidence) external;

    /// @notice Accepts a recorded delivery; the order may then be settled by anyone.
    /// @dev Caller: the project's owner. Emits `DeliveryAccepted`.
    function acceptDelivery(uint256 order) external;

    /// @notice Rejects a recorded delivery within its acceptance period: the order is back
    /// to Open (or Financed). The owner alone cannot reject: the party that pays does not
    /// judge alone.
    /// @dev Caller: the ledger's reviewer role. Emits `DeliveryRejected`.
    function rejectDelivery(uint256 order, bytes32 evidence) external;

    /// @notice Reports `supplier` cut off. At quorum it is marked Disrupted and its open
    /// orders are financed, up to `maxPerCall`, in this same transaction.
    /// @dev Caller: oracle role. Emits `DisruptionReported`, and at quorum
    /// `SupplierDisrupted`, then per order `SubstituteFinanced` or `SubstituteUnavailable`.
    function reportDisruption(address supplier, bytes32 reason, bytes32 evidence) external;

    /// @notice Continues financing the open orders of a Disrupted supplier.
    /// @dev Caller: anyone. Emits as `reportDisruption` does after quorum.
    function processDisruption(address supplier) external;

    /// @notice Reports a Disrupted supplier recovered; at the same oracle quorum as a report it
    /// is Active again.
    /// @dev Caller: oracle role, once per oracle per quorum window. Emits `SupplierRecovered`.
    function reportRecovery(address supplier) external;

    /// @notice Settles an order whose delivery was accepted (or not rejected within the
    /// acceptance period) from its reservation: the ledger pays the pool what the facility
    /// owes first, then the order's supplier the rest, under the rules of a direct payment.
    /// If the supplier is not an eligible payee now, its part stays reserved and a later call
    /// pays it.
    /// @dev Caller: anyone. Emits the ledger's `FundsDisbursed` per leg, the pool's
    /// `FacilityCollected` (if financed), then `OrderSettled`, or `SettlementHeld` when the
    /// supplier's part is held.
    function settleOrder(uint256 order) external;

    /// @notice Repays up to `amount` of `facility` from the caller (after approving); a
    /// substitute may repay early.
    /// @dev Caller: anyone. Emits `FacilityRepaid`.
    function repay(uint256 facility, uint256 amount) external;

    /// @notice Repays the pool what `facility` owes now from its order's reservation,
    /// delivered or not: from the facility's due date, or at once when its substitute is
    /// Disrupted or Suspended. Works while the ledger is paused.
    /// @dev Caller: anyone. Emits the ledger's `FundsDisbursed` (to the pool), the pool's
    /// `FacilityCollected` and `PoolRepaidFromReservation`.
    function collectFacility(uint256 facility) external;

    /// @notice Ends a financed order with no accepted delivery once its facility's grace
    /// period is over: the pool is repaid from the reservation (if not yet), the rest is
    /// returned to the project, and what the pool took is recorded as a recovery owed by the
    /// substitute. The registrar, notified by the event, decides on suspension.
    /// @dev Caller: the ledger's reviewer role. Emits `OrderClosedUndelivered`, the ledger's
    /// `ReservationReleased` and `RecoveryRecorded`.
    function closeUndelivered(uint256 order) external;

    /// @notice One order.
    function order(uint256 order) external view returns (Order memory);

    /// @notice One facility.
    function facility(uint256 facility) external view returns (Facility memory);

    /// @notice The open, unfinanced orders of `supplier` (the trigger's work list).
    function openOrders(address supplier) external view returns (uint256[] memory);

    /// @notice Outstanding principal advanced to `supplier` as a substitute.
    function exposure(address supplier) external view returns (uint256);

    /// @notice Outstanding principal advanced on `project`'s orders.
    function projectExposure(bytes32 project) external view returns (uint256);

    /// @notice Number of orders and of facilities ever created.
    function counts() external view returns (uint256 orders, uint256 facilities);

    /// @notice Counts an oracle's report of a shock to `region`; at quorum the shock is in
    /// force: the region's Active suppliers are marked Disrupted, each with its own episode,
    /// and their open orders financed, walking the region's members in order. One call looks
    /// at `maxPerCall` members and orders in all; `processRegionalShock` continues. While the
    /// shock is in force no substitute of the region is chosen (SAME_REGION), and the
    /// advances against its disruptions draw on its own cap (SHOCK_CAP) as well as on each
    /// supplier's rolling window.
    /// @dev Caller: oracle role, once per oracle per quorum window. Emits
    /// `RegionalShockReported`; at quorum `RegionalShock` and as `processRegionalShock`.
    function reportRegionalShock(bytes32 region, bytes32 reason, bytes32 evidence) external;

    /// @notice Continues a shock in force in `region` from where the last call stopped.
    /// @dev Caller: anyone. Emits `SupplierDisrupted` per member marked, the trigger's events
    /// per order, `DisruptionProcessed` per member whose orders were looked at, and
    /// `RegionalShockProcessed`.
    function processRegionalShock(bytes32 region) external;

    /// @notice Counts an oracle's report that `region` recovered; at quorum the shock is no
    /// longer in force. Its suppliers stay Disrupted until each is reported recovered.
    /// @dev Caller: oracle role. Emits `RegionRecovered`.
    function reportRegionRecovery(bytes32 region) external;

    /// @notice Regional shock `id` (from 1).
    function shock(uint256 id) external view returns (Shock memory);

    /// @notice The latest shock of `region` (0: none).
    function regionShock(bytes32 region) external view returns (uint256);

    /// @notice The regional shock that disrupted `supplier` (0: none, or it recovered since).
    function shockOf(address supplier) external view returns (uint256);
}
