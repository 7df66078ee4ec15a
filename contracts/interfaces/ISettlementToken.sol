// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title Settlement token
/// @notice An ERC-20 with 2 decimals (fen) standing in for a bank deposit token. Every scf
/// amount is an integer of this token's smallest unit.
interface ISettlementToken is IERC20Metadata {
    /// @notice Creates `amount` new tokens for `to`. Emits the ERC-20 `Transfer` from the zero
    /// address.
    /// @dev Caller: an account holding the minter role (test chains only).
    function mint(address to, uint256 amount) external;
}
