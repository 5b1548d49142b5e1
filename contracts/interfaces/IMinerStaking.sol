// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

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
///
/// Stake life cycle: `stake*` adds to the operator's active stake; `requestUnstake` moves active stake into
/// the operator's unbonding queue with a release time; `withdraw` pays every matured request. Active stake
/// counts for the boost; unbonding stake does not, but both can be slashed (active first, then unbonding,
/// newest request first).
///
/// Invariant: `TOKEN.balanceOf(this) >= totalActiveStake() + totalUnbonding()`, with equality unless someone
/// transferred MSN to this contract directly (such tokens are not credited to anyone and stay locked).
interface IMinerStaking {
    /* TYPES */

    /// @notice One pending unbonding request, as returned by `unbondingRequest`.
    /// @param amount What is left of the request (slashing takes from the newest requests first).
    /// @param releaseTime The unix time from which `withdraw` pays it.
    struct UnbondingRequest {
        uint256 amount;
        uint256 releaseTime;
    }

    /* ERRORS */

    /// @notice An address argument (node, operator, treasury, admin, token) is the zero address.
    error StakingZeroAddress();
    /// @notice An amount argument is zero.
    error StakingZeroAmount();
    /// @notice The node registration signature expired at `deadline` (block time is `nowTime`).
    error StakingSignatureExpired(uint256 deadline, uint256 nowTime);
    /// @notice `node` is already registered to `operator`; its operator must deregister it first.
    error StakingNodeAlreadyRegistered(address node, address operator);
    /// @notice The registration signature was not made by the key of `node` for this registration
    /// (current nonce, this operator, this deadline, this chain and this contract); `signer` is the address
    /// it recovers to (zero for a malformed signature).
    error StakingInvalidNodeSignature(address node, address signer);
    /// @notice The registration signature of `node` for nonce `nonce` was already used (the node was
    /// registered with it, then deregistered): a node key's consent registers a node once.
    error StakingSignatureReplayed(address node, uint256 nonce);
    /// @notice `caller` is not the operator `node` is registered to.
    error StakingNotNodeOperator(address node, address caller);
    /// @notice `operator` asked to unstake `requested` but has only `active` active stake.
    error StakingInsufficientActiveStake(address operator, uint256 active, uint256 requested);
    /// @notice `operator` has no unbonding request.
    error StakingNothingUnbonding(address operator);
    /// @notice The oldest unbonding request of `operator` is released at `releaseTime` (block time is `nowTime`).
    error StakingUnbondingNotMatured(address operator, uint256 releaseTime, uint256 nowTime);
    /// @notice A historical lookup asked for `timestamp`, which is after the current block time `nowTime`.
    error StakingFutureLookup(uint256 timestamp, uint256 nowTime);
    /// @notice `operator` has nothing that a slash could take (no stake, or its max fraction rounds to zero).
    error StakingNothingToSlash(address operator);
    /// @notice A slash was called without an evidence hash.
    error StakingMissingEvidence();
    /// @notice `index` is not below the number `count` of pending unbonding requests.
    error StakingRequestIndexOutOfBounds(uint256 index, uint256 count);
    /// @notice The unbonding period `period` is outside [`min`, `max`] seconds.
    error StakingUnbondingPeriodOutOfBounds(uint256 period, uint256 min, uint256 max);
    /// @notice The max boost `maxBoostBps` is outside [`min`, `max`] basis points.
    error StakingMaxBoostOutOfBounds(uint256 maxBoostBps, uint256 min, uint256 max);
    /// @notice The full stake per node `fullStakePerNode` is outside [`min`, `max`] wei.
    error StakingFullStakeOutOfBounds(uint256 fullStakePerNode, uint256 min, uint256 max);
    /// @notice The max slash fraction `maxSlashBps` is outside [`min`, `max`] basis points.
    error StakingMaxSlashOutOfBounds(uint256 maxSlashBps, uint256 min, uint256 max);
    /// @notice A parameter setter was called with the value already in effect.
    error StakingParamUnchanged();

    /* EVENTS (relied on by the oracle's indexer) */

    /// @notice `node` was registered to `operator`.
    event NodeRegistered(address indexed node, address indexed operator);
    /// @notice `node` was removed from `operator`.
    event NodeDeregistered(address indexed node, address indexed operator);
    /// @notice The active stake of `operator` is now `activeStake`, as of block time `timestamp`.
    event ActiveStakeUpdated(address indexed operator, uint256 activeStake, uint256 timestamp);
    /// @notice The boost parameters in effect from block time `timestamp` on.
    event BoostParamsUpdated(uint256 maxBoostBps, uint256 fullStakePerNode, uint256 timestamp);

    /* EVENTS */

    /// @notice `from` staked `amount` for `operator` (its active stake grew by `amount`).
    event Staked(address indexed operator, address indexed from, uint256 amount);
    /// @notice `operator` moved `amount` from active stake to unbonding, withdrawable from `releaseTime`.
    event UnstakeRequested(address indexed operator, uint256 amount, uint256 releaseTime);
    /// @notice `operator` withdrew `amount` of matured unbonding stake.
    event Withdrawn(address indexed operator, uint256 amount);
    /// @notice `operator` was slashed `fromActive + fromUnbonding` (sent to `treasury`) for the fraud
    /// proven by `evidenceHash`; `requested` is what the slasher asked for (the slash is capped).
    event Slashed(
        address indexed operator,
        bytes32 indexed evidenceHash,
        address treasury,
        uint256 requested,
        uint256 fromActive,
        uint256 fromUnbonding
    );
    /// @notice Unstake requests made from now on are released `unbondingPeriod` seconds later.
    event UnbondingPeriodUpdated(uint256 unbondingPeriod);
    /// @notice One slash may take at most `maxSlashBps` / 10000 of an operator's active + unbonding stake.
    event MaxSlashBpsUpdated(uint256 maxSlashBps);
    /// @notice Slashed tokens now go to `treasury`.
    event TreasuryUpdated(address treasury);

    /* CONSTANTS AND IMMUTABLES */

    /// @notice The staked token (MSN).
    function TOKEN() external view returns (IERC20);
    /// @notice The role allowed to `slash` (held by governance's timelock).
    function SLASHER_ROLE() external view returns (bytes32);
    /// @notice The EIP-712 type hash of
    /// `RegisterNode(address node,address operator,uint256 nonce,uint256 deadline)`.
    function REGISTER_NODE_TYPEHASH() external view returns (bytes32);
    /// @notice The EIP-712 domain separator of the "MSN Bandwidth" v1 domain on this chain and contract.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice Bounds of the unbonding period: [1 day, 60 days].
    function MIN_UNBONDING_PERIOD() external view returns (uint256);
    /// @notice See `MIN_UNBONDING_PERIOD`.
    function MAX_UNBONDING_PERIOD() external view returns (uint256);
    /// @notice Bounds of `maxBoostBps`: [10000 (no boost), 100000 (10x)].
    function MIN_MAX_BOOST_BPS() external view returns (uint256);
    /// @notice See `MIN_MAX_BOOST_BPS`.
    function MAX_MAX_BOOST_BPS() external view returns (uint256);
    /// @notice Bounds of `fullStakePerNode`: [1 MSN, 100,000,000 MSN].
    function MIN_FULL_STAKE_PER_NODE() external view returns (uint256);
    /// @notice See `MIN_FULL_STAKE_PER_NODE`.
    function MAX_FULL_STAKE_PER_NODE() external view returns (uint256);
    /// @notice Bounds of `maxSlashBps`: [1, 10000] basis points.
    function MIN_MAX_SLASH_BPS() external view returns (uint256);
    /// @notice See `MIN_MAX_SLASH_BPS`.
    function MAX_MAX_SLASH_BPS() external view returns (uint256);

    /* NODE REGISTRY */

    /// @notice Registers `node` to the caller (its operator). `signature` is the node key's EIP-712
    /// signature of `RegisterNode(node, operator = msg.sender, nonce = nodeNonce(node), deadline)` in the
    /// "MSN Bandwidth" domain; it is single-use (the node's nonce increments), bound to this operator,
    /// this chain and this contract, and void after `deadline`.
    /// @dev The node key must be an EOA key (ECDSA, 65-byte signature, low s), as held by node software.
    /// Reverts `StakingZeroAddress`, `StakingSignatureExpired`, `StakingNodeAlreadyRegistered`,
    /// `StakingSignatureReplayed` (a signature for the node's previous nonce) or `StakingInvalidNodeSignature`.
    /// @param node The node key's address.
    /// @param deadline The last unix second at which the signature is valid.
    /// @param signature The node key's 65-byte ECDSA signature (r, s, v).
    function registerNode(address node, uint256 deadline, bytes calldata signature) external;

    /// @notice Removes `node` from the caller, its operator. Registering it again (to anyone) takes a new
    /// signature of the node key.
    /// @param node The node key's address.
    function deregisterNode(address node) external;

    /// @notice The number of nodes registered to `operator`.
    function nodeCount(address operator) external view returns (uint256);

    /// @notice The nonce the next registration signature of `node` must carry (the number of times it was
    /// registered).
    function nodeNonce(address node) external view returns (uint256);

    /// @notice The EIP-712 digest the key of `node` signs to register to `operator` with `nonce` and `deadline`.
    function registerNodeDigest(
        address node,
        address operator,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /* STAKING */

    /// @notice Stakes `amount` MSN, pulled from the caller (who must have approved this contract), for the
    /// caller. Emits `Staked` and `ActiveStakeUpdated`.
    /// @param amount The amount in wei, > 0.
    function stake(uint256 amount) external;

    /// @notice Stakes `amount` MSN, pulled from the caller, for `operator`. Used by the rewards
    /// distributor's claim-and-stake (the distributor approves this contract and calls it).
    /// @param operator The operator credited with the stake.
    /// @param amount The amount in wei, > 0.
    function stakeFor(address operator, uint256 amount) external;

    /// @notice Stakes `amount` MSN for the caller, approving this contract with the caller's ERC-2612
    /// permit `(deadline, v, r, s)` first (one transaction, no separate approval).
    /// @dev If the permit call fails (e.g. someone front-ran the same permit), the stake still goes through
    /// when the allowance already suffices; otherwise the token's transfer reverts.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Moves `amount` of the caller's active stake into its unbonding queue. The request is released
    /// at `max(block.timestamp + unbondingPeriod, release time of the caller's newest pending request)`, so
    /// release times never decrease along the queue (this only matters after the period was shortened).
    /// Requests made in the same block share one queue entry. Emits `UnstakeRequested` and
    /// `ActiveStakeUpdated`.
    /// @param amount The amount in wei, > 0 and <= the caller's active stake.
    function requestUnstake(uint256 amount) external;

    /// @notice Pays the caller every matured unbonding request (release time <= block time), in one
    /// transfer. O(log n) in the number of pending requests: no loop over requests.
    /// Reverts `StakingNothingUnbonding` with an empty queue, `StakingUnbondingNotMatured` when the oldest
    /// request is not released yet.
    /// @return amount The amount paid.
    function withdraw() external returns (uint256 amount);

    /* SLASHING */

    /// @notice Slashes `operator` by `amount`, capped at `maxSlashBps` of its active + unbonding stake, and
    /// sends the slashed tokens to the treasury. Takes from active stake first, then from unbonding
    /// requests, newest first. Only `SLASHER_ROLE`.
    /// @dev A cap, not a revert: a slash queued in a timelock still executes if the operator's stake shrank
    /// in the meantime. `type(uint256).max` slashes the maximum fraction. Reverts `StakingNothingToSlash`
    /// when the capped amount is zero. O(log n) in the operator's pending requests.
    /// @param operator The operator to slash.
    /// @param amount The amount asked for, in wei, > 0.
    /// @param evidenceHash The hash of the published fraud evidence, non-zero.
    /// @return slashed The amount actually taken.
    function slash(address operator, uint256 amount, bytes32 evidenceHash) external returns (uint256 slashed);

    /* GOVERNANCE (DEFAULT_ADMIN_ROLE) */

    /// @notice Sets the unbonding period of future unstake requests, within [MIN, MAX]_UNBONDING_PERIOD.
    /// @dev Warning: SPEC §4 wants it >= the rewards root challenge window plus one epoch; that bound lives in
    /// other contracts and is the deployer's and governance's responsibility.
    function setUnbondingPeriod(uint256 newUnbondingPeriod) external;

    /// @notice Sets the boost parameters from this block on (past `boostBps` values do not change).
    function setBoostParams(uint256 newMaxBoostBps, uint256 newFullStakePerNode) external;

    /// @notice Sets the max fraction of an operator's stake one slash can take, in basis points.
    function setMaxSlashBps(uint256 newMaxSlashBps) external;

    /// @notice Sets where slashed tokens go.
    function setTreasury(address newTreasury) external;

    /* VIEWS */

    /// @notice The operator's active (non-unbonding) stake at the end of unix second `timestamp`
    /// (after every change made in blocks with that timestamp). Exact for any past time.
    /// @dev Reverts `StakingFutureLookup` for `timestamp > block.timestamp`. Warning: for
    /// `timestamp == block.timestamp` it returns the value so far, which later transactions with the same
    /// timestamp can still change; only strictly past timestamps are final.
    function stakeAt(address operator, uint256 timestamp) external view returns (uint256);

    /// @notice The boost parameters in effect at unix second `timestamp`.
    /// @dev Times before deployment get the initial parameters; reverts `StakingFutureLookup` for
    /// `timestamp > block.timestamp`.
    function boostParamsAt(
        uint256 timestamp
    ) external view returns (uint256 maxBoostBps, uint256 fullStakePerNode);

    /// @notice The SPEC §4 boost for `operator` with `nodeCount` nodes that carried traffic, using the
    /// stake and the boost parameters in effect at `timestamp`:
    /// `10000 + (maxBoostBps - 10000) * min(s, full * n) / (full * n)` (floor), and 10000 when n = 0.
    function boostBps(address operator, uint256 nodeCount, uint256 timestamp) external view returns (uint256);

    /// @notice The operator a node key is registered to, or the zero address.
    function operatorOf(address node) external view returns (address);

    /// @notice The operator's current active stake.
    function activeStakeOf(address operator) external view returns (uint256);

    /// @notice The operator's unbonding stake: `total` pending (matured or not) and the part of it that
    /// `withdraw` would pay now.
    function unbondingOf(address operator) external view returns (uint256 total, uint256 withdrawable);

    /// @notice The number of the operator's pending unbonding requests.
    function unbondingRequestCount(address operator) external view returns (uint256);

    /// @notice The operator's pending unbonding request number `index` (0 = oldest).
    function unbondingRequest(
        address operator,
        uint256 index
    ) external view returns (UnbondingRequest memory);

    /// @notice The sum of all operators' active stake.
    function totalActiveStake() external view returns (uint256);

    /// @notice The sum of all operators' unbonding stake.
    function totalUnbonding() external view returns (uint256);

    /// @notice The current boost parameters.
    function boostParams() external view returns (uint256 maxBoostBps, uint256 fullStakePerNode);

    /// @notice The current unbonding period in seconds (default 7 days).
    function unbondingPeriod() external view returns (uint256);

    /// @notice The current max slash fraction in basis points (default 5000).
    function maxSlashBps() external view returns (uint256);

    /// @notice Where slashed tokens go.
    function treasury() external view returns (address);
}
