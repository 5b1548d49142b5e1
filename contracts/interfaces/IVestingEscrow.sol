// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVestingEscrow
/// @notice The per-beneficiary token holder behind the vesting vault: a minimal clone that holds one
/// beneficiary's unreleased MSN, so that ERC20Votes can attribute their votes to a delegate of the
/// beneficiary's choice. It has no state and no logic of its own: only the vault that deployed the
/// implementation can move its tokens or change its delegate.
interface IVestingEscrow {
    /// @notice `caller` is not the vesting vault.
    error EscrowUnauthorized(address caller);

    /// @notice The vault this escrow obeys.
    function VAULT() external view returns (address);

    /// @notice The token it holds (MSN).
    function TOKEN() external view returns (address);

    /// @notice Sends `amount` tokens to `to`. Only the vault (a release to the beneficiary, or the unvested
    /// part of a revoked grant to the treasury).
    function transfer(address to, uint256 amount) external;

    /// @notice Delegates the votes of every token this escrow holds to `delegatee`. Only the vault, on the
    /// beneficiary's instruction.
    function delegate(address delegatee) external;
}
