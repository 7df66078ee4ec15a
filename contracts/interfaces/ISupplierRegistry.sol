// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Supplier registry
/// @notice Who may be paid for R&D work and who may stand in for a disrupted supplier: each
/// supplier's parts, capacity, credit score and status, and per part a bounded, ordered list
/// of substitutes that joined by their own transaction.
interface ISupplierRegistry {
    /// @notice A supplier's standing. `None` means not registered.
    enum Status {
        None,
        Active,
        Disrupted,
        Suspended
    }

    /// @notice One registered supplier.
    /// @param name Short display name.
    /// @param capacity Total value of open orders the supplier can carry.
    /// @param committed Value of open orders currently assigned to the supplier.
    /// @param score Credit score, 0 to 1000.
    /// @param status Current status.
    /// @param registeredAt Timestamp of registration.
    struct Supplier {
        bytes32 name;
        uint256 capacity;
        uint256 committed;
        uint16 score;
        Status status;
        uint64 registeredAt;
    }

    /// @notice A substitute's standing offer for one part: the lead time it quoted, the
    /// terms version it accepted and when it last confirmed them.
    struct Qualification {
        uint16 leadDays;
        uint32 termsVersion;
        uint64 confirmedAt;
    }

    /// @notice One entry of a part's substitute list with what the trigger needs to rank it.
    struct Candidate {
        address account;
        Status status;
        uint16 score;
        uint16 leadDays;
        uint32 termsVersion;
        uint256 capacityLeft;
        bytes32 region;
        uint256 inputs;
    }

    /// @notice Emitted when `supplier` is registered with its parts and capacity.
    event SupplierRegistered(address indexed supplier, bytes32 name, bytes32[] parts, uint256 capacity);

    /// @notice Emitted when a rater changes `supplier`'s credit score.
    event SupplierRated(address indexed supplier, uint16 previousScore, uint16 score);

    /// @notice Emitted when a rater records an off-chain fact about `supplier`: `indicator`
    /// (a bytes32 code such as "TAX_GRADE"), its whole-number `value`, the hash of the source
    /// document it was read from, and the date (`asOf`, unix seconds) the fact held on.
    event SupplierAttested(
        address indexed supplier, bytes32 indexed indicator, uint256 value, bytes32 source, uint64 asOf, address rater
    );

    /// @notice Emitted when a rater publishes a model score: `score` was computed by scoring
    /// model `modelVersion` from `supplier`'s history as the events recorded it up to block
    /// `asOfBlock` (and before this event), whose canonical form hashes to `inputs`. The
    /// audit recomputes it.
    event ScorePublished(
        address indexed supplier, uint16 score, uint32 modelVersion, bytes32 inputs, uint64 asOfBlock, address rater
    );

    /// @notice Emitted when the registrar sets `supplier`'s region (`region` zero: none).
    event SupplierRegionSet(address indexed supplier, bytes32 previous, bytes32 region, address by);

    /// @notice Emitted when the registrar records the upstream inputs (part codes) `supplier`
    /// sources; the list replaces the one before.
    event SupplierInputsDeclared(address indexed supplier, bytes32[] inputs, address by);

    /// @notice Emitted when `supplier`'s status changes.
    event SupplierStatusChanged(address indexed supplier, Status previous, Status current);

    /// @notice Emitted when `supplier` opts in (or re-confirms) as a substitute for `part` at
    /// `position` (from 0), quoting `leadDays` and accepting terms version `termsVersion`.
    event SubstituteQualified(
        bytes32 indexed part, address indexed supplier, uint256 position, uint256 leadDays, uint256 termsVersion
    );

    /// @notice Emitted when `supplier` is taken off `part`'s list by `by`: the registrar
    /// (`reason` "UNQUALIFIED") or its own suspension (`reason` "SUSPENDED").
    event SubstituteRemoved(bytes32 indexed part, address indexed supplier, bytes32 reason, address by);

    /// @notice Emitted when the registrar lets `supplier` opt in for `part` again.
    event SubstituteReadmitted(bytes32 indexed part, address indexed supplier, address by);

    /// @notice Emitted when `amount` of `supplier`'s capacity is committed to order `ref`;
    /// `committed` is the total after it.
    event CapacityCommitted(address indexed supplier, uint256 indexed ref, uint256 amount, uint256 committed);

    /// @notice Emitted when `amount` of `supplier`'s capacity is released from order `ref`.
    event CapacityReleased(address indexed supplier, uint256 indexed ref, uint256 amount, uint256 committed);

    /// @notice Emitted when `supplier` leaves the substitute list of `part`.
    event SubstituteWithdrawn(bytes32 indexed part, address indexed supplier);

    /// @notice Thrown when an opt-in names terms version `named` but `current` is in force.
    error RegistryTermsNotCurrent(uint256 named, uint256 current);

    /// @notice Thrown when the registrar readmits a supplier it never barred from `part`.
    error RegistryNotBarred(address supplier, bytes32 part);

    /// @notice Thrown when `supplier` opts in for `part` after the registrar removed it.
    error RegistrySubstituteBarred(address supplier, bytes32 part);

    /// @notice Thrown when a quoted lead time is not 1 to `max` days.
    error RegistryLeadTimeOutOfRange(uint256 leadDays, uint256 max);

    /// @notice Thrown when registering the zero address.
    error RegistryZeroAddress();
    /// @notice Thrown when an attestation has no indicator or no source, or is dated after now.
    error RegistryAttestationInvalid(bytes32 indicator, bytes32 source, uint256 asOf);
    /// @notice Thrown when a published score names no model, no inputs, or a block after this one.
    error RegistryScoreInputsInvalid(uint256 modelVersion, bytes32 inputs, uint256 asOfBlock);

    /// @notice Thrown when registering an address that is already registered.
    error RegistrySupplierExists(address supplier);

    /// @notice Thrown when an address that is not registered is used as a supplier.
    error RegistrySupplierUnknown(address supplier);

    /// @notice Thrown when a declaration lists more than `max` upstream inputs.
    error RegistryInputCountInvalid(uint256 count, uint256 max);

    /// @notice Thrown when a registration names no part, or more than `max` parts.
    error RegistryPartCountInvalid(uint256 count, uint256 max);

    /// @notice Thrown when a name or part code is empty.
    error RegistryEmptyIdentifier();

    /// @notice Thrown when a registration lists `part` twice.
    error RegistryDuplicatePart(bytes32 part);

    /// @notice Thrown when a credit score above 1000 is given.
    error RegistryScoreOutOfRange(uint256 score);

    /// @notice Thrown when a status change is asked of a supplier whose status does not allow it.
    error RegistryStatusInvalid(address supplier, Status current);

    /// @notice Thrown when an order would take `supplier` past its capacity.
    error RegistryCapacityExceeded(address supplier, uint256 available, uint256 requested);

    /// @notice Thrown when a supplier opts in for a part it is not registered for.
    error RegistryPartNotSupplied(address supplier, bytes32 part);

    /// @notice Thrown when a supplier leaves a list it is not on.
    error RegistryNotQualified(address supplier, bytes32 part);

    /// @notice Thrown when the substitute list of `part` already holds `max` suppliers.
    error RegistrySubstituteListFull(bytes32 part, uint256 max);

    /// @notice Registers `supplier` as Active with score 0.
    /// @dev Caller: registrar role. Requires a new non-zero address, a non-empty name and 1 to
    /// 16 distinct non-empty part codes. Emits `SupplierRegistered` and `SupplierStatusChanged`.
    function register(address supplier, bytes32 name, bytes32[] calldata parts, uint256 capacity) external;

    /// @notice Sets `supplier`'s credit score (0 to 1000).
    /// @dev Caller: rater role. Requires a registered supplier. Emits `SupplierRated`.
    function rate(address supplier, uint16 score) external;

    /// @notice Records an off-chain fact about `supplier` for its credit profile (no storage:
    /// the profile is read from the events).
    /// @dev Caller: rater role. Requires a registered supplier, a non-zero indicator and
    /// source, and `asOf` not after now. Emits `SupplierAttested`.
    function attest(address supplier, bytes32 indicator, uint256 value, bytes32 source, uint64 asOf) external;

    /// @notice Sets `supplier`'s score to one computed by a published scoring model, with what
    /// the audit needs to recompute it: the model version, the hash of its inputs and the
    /// block its inputs were read at.
    /// @dev Caller: rater role. Requires a registered supplier, a score of 0 to 1000, a
    /// non-zero model version and inputs hash, and `asOfBlock` not after the current block
    /// (the audit counts only events before the publication).
    /// Emits `SupplierRated` and `ScorePublished`.
    function publishScore(address supplier, uint16 score, uint32 modelVersion, bytes32 inputs, uint64 asOfBlock)
        external;

    /// @notice Suspends an Active or Disrupted supplier: it can no longer be paid, and it
    /// leaves every substitute list it was on (reinstated, it must opt in again).
    /// @dev Caller: registrar role. Emits `SupplierStatusChanged` and a `SubstituteRemoved`
    /// per list.
    function suspend(address supplier) external;

    /// @notice Returns a Suspended supplier to Active.
    /// @dev Caller: registrar role. Emits `SupplierStatusChanged`.
    function reinstate(address supplier) external;

    /// @notice Marks an Active supplier Disrupted (cut off: it can no longer be paid).
    /// @dev Caller: trigger role (the disruption trigger). Emits `SupplierStatusChanged`.
    function markDisrupted(address supplier) external;

    /// @notice Returns a Disrupted supplier to Active.
    /// @dev Caller: trigger role (on a recovery report). Emits `SupplierStatusChanged`.
    function markRecovered(address supplier) external;

    /// @notice Uses `amount` of `supplier`'s capacity for an order assigned to it.
    /// @dev Caller: trigger role (the order book). Reverts when the capacity is not there.
    function commitCapacity(address supplier, uint256 amount, uint256 ref) external;

    /// @notice Frees `amount` of `supplier`'s capacity (order settled, cancelled or moved).
    /// @dev Caller: trigger role (the order book).
    function releaseCapacity(address supplier, uint256 amount, uint256 ref) external;

    /// @notice Capacity left: capacity less the value of open orders assigned to `supplier`.
    function capacityLeft(address supplier) external view returns (uint256);

    /// @notice The caller joins the end of `part`'s substitute list quoting its lead time:
    /// its standing consent to terms version `termsVersion`, which must be the one in force
    /// (so a terms change mined first makes the opt-in revert instead of binding the
    /// supplier to terms it never saw). Qualifying again re-confirms (new lead time, current
    /// terms) and keeps the list position.
    /// @dev Caller: the supplier itself, Active, registered for `part` and not barred from
    /// it; at most 16 per list; `leadDays` from 1 to the policy's `maxLeadDays`. Emits
    /// `SubstituteQualified`.
    function qualify(bytes32 part, uint16 leadDays, uint32 termsVersion) external;

    /// @notice Takes `substitute` off `part`'s list (the others keep their order) and bars
    /// it from opting in for `part` again until `readmit`.
    /// @dev Caller: registrar role. Emits `SubstituteRemoved`.
    function unqualify(bytes32 part, address substitute) external;

    /// @notice Lifts a registrar's bar: `substitute` may opt in for `part` again.
    /// @dev Caller: registrar role. Emits `SubstituteReadmitted`.
    function readmit(bytes32 part, address substitute) external;

    /// @notice Whether the registrar barred `supplier` from `part`'s list.
    function barred(bytes32 part, address supplier) external view returns (bool);

    /// @notice The caller leaves `part`'s substitute list; the others keep their order.
    /// @dev Caller: a supplier on the list. Emits `SubstituteWithdrawn`.
    function withdrawQualification(bytes32 part) external;

    /// @notice The record of `supplier` (status `None` when not registered).
    function supplier(address supplier) external view returns (Supplier memory);

    /// @notice The part codes `supplier` registered with.
    function partsOf(address supplier) external view returns (bytes32[] memory);

    /// @notice Whether `supplier` is registered for `part`.
    function supplies(address supplier, bytes32 part) external view returns (bool);

    /// @notice `part`'s substitute list, in order.
    function substitutes(bytes32 part) external view returns (address[] memory);

    /// @notice `supplier`'s offer for `part` (zero when not on the list).
    function qualification(bytes32 part, address supplier) external view returns (Qualification memory);

    /// @notice `part`'s substitute list, in order, with status, score, offer, capacity,
    /// region and the number of upstream inputs each declared.
    function candidates(bytes32 part) external view returns (Candidate[] memory);

    /// @notice Sets `supplier`'s region (zero: none; a supplier without a region is never
    /// passed over for its region). The region's member list only grows: a supplier that
    /// leaves stays listed and is skipped (`regionMember` says it is no longer in).
    /// @dev Caller: registrar. Emits `SupplierRegionSet`.
    function setRegion(address supplier, bytes32 region) external;

    /// @notice Records the upstream inputs (part codes, at most `MAX_INPUTS`) `supplier`
    /// sources, replacing the list before (empty: none).
    /// @dev Caller: registrar. Emits `SupplierInputsDeclared`.
    function declareInputs(address supplier, bytes32[] calldata inputs) external;

    /// @notice `supplier`'s region (zero: none).
    function regionOf(address supplier) external view returns (bytes32);

    /// @notice The upstream inputs `supplier` declared.
    function inputsOf(address supplier) external view returns (bytes32[] memory);

    /// @notice Entry `index` of `region`'s member list (in order of joining): the supplier,
    /// whether it is still in the region, and its status (the zero address past the end).
    function regionMember(bytes32 region, uint256 index)
        external
        view
        returns (address member, bool inRegion, Status status);

    /// @notice The length of `region`'s member list (entries of suppliers that left included).
    function regionSize(bytes32 region) external view returns (uint256);

    /// @notice Whether `account` declared as an upstream input a part `supplier` makes.
    /// Reads at most `MAX_INPUTS` entries.
    function sourcesFrom(address account, address supplier) external view returns (bool);

    /// @notice Current status of `supplier`.
    function statusOf(address supplier) external view returns (Status);

    /// @notice Number of suppliers ever registered.
    function supplierCount() external view returns (uint256);

    /// @notice The `index`-th registered supplier (from 0, in order of registration).
    function supplierAt(uint256 index) external view returns (address);
}
