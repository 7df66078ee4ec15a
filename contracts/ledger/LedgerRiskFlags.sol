// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFundLedger} from "../interfaces/IFundLedger.sol";

/// @title LedgerRiskFlags
/// @notice The ledger's soft rules: they never revert, they emit `RiskFlagged` in the
/// payment's own transaction. Codes are readable bytes32 strings.
abstract contract LedgerRiskFlags is IFundLedger {
    /// @notice One payee holds more than the project's payee-share threshold of its spending.
    bytes32 public constant FLAG_PAYEE_SHARE = "PAYEE_SHARE";
    /// @notice A budget line's spent plus reserved crossed 90 % of its cap.
    bytes32 public constant FLAG_BUDGET_LINE_90 = "BUDGET_LINE_90";
    /// @notice A payment fell within the margin just under the dual-control threshold.
    bytes32 public constant FLAG_NEAR_THRESHOLD = "NEAR_THRESHOLD";
    /// @notice An invoice hash was paid before (by any project).
    bytes32 public constant FLAG_REPEATED_INVOICE = "REPEATED_INVOICE";

    uint256 internal constant BPS = 10_000;
    uint256 internal constant LINE_ALERT_BPS = 9_000;
    uint16 internal constant DEFAULT_PAYEE_SHARE_BPS = 5_000;

    mapping(bytes32 invoice => bool) private _invoiceSeen;

    /// @dev Flags when this use moved the line from under 90 % of its cap to 90 % or more.
    function _flagLine(bytes32 project, bytes32 category, uint256 cap, uint256 used, uint256 amount) internal {
        if (used * BPS >= cap * LINE_ALERT_BPS && (used - amount) * BPS < cap * LINE_ALERT_BPS) {
            emit RiskFlagged(project, FLAG_BUDGET_LINE_90, category, (used * BPS) / cap);
        }
    }

    /// @dev Flags a payee holding more than `shareBps` (0: the default) of the project's
    /// `spent`, once `spent` has reached `floor`.
    function _flagShare(bytes32 project, uint256 shareBps, uint256 floor, uint256 spent, uint256 payeeTotal, address payee)
        internal
    {
        if (shareBps == 0) shareBps = DEFAULT_PAYEE_SHARE_BPS;
        uint256 share = (payeeTotal * BPS) / spent;
        if (spent >= floor && share > shareBps) {
            emit RiskFlagged(project, FLAG_PAYEE_SHARE, bytes32(uint256(uint160(payee))), share);
        }
    }

    /// @dev Flags a payment of `amount` within `margin` under the dual-control `threshold`
    /// (the caller has checked `amount < threshold`).
    function _flagNearThreshold(bytes32 project, uint256 threshold, uint256 margin, address payee, uint256 amount)
        internal
    {
        if (amount + margin >= threshold) {
            emit RiskFlagged(project, FLAG_NEAR_THRESHOLD, bytes32(uint256(uint160(payee))), amount);
        }
    }

    /// @dev Flags an invoice hash paid before, by any project; records it otherwise.
    function _flagInvoice(bytes32 project, bytes32 invoice, uint256 amount) internal {
        if (invoice == bytes32(0)) return;
        if (_invoiceSeen[invoice]) {
            emit RiskFlagged(project, FLAG_REPEATED_INVOICE, invoice, amount);
        } else {
            _invoiceSeen[invoice] = true;
        }
    }
}
