// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMinerStaking
/// @notice Node registry and miner staking. Operators register node keys (proven by an EIP-712 signature
/// of the node key), stake MSN to boost their rewards, unbond with a delay, and can be slashed for fraud.
/// @dev The EIP-712 domain is {name: "MSN Bandwidth", version: "1", chainId, verifyingContract: this}; the
/// oracle's bandwidth receipts use the same domain. Active stake is checkpointed by block timestamp, and
/// every change of an operator's active stake emits `ActiveStakeUpdated`, so an indexer can rebuild
/// `stakeAt` for all operators from events alone.
///
/// Cross-contract contract (do not change these signatures; other contracts and the oracle rely on them):
/// `stakeFor`, `stakeAt`, `boostBps`, `boostParamsAt`, `operatorOf`, and the events
/// `NodeRegistered`, `NodeDeregistered`, `ActiveStakeUpdated`, `BoostParamsUpdated`.
interface IMinerStaking {
    /* EVENTS (relied on by the oracle's indexer) */

    /// @notice `node` was registered to `operator`.
    event NodeRegistered(address indexed node, address indexed operator);
    /// @notice `node` was removed from `operator`.
    event NodeDeregistered(address indexed node, address indexed operator);
    /// @notice The active stake of `operator` is now `activeStake`, as of block time `timestamp`.
    event ActiveStakeUpdated(address indexed operator, uint256 activeStake, uint256 timestamp);
    /// @notice The boost parameters in effect from block time `timestamp` on.
    event BoostParamsUpdated(uint256 maxBoostBps, uint256 fullStakePerNode, uint256 timestamp);

    /* STAKING */

    /// @notice Stakes `amount` MSN, pulled from the caller, for `operator`. Used by the rewards
    /// distributor's claim-and-stake (the distributor approves this contract and calls it).
    /// @param operator The operator credited with the stake.
    /// @param amount The amount in wei, > 0.
    function stakeFor(address operator, uint256 amount) external;

    /* VIEWS */

    /// @notice The operator's active (non-unbonding) stake at the end of unix second `timestamp`
    /// (after every change made in blocks with that timestamp). Exact for any past time.
    function stakeAt(address operator, uint256 timestamp) external view returns (uint256);

    /// @notice The boost parameters in effect at unix second `timestamp`.
    function boostParamsAt(
        uint256 timestamp
    ) external view returns (uint256 maxBoostBps, uint256 fullStakePerNode);

    /// @notice The SPEC §4 boost for `operator` with `nodeCount` nodes that carried traffic, using the
    /// stake and the boost parameters in effect at `timestamp`:
    /// `10000 + (maxBoostBps - 10000) * min(s, full * n) / (full * n)` (floor), and 10000 when n = 0.
    function boostBps(address operator, uint256 nodeCount, uint256 timestamp) external view returns (uint256);

    /// @notice The operator a node key is registered to, or the zero address.
    function operatorOf(address node) external view returns (address);
}
