// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Substitute financing: orders, policy, disruption trigger, settlement, default
/// @notice A project's supply orders are reserved in the fund ledger. When oracles report a
/// supplier cut off, each of its open orders moves, in the same transaction, to the best
/// pre-qualified substitute, which is paid an advance from the pool; settlement pays the
/// pool first and the substitute the rest.
interface ISubstituteFinancing {
    /// @notice An order's state.
    enum OrderStatus {
        None,
        Open,
        Financed,
        Settled,
        Cancelled
    }

    /// @notice A facility's state.
    enum FacilityStatus {
        None,
        Active,
        Repaid,
        Defaulted
    }

    /// @notice Financing policy. Rates and shares in basis points; `bandFloors` are credit
    /// scores in descending order and `bandSpreads` the spread over `baseRateBps` for each.
    struct Policy {
        uint16 advanceBps;
        uint16 baseRateBps;
        uint16[3] bandFloors;
        uint16[3] bandSpreads;
        uint16 minScore;
        uint16 graceDays;
        uint16 exposureCapBps;
        uint16 reportCapBps;
        uint8 quorum;
        uint32 quorumWindow;
        uint16 maxPerCall;
    }

    /// @notice A supply order of a project. Fields are ordered to share storage slots: the
    /// trigger rewrites supplier, status and facility with one store.
    struct Order {
        bytes32 project;
        bytes32 part;
        bytes32 category;
        uint256 value;
        address supplier;
        OrderStatus status;
        uint64 facility;
        address originalSupplier;
        uint64 due;
        uint32 milestone;
    }

    /// @notice An advance to a substitute against an order (three storage slots).
    struct Facility {
        address substitute;
        uint64 due;
        uint16 rateBps;
        FacilityStatus status;
        uint64 order;
        uint64 openedAt;
        uint64 episode;
        uint256 principal;
    }

    /// @notice Emitted when the admin changes the policy.
    event PolicyUpdated(Policy policy);
    /// @notice Emitted when a project owner registers an order (its value is reserved).
    event OrderRegistered(
        uint256 indexed order,
        bytes32 indexed project,
        bytes32 part,
        address indexed supplier,
        uint256 value,
        bytes32 category,
        uint256 milestone,
        uint256 due
    );
    /// @notice Emitted when an unfinanced order is cancelled (its reservation released).
    event OrderCancelled(uint256 indexed order, bytes32 indexed project);
    /// @notice Emitted by each oracle report about `supplier`.
    event DisruptionReported(address indexed supplier, address indexed oracle, bytes32 reason, bytes32 evidence, uint256 reports, uint256 quorum);
    /// @notice Emitted when a quorum is reached: `supplier` is Disrupted; `episode` numbers the
    /// report and `cap` bounds what it may advance in all.
    event SupplierDisrupted(address indexed supplier, uint256 indexed episode, uint256 cap);
    /// @notice Emitted when an oracle reports `supplier` recovered (Active again).
    event SupplierRecovered(address indexed supplier, address oracle);
    /// @notice Tokens moved from the pool (`from`) to substitute `to` as an advance on `order`.
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
        uint256 episode
    );
    /// @notice A candidate for `order` was not chosen, and why (NOT_ACTIVE, LOW_SCORE,
    /// NO_CAPACITY, EXPOSURE_CAP, LOWER_SCORE).
    event SubstitutePassedOver(uint256 indexed order, address indexed candidate, bytes32 reason);
    /// @notice No advance for `order` this time (NO_SUBSTITUTE, NO_CASH, REPORT_CAP); it stays
    /// open for a later `processDisruption`.
    event SubstituteUnavailable(uint256 indexed order, address indexed supplier, bytes32 reason);
    /// @notice Emitted after each batch of a disruption: orders handled and still waiting.
    event DisruptionProcessed(address indexed supplier, uint256 handled, uint256 waiting);
    /// @notice Tokens moved from `from` to the pool (`to`) repaying `facility`.
    event FacilityRepaid(uint256 indexed facility, address from, address to, uint256 amount, uint256 interest, uint256 principal, bool closed);
    /// @notice Tokens moved from this contract (`from`) to the order's supplier (`to`): the
    /// settlement's remainder after the pool's share. `ref` links the ledger payment.
    event OrderSettled(uint256 indexed order, bytes32 indexed project, address from, address to, uint256 amount, uint256 toPool, bytes32 ref);
    /// @notice A facility past its grace period was marked defaulted: `loss` is final.
    event FacilityDefaulted(uint256 indexed facility, address indexed substitute, uint256 loss);

    /// @notice Thrown when `account` is not the owner of `project`.
    error FinancingNotProjectOwner(bytes32 project, address account);
    /// @notice Thrown when `supplier` is not Active or not registered for `part`.
    error FinancingSupplierNotEligible(address supplier, bytes32 part);
    /// @notice Thrown when an order's value is zero or its due date not in the future.
    error FinancingOrderInvalid();
    /// @notice Thrown when an order does not exist or is not in a state that allows the call.
    error FinancingOrderStatus(uint256 order, OrderStatus status);
    /// @notice Thrown when a facility does not exist or is not active.
    error FinancingFacilityStatus(uint256 facility, FacilityStatus status);
    /// @notice Thrown when a report concerns a supplier that is already Disrupted, or a
    /// recovery one that is not.
    error FinancingSupplierStatus(address supplier, uint8 status);
    /// @notice Thrown when the same oracle reports twice within one quorum window.
    error FinancingAlreadyReported(address supplier, address oracle);
    /// @notice Thrown when a facility is marked defaulted before its grace period ends.
    error FinancingGraceNotOver(uint256 facility, uint256 until);
    /// @notice Thrown when a policy value is out of range.
    error FinancingPolicyInvalid(bytes32 field);
    /// @notice Thrown when a repayment amount is zero.
    error FinancingZeroAmount();

    /// @notice Registers an order of `project` with `supplier` and reserves its value in the
    /// ledger (balance, budget line, milestone tranche).
    /// @dev Caller: the project's owner. The supplier must be Active, registered for `part`
    /// and have the capacity. Emits `OrderRegistered` (and the ledger's `FundsReserved`).
    function registerOrder(
        bytes32 project,
        bytes32 part,
        address supplier,
        uint256 value,
        bytes32 category,
        uint256 milestone,
        uint64 due
    ) external returns (uint256 order);

    /// @notice Cancels an order not yet financed; releases its reservation and capacity.
    /// @dev Caller: the project's owner. Emits `OrderCancelled`.
    function cancelOrder(uint256 order) external;

    /// @notice Reports `supplier` cut off. At quorum it is marked Disrupted and its open
    /// orders are financed, up to `maxPerCall`, in this same transaction.
    /// @dev Caller: oracle role. Emits `DisruptionReported`, and at quorum
    /// `SupplierDisrupted`, then per order `SubstituteFinanced` or `SubstituteUnavailable`.
    function reportDisruption(address supplier, bytes32 reason, bytes32 evidence) external;

    /// @notice Continues financing the open orders of a Disrupted supplier.
    /// @dev Caller: anyone. Emits as `reportDisruption` does after quorum.
    function processDisruption(address supplier) external;

    /// @notice Reports a Disrupted supplier recovered: it is Active again.
    /// @dev Caller: oracle role. Emits `SupplierRecovered`.
    function reportRecovery(address supplier) external;

    /// @notice Settles a delivered order from its reservation: the pool takes what the
    /// facility owes first, the order's supplier the rest.
    /// @dev Caller: the project's owner. Emits `FacilityRepaid` (if financed) and `OrderSettled`.
    function settleOrder(uint256 order) external;

    /// @notice Repays up to `amount` of `facility` from the caller (after approving).
    /// @dev Caller: anyone. Emits `FacilityRepaid`.
    function repay(uint256 facility, uint256 amount) external;

    /// @notice Marks a facility past due + grace defaulted: the loss is final and the
    /// substitute is Suspended.
    /// @dev Caller: anyone. Emits `FacilityDefaulted`.
    function markDefault(uint256 facility) external;

    /// @notice Replaces the policy.
    /// @dev Caller: admin. Emits `PolicyUpdated`.
    function setPolicy(Policy calldata policy) external;

    /// @notice The current policy.
    function policy() external view returns (Policy memory);

    /// @notice One order.
    function order(uint256 order) external view returns (Order memory);

    /// @notice One facility.
    function facility(uint256 facility) external view returns (Facility memory);

    /// @notice The open, unfinanced orders of `supplier` (the trigger's work list).
    function openOrders(address supplier) external view returns (uint256[] memory);

    /// @notice Outstanding principal advanced to `supplier` as a substitute.
    function exposure(address supplier) external view returns (uint256);

    /// @notice Number of orders and of facilities ever created.
    function counts() external view returns (uint256 orders, uint256 facilities);

    /// @notice The annual rate, in basis points, for a credit score (0 if not eligible).
    function rateFor(uint16 score) external view returns (uint256);
}
