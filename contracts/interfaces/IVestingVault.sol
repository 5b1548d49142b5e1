// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVestingVault
/// @notice One vault holds every MSN vesting grant. A grant is
/// `{beneficiary, amount, start, cliff, duration, revocable}` and is identified by its grant id, the hash of
/// `(beneficiary, amount, start, cliff, duration)` (see `grantIdOf`).
///
/// Vesting formula, for a grant that is not revoked, at unix time `t` (all integers, rounding down):
///   - `t < start + cliff`            -> 0
///   - `t >= start + duration`        -> amount
///   - otherwise                      -> amount * (t - start) / duration
/// with `0 <= cliff <= duration` and `duration > 0`. A grant revoked at time `r` stops vesting at `r`: its
/// vested amount at any `t >= r` is the vested amount at `r`, and the unvested rest went to the treasury.
///
/// Voting: the unreleased tokens of a beneficiary sit in that beneficiary's escrow, a minimal clone
/// (EIP-1167, CREATE2 with salt = beneficiary) that holds tokens and delegates their votes, and nothing else.
/// All grant state and logic live in this vault; the escrow only moves tokens when the vault tells it to.
/// The vault's own balance is exactly the amount not yet allocated to any grant.
///
/// Roles (OpenZeppelin AccessControl): `DEFAULT_ADMIN_ROLE` (governance) manages roles and sets the treasury;
/// `GRANTOR_ROLE` creates grants; `REVOKER_ROLE` revokes revocable grants.
interface IVestingVault {
    /* TYPES */

    /// @notice A vesting grant, packed into two storage slots.
    /// @dev Timestamps are uint40 (good until year 36812), durations uint32 seconds (up to 136 years), amounts
    /// uint96 (7.9e28 wei, far above the 127.5M MSN cap).
    struct Grant {
        address beneficiary; // receives every release
        uint40 start; // vesting starts accruing here (unix seconds)
        uint40 revokedAt; // 0 while not revoked; the revocation time otherwise
        bool revocable; // whether REVOKER_ROLE may revoke it
        uint96 amount; // the amount granted
        uint96 released; // the amount already paid to the beneficiary
        uint32 cliff; // seconds after start before anything vests
        uint32 duration; // seconds after start when everything has vested
    }

    /* ERRORS */

    /// @notice An address argument (token, treasury, governance, beneficiary) is the zero address.
    error VestingZeroAddress();
    /// @notice A grant of amount 0 was requested.
    error VestingZeroAmount();
    /// @notice A grant with duration 0 was requested.
    error VestingZeroDuration();
    /// @notice A grant's cliff is longer than its duration.
    error VestingCliffExceedsDuration(uint256 cliff, uint256 duration);
    /// @notice A grant with the same `(beneficiary, amount, start, cliff, duration)` already exists (or existed).
    error VestingDuplicateGrant(bytes32 grantId);
    /// @notice The grant needs `requested` tokens but only `available` are unallocated in the vault.
    error VestingInsufficientUnallocated(uint256 requested, uint256 available);
    /// @notice No grant has id `grantId`.
    error VestingUnknownGrant(bytes32 grantId);
    /// @notice The grant is not revocable.
    error VestingNotRevocable(bytes32 grantId);
    /// @notice The grant was already revoked.
    error VestingAlreadyRevoked(bytes32 grantId);
    /// @notice Nothing is releasable from the grant right now (before the cliff, or everything vested so far
    /// was already released).
    error VestingNothingToRelease(bytes32 grantId);
    /// @notice `account` has never been a beneficiary, so it has no escrow whose votes it could delegate.
    error VestingNoEscrow(address account);
    /// @notice The new treasury equals the current one.
    error VestingTreasuryUnchanged(address treasury);

    /* EVENTS */

    /// @notice Emitted when the escrow of `beneficiary` is deployed (with its first grant).
    event EscrowCreated(address indexed beneficiary, address indexed escrow);
    /// @notice Emitted when a grant is created; `amount` moved from the vault to the beneficiary's escrow.
    event GrantCreated(
        bytes32 indexed grantId,
        address indexed beneficiary,
        uint256 amount,
        uint256 start,
        uint256 cliff,
        uint256 duration,
        bool revocable
    );
    /// @notice Emitted when `amount` of grant `grantId` was paid to `beneficiary` (by `caller`).
    event Released(
        bytes32 indexed grantId,
        address indexed beneficiary,
        address indexed caller,
        uint256 amount
    );
    /// @notice Emitted when grant `grantId` is revoked: `vested` stays claimable by the beneficiary and
    /// `unvested` was sent to `treasury`.
    event GrantRevoked(bytes32 indexed grantId, address indexed treasury, uint256 vested, uint256 unvested);
    /// @notice Emitted when the treasury that receives revoked tokens changes.
    event TreasurySet(address indexed previousTreasury, address indexed newTreasury);
    /// @notice Emitted when `beneficiary` delegates the votes of the tokens in its escrow to `delegatee`.
    event EscrowVotesDelegated(
        address indexed beneficiary,
        address indexed escrow,
        address indexed delegatee
    );

    /* ROLES AND IMMUTABLES */

    /// @notice The role allowed to create grants.
    function GRANTOR_ROLE() external view returns (bytes32);
    /// @notice The role allowed to revoke revocable grants.
    function REVOKER_ROLE() external view returns (bytes32);
    /// @notice The vested token (MSN).
    function TOKEN() external view returns (address);
    /// @notice The escrow implementation every beneficiary escrow is a clone of.
    function ESCROW_IMPLEMENTATION() external view returns (address);

    /* GOVERNANCE */

    /// @notice Creates a grant and moves `amount` from the vault's unallocated balance into the beneficiary's
    /// escrow (deploying the escrow on the beneficiary's first grant). Only `GRANTOR_ROLE`.
    /// @dev `start` may lie in the past: the grant then vests at once what the formula gives for now.
    /// Two grants are duplicates when `(beneficiary, amount, start, cliff, duration)` are equal: a repeated
    /// transaction (a retried deploy script) can never allocate twice. Grant two identical schedules to one
    /// beneficiary by shifting `start` by a second.
    /// @param beneficiary Receives the released tokens and controls the escrow's votes.
    /// @param amount The amount in wei; at most `unallocated()`.
    /// @param start Unix time at which vesting starts accruing.
    /// @param cliff Seconds after `start` before anything vests (at most `duration`).
    /// @param duration Seconds after `start` at which everything has vested (non-zero).
    /// @param revocable Whether `REVOKER_ROLE` may revoke the unvested part.
    /// @return grantId The new grant's id, `grantIdOf(beneficiary, amount, start, cliff, duration)`.
    function createGrant(
        address beneficiary,
        uint256 amount,
        uint40 start,
        uint32 cliff,
        uint32 duration,
        bool revocable
    ) external returns (bytes32 grantId);

    /// @notice Revokes a revocable grant: vesting stops now, what has vested stays claimable by the beneficiary
    /// and the unvested rest goes from the escrow to `treasury()`. Only `REVOKER_ROLE`.
    /// @dev Revoking after the grant has fully vested is allowed and moves nothing (unvested is 0); it only
    /// marks the grant revoked.
    /// @param grantId The grant to revoke.
    /// @return unvested The amount sent to the treasury.
    function revoke(bytes32 grantId) external returns (uint256 unvested);

    /// @notice Sets the treasury that receives the unvested part of revoked grants. Only `DEFAULT_ADMIN_ROLE`.
    /// @param newTreasury The new treasury; non-zero and different from the current one.
    function setTreasury(address newTreasury) external;

    /* BENEFICIARIES AND ANYONE */

    /// @notice Pays everything releasable from grant `grantId` to its beneficiary. Anyone may call it (a relayer,
    /// a keeper); the tokens only ever go to the beneficiary.
    /// @dev Reverts with `VestingNothingToRelease` when nothing is releasable, so a second release in the same
    /// block fails loudly instead of spending gas on a zero transfer.
    /// @param grantId The grant to release from.
    /// @return amount The amount paid.
    function release(bytes32 grantId) external returns (uint256 amount);

    /// @notice Delegates the votes of every token in the caller's escrow (all its unreleased grants) to
    /// `delegatee`, so they count in `MSNToken.getVotes(delegatee)`. Pass the zero address to undelegate.
    /// @dev Like any ERC20Votes holder, an escrow has no delegate (its tokens count for nobody) until its
    /// beneficiary delegates. Released tokens leave the escrow and follow the beneficiary's own delegation.
    /// @param delegatee The account that receives the votes.
    function delegate(address delegatee) external;

    /* VIEWS */

    /// @notice The receiver of the unvested part of revoked grants (the foundation treasury).
    function treasury() external view returns (address);

    /// @notice The grant with id `grantId` (all fields zero if it does not exist).
    function grants(bytes32 grantId) external view returns (Grant memory);

    /// @notice The id a grant with these fields has (or would have).
    function grantIdOf(
        address beneficiary,
        uint256 amount,
        uint40 start,
        uint32 cliff,
        uint32 duration
    ) external pure returns (bytes32);

    /// @notice The amount of grant `grantId` vested at unix time `timestamp` (see the formula above).
    /// Reverts with `VestingUnknownGrant` for an unknown id.
    function vestedAmount(bytes32 grantId, uint256 timestamp) external view returns (uint256);

    /// @notice The amount `release(grantId)` would pay now. Reverts with `VestingUnknownGrant` for an unknown id.
    function releasable(bytes32 grantId) external view returns (uint256);

    /// @notice The tokens the vault holds that no grant has claimed yet (the vault's own token balance).
    function unallocated() external view returns (uint256);

    /// @notice The escrow address of `beneficiary` (deterministic; it has code once a grant to them exists).
    function escrowOf(address beneficiary) external view returns (address);
}
