// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IFinancingPolicy} from "./interfaces/IFinancingPolicy.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";

/// @title SupplierRegistry
/// @notice Registered suppliers and, per part, the bounded ordered list of substitutes that
/// opted in. No function loops over all suppliers.
contract SupplierRegistry is AccessControlDefaultAdminRules, ISupplierRegistry {
    /// @notice Role that onboards, suspends and reinstates suppliers.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Role that sets credit scores.
    bytes32 public constant RATER_ROLE = keccak256("RATER_ROLE");
    /// @notice Role of the disruption trigger: marks suppliers Disrupted and recovered.
    bytes32 public constant TRIGGER_ROLE = keccak256("TRIGGER_ROLE");

    /// @notice Most parts one supplier registers with, and most substitutes per part.
    uint256 public constant MAX_PARTS = 16;
    /// @notice Most substitutes on one part's list.
    uint256 public constant MAX_SUBSTITUTES = 16;
    /// @notice Highest credit score.
    uint16 public constant MAX_SCORE = 1000;
    /// @notice Most upstream inputs one supplier declares.
    uint256 public constant MAX_INPUTS = 16;

    mapping(address supplier => Supplier) private _suppliers;
    mapping(address supplier => bytes32[]) private _parts;
    mapping(address supplier => mapping(bytes32 part => bool)) private _supplies;
    mapping(bytes32 part => address[]) private _substitutes;
    mapping(bytes32 part => mapping(address supplier => Qualification)) private _qualified;
    address[] private _all;
    mapping(bytes32 part => mapping(address supplier => bool)) private _barred;
    mapping(address supplier => bytes32) private _regions;
    mapping(bytes32 region => address[]) private _members;
    mapping(address supplier => bytes32[]) private _inputs;

    /// @notice The financing policy whose terms a substitute accepts by opting in.
    IFinancingPolicy public immutable policy;

    /// @param policy_ The financing policy (lead-time limit and terms version).
    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(IFinancingPolicy policy_, uint48 adminDelay, address admin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        policy = policy_;
    }

    /// @inheritdoc ISupplierRegistry
    function register(address account, bytes32 name, bytes32[] calldata parts, uint256 capacity)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (account == address(0)) revert RegistryZeroAddress();
        if (_suppliers[account].status != Status.None) revert RegistrySupplierExists(account);
        if (name == bytes32(0)) revert RegistryEmptyIdentifier();
        if (parts.length == 0 || parts.length > MAX_PARTS) {
            revert RegistryPartCountInvalid(parts.length, MAX_PARTS);
        }
        for (uint256 i = 0; i < parts.length; ++i) {
            bytes32 part = parts[i];
            if (part == bytes32(0)) revert RegistryEmptyIdentifier();
            if (_supplies[account][part]) revert RegistryDuplicatePart(part);
            _supplies[account][part] = true;
            _parts[account].push(part);
        }
        _suppliers[account] = Supplier({
            name: name,
            capacity: capacity,
            committed: 0,
            score: 0,
            status: Status.Active,
            registeredAt: uint64(block.timestamp)
        });
        _all.push(account);
        emit SupplierRegistered(account, name, parts, capacity);
        emit SupplierStatusChanged(account, Status.None, Status.Active);
    }

    /// @inheritdoc ISupplierRegistry
    function rate(address account, uint16 score) external onlyRole(RATER_ROLE) {
        Supplier storage s = _registered(account);
        if (score > MAX_SCORE) revert RegistryScoreOutOfRange(score);
        uint16 previous = s.score;
        s.score = score;
        emit SupplierRated(account, previous, score);
    }

    /// @inheritdoc ISupplierRegistry
    function attest(address account, bytes32 indicator, uint256 value, bytes32 source, uint64 asOf)
        external
        onlyRole(RATER_ROLE)
    {
        _registered(account);
        if (indicator == bytes32(0) || source == bytes32(0) || asOf > block.timestamp) {
            revert RegistryAttestationInvalid(indicator, source, asOf);
        }
        emit SupplierAttested(account, indicator, value, source, asOf, msg.sender);
    }

    /// @inheritdoc ISupplierRegistry
    function publishScore(address account, uint16 score, uint32 modelVersion, bytes32 inputs, uint64 asOfBlock)
        external
        onlyRole(RATER_ROLE)
    {
        Supplier storage s = _registered(account);
        if (score > MAX_SCORE) revert RegistryScoreOutOfRange(score);
        if (modelVersion == 0 || inputs == bytes32(0) || asOfBlock > block.number) {
            revert RegistryScoreInputsInvalid(modelVersion, inputs, asOfBlock);
        }
        uint16 previous = s.score;
        s.score = score;
        emit SupplierRated(account, previous, score);
        emit ScorePublished(account, score, modelVersion, inputs, asOfBlock, msg.sender);
    }

    /// @inheritdoc ISupplierRegistry
    function suspend(address account) external onlyRole(REGISTRAR_ROLE) {
        Status current = _registered(account).status;
        if (current == Status.Suspended) revert RegistryStatusInvalid(account, current);
        _setStatus(account, Status.Suspended);
        // at most MAX_PARTS lists of at most MAX_SUBSTITUTES entries each
        bytes32[] storage parts = _parts[account];
        for (uint256 i = 0; i < parts.length; ++i) {
            if (_qualified[parts[i]][account].termsVersion != 0) _remove(parts[i], account, "SUSPENDED");
        }
    }

    /// @inheritdoc ISupplierRegistry
    function reinstate(address account) external onlyRole(REGISTRAR_ROLE) {
        Status current = _registered(account).status;
        if (current != Status.Suspended) revert RegistryStatusInvalid(account, current);
        _setStatus(account, Status.Active);
    }

    /// @inheritdoc ISupplierRegistry
    function markDisrupted(address account) external onlyRole(TRIGGER_ROLE) {
        Status current = _registered(account).status;
        if (current != Status.Active) revert RegistryStatusInvalid(account, current);
        _setStatus(account, Status.Disrupted);
    }

    /// @inheritdoc ISupplierRegistry
    function markRecovered(address account) external onlyRole(TRIGGER_ROLE) {
        Status current = _registered(account).status;
        if (current != Status.Disrupted) revert RegistryStatusInvalid(account, current);
        _setStatus(account, Status.Active);
    }

    /// @inheritdoc ISupplierRegistry
    function commitCapacity(address account, uint256 amount, uint256 ref) external onlyRole(TRIGGER_ROLE) {
        Supplier storage s = _registered(account);
        uint256 left = s.capacity - s.committed;
        if (amount > left) revert RegistryCapacityExceeded(account, left, amount);
        s.committed += amount;
        emit CapacityCommitted(account, ref, amount, s.committed);
    }

    /// @inheritdoc ISupplierRegistry
    function releaseCapacity(address account, uint256 amount, uint256 ref) external onlyRole(TRIGGER_ROLE) {
        Supplier storage s = _registered(account);
        s.committed -= amount;
        emit CapacityReleased(account, ref, amount, s.committed);
    }

    /// @inheritdoc ISupplierRegistry
    function capacityLeft(address account) external view returns (uint256) {
        Supplier storage s = _suppliers[account];
        return s.capacity - s.committed;
    }

    /// @inheritdoc ISupplierRegistry
    function qualify(bytes32 part, uint16 leadDays, uint32 termsVersion) external {
        Status current = _registered(msg.sender).status;
        if (current != Status.Active) revert RegistryStatusInvalid(msg.sender, current);
        if (!_supplies[msg.sender][part]) revert RegistryPartNotSupplied(msg.sender, part);
        if (_barred[part][msg.sender]) revert RegistrySubstituteBarred(msg.sender, part);
        uint256 version = policy.termsVersion();
        if (termsVersion != version) revert RegistryTermsNotCurrent(termsVersion, version);
        uint256 maxLead = policy.current().maxLeadDays;
        if (leadDays == 0 || leadDays > maxLead) revert RegistryLeadTimeOutOfRange(leadDays, maxLead);
        Qualification storage q = _qualified[part][msg.sender];
        uint256 position = 0;
        if (q.termsVersion != 0) {
            // re-confirmation: same place in the list
            while (_substitutes[part][position] != msg.sender) ++position;
        } else {
            position = _substitutes[part].length;
            if (position >= MAX_SUBSTITUTES) revert RegistrySubstituteListFull(part, MAX_SUBSTITUTES);
            _substitutes[part].push(msg.sender);
        }
        q.leadDays = leadDays;
        q.termsVersion = uint32(version);
        q.confirmedAt = uint64(block.timestamp);
        emit SubstituteQualified(part, msg.sender, position, leadDays, version);
    }

    /// @inheritdoc ISupplierRegistry
    function withdrawQualification(bytes32 part) external {
        // terms versions start at 1: a qualification always has one
        if (_qualified[part][msg.sender].termsVersion < 1) revert RegistryNotQualified(msg.sender, part);
        _drop(part, msg.sender);
        emit SubstituteWithdrawn(part, msg.sender);
    }

    /// @inheritdoc ISupplierRegistry
    function unqualify(bytes32 part, address substitute) external onlyRole(REGISTRAR_ROLE) {
        if (_qualified[part][substitute].termsVersion == 0) revert RegistryNotQualified(substitute, part);
        _barred[part][substitute] = true;
        _remove(part, substitute, "UNQUALIFIED");
    }

    /// @inheritdoc ISupplierRegistry
    function readmit(bytes32 part, address substitute) external onlyRole(REGISTRAR_ROLE) {
        if (!_barred[part][substitute]) revert RegistryNotBarred(substitute, part);
        _barred[part][substitute] = false;
        emit SubstituteReadmitted(part, substitute, msg.sender);
    }

    /// @inheritdoc ISupplierRegistry
    function barred(bytes32 part, address account) external view returns (bool) {
        return _barred[part][account];
    }

    /// @inheritdoc ISupplierRegistry
    function qualification(bytes32 part, address account) external view returns (Qualification memory) {
        return _qualified[part][account];
    }

    /// @inheritdoc ISupplierRegistry
    function candidates(bytes32 part) external view returns (Candidate[] memory out) {
        address[] storage list = _substitutes[part];
        out = new Candidate[](list.length);
        for (uint256 i = 0; i < list.length; ++i) {
            address account = list[i];
            Supplier storage s = _suppliers[account];
            Qualification storage q = _qualified[part][account];
            out[i] = Candidate({
                account: account,
                status: s.status,
                score: s.score,
                leadDays: q.leadDays,
                termsVersion: q.termsVersion,
                capacityLeft: s.capacity - s.committed,
                region: _regions[account],
                inputs: _inputs[account].length
            });
        }
    }

    /// @inheritdoc ISupplierRegistry
    function setRegion(address account, bytes32 region) external onlyRole(REGISTRAR_ROLE) {
        _registered(account);
        bytes32 previous = _regions[account];
        if (previous == region) return;
        _regions[account] = region;
        // a supplier that left and comes back is listed again; `regionMember` reads the
        // region it is in now, so a stale or repeated entry is skipped
        if (region != bytes32(0)) _members[region].push(account);
        emit SupplierRegionSet(account, previous, region, msg.sender);
    }

    /// @inheritdoc ISupplierRegistry
    function declareInputs(address account, bytes32[] calldata inputs) external onlyRole(REGISTRAR_ROLE) {
        _registered(account);
        if (inputs.length > MAX_INPUTS) revert RegistryInputCountInvalid(inputs.length, MAX_INPUTS);
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (inputs[i] == bytes32(0)) revert RegistryEmptyIdentifier();
        }
        _inputs[account] = inputs;
        emit SupplierInputsDeclared(account, inputs, msg.sender);
    }

    /// @inheritdoc ISupplierRegistry
    function regionOf(address account) external view returns (bytes32) {
        return _regions[account];
    }

    /// @inheritdoc ISupplierRegistry
    function inputsOf(address account) external view returns (bytes32[] memory) {
        return _inputs[account];
    }

    /// @inheritdoc ISupplierRegistry
    function regionMember(bytes32 region, uint256 index)
        external
        view
        returns (address member, bool inRegion, Status status)
    {
        address[] storage list = _members[region];
        if (index < list.length) {
            member = list[index];
            inRegion = _regions[member] == region;
            status = _suppliers[member].status;
        }
    }

    /// @inheritdoc ISupplierRegistry
    function regionSize(bytes32 region) external view returns (uint256) {
        return _members[region].length;
    }

    /// @inheritdoc ISupplierRegistry
    function sourcesFrom(address account, address supplier_) external view returns (bool) {
        bytes32[] storage inputs = _inputs[account];
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (_supplies[supplier_][inputs[i]]) return true;
        }
        return false;
    }

    /// @inheritdoc ISupplierRegistry
    function supplier(address account) external view returns (Supplier memory) {
        return _suppliers[account];
    }

    /// @inheritdoc ISupplierRegistry
    function partsOf(address account) external view returns (bytes32[] memory) {
        return _parts[account];
    }

    /// @inheritdoc ISupplierRegistry
    function supplies(address account, bytes32 part) external view returns (bool) {
        return _supplies[account][part];
    }

    /// @inheritdoc ISupplierRegistry
    function substitutes(bytes32 part) external view returns (address[] memory) {
        return _substitutes[part];
    }

    /// @inheritdoc ISupplierRegistry
    function statusOf(address account) external view returns (Status) {
        return _suppliers[account].status;
    }

    /// @inheritdoc ISupplierRegistry
    function supplierCount() external view returns (uint256) {
        return _all.length;
    }

    /// @inheritdoc ISupplierRegistry
    function supplierAt(uint256 index) external view returns (address) {
        return _all[index];
    }

    function _remove(bytes32 part, address account, bytes32 reason) private {
        _drop(part, account);
        emit SubstituteRemoved(part, account, reason, msg.sender);
    }

    /// @dev Takes `account` off `part`'s list, shifting the tail left so the remaining
    /// substitutes keep their order (ties are broken by list order); at most MAX_SUBSTITUTES.
    function _drop(bytes32 part, address account) private {
        address[] storage list = _substitutes[part];
        uint256 length = list.length;
        uint256 i = 0;
        while (list[i] != account) ++i;
        for (; i + 1 < length; ++i) {
            list[i] = list[i + 1];
        }
        list.pop();
        delete _qualified[part][account];
    }

    function _registered(address account) private view returns (Supplier storage s) {
        s = _suppliers[account];
        if (s.status == Status.None) revert RegistrySupplierUnknown(account);
    }

    function _setStatus(address account, Status next) private {
        Supplier storage s = _suppliers[account];
        Status previous = s.status;
        s.status = next;
        emit SupplierStatusChanged(account, previous, next);
    }
}
