// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IMSNToken
/// @notice The MSN token: an ERC-20 with ERC-2612 permit and ERC-5805 votes (timestamp clock).
/// 100,000,000 MSN are minted once, at deployment, to the genesis allocation recipients. After that
/// only the emission minter can mint, and never above the 127,500,000 MSN hard cap.
/// @dev The minter is assigned exactly once by the minter admin named at deployment; the assignment
/// can never change afterwards, so no party can ever gain minting rights beyond the emission schedule.
interface IMSNToken is IERC20 {
    /* ERRORS */

    /// @notice A genesis recipient, the minter admin or the minter is the zero address.
    error MSNZeroAddress();
    /// @notice The genesis recipient and amount arrays have different lengths (or are empty).
    error MSNGenesisLengthMismatch(uint256 recipients, uint256 amounts);
    /// @notice The genesis amounts do not add up to exactly `expected`.
    error MSNGenesisSupplyMismatch(uint256 expected, uint256 actual);
    /// @notice `caller` is not the minter admin (or the minter was already set and the admin role is gone).
    error MSNUnauthorizedMinterAdmin(address caller);
    /// @notice `caller` is not the minter.
    error MSNUnauthorizedMinter(address caller);
    /// @notice Minting would raise the total supply to `newSupply`, above the hard cap `cap`.
    error MSNCapExceeded(uint256 newSupply, uint256 cap);

    /* EVENTS */

    /// @notice Emitted once, when `minter` becomes the only address allowed to mint.
    event MinterSet(address indexed minter);

    /* VIEWS */

    /// @notice The supply minted at deployment: 100,000,000 MSN.
    function GENESIS_SUPPLY() external view returns (uint256);

    /// @notice The hard cap on total supply: 127,500,000 MSN (genesis plus ten years of emission).
    function MAX_SUPPLY() external view returns (uint256);

    /// @notice The emission minter, or the zero address while it has not been assigned yet.
    function minter() external view returns (address);

    /// @notice The address allowed to assign the minter once; the zero address after the assignment.
    function minterAdmin() external view returns (address);

    /* ACTIONS */

    /// @notice Assigns the emission minter. Callable once, by the minter admin; the admin role then ends.
    /// @param newMinter The emission minter contract.
    function setMinter(address newMinter) external;

    /// @notice Mints `amount` to `to`. Only the minter; reverts above the hard cap.
    /// @param to The recipient (the rewards distributor, in practice).
    /// @param amount The amount in wei.
    function mint(address to, uint256 amount) external;
}
