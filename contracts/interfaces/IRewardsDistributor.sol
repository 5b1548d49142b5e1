// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRewardsDistributor
/// @notice Pays MSN mining rewards from cumulative Merkle roots. Each epoch the oracle set signs a tree whose
/// leaves say, for each account, the total it has earned since genesis; an account claims the difference
/// between that total and what it has already claimed. A proposed root becomes claimable only after a
/// challenge window during which the guardian can veto it.
/// @dev Leaf: `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))` (OpenZeppelin's
/// standard double-hashed leaf, sorted-pair tree). EIP-712 domain {name: "MSN Rewards", version: "1",
/// chainId, verifyingContract: this}.
///
/// Epochs: the first epoch is 0 and epochs are proposed strictly consecutively (epoch e only after e - 1).
/// Proposed roots form a queue: epochs in [nextEpochToAccept, nextEpochToPropose) are pending, in order;
/// `acceptRoot` accepts the oldest once its challenge window has passed. A veto of a pending epoch e also
/// discards every later pending epoch (their cumulative amounts were built on e) and moves the proposal
/// cursor back to e, so e is proposed again next.
///
/// Funding: `funded() = emissionMinter.totalMinted() + deposited()`: everything the emission minter has
/// minted to this contract plus everything deposited through `fund`. A root's `total` (the cumulative sum of
/// all its leaves) must not exceed `funded()` and must not be below the previous epoch's total. MSN sent to
/// this contract by a plain transfer is not funding: no root can ever allocate it and nobody can withdraw it.
///
/// Warning: `total <= funded()` bounds what the oracle set can allocate only if every account's cumulative
/// amount never decreases from one root to the next (as the oracle's rewards are built). A root that lowers
/// an account's cumulative amount is a misallocation that the guardian must veto: claims against the
/// current and the previous root together could then pay out more than a single root's total. The token
/// balance remains the hard limit (a transfer beyond it reverts). Claims keep no global counter on purpose,
/// so that a claim costs one storage write.
interface IRewardsDistributor {
    /* TYPES */

    /// @notice The life cycle of an epoch's root.
    /// None: never proposed. Pending: proposed, waiting for acceptance (claimable after `claimableAt`).
    /// Accepted: claimable (as the current or, once a later root is accepted, an older root; only the current
    /// and the previous accepted roots are accepted by claims). Vetoed: proposed, then discarded by a veto
    /// (of this epoch or of an earlier pending one); the epoch can be proposed again.
    enum RootStatus {
        None,
        Pending,
        Accepted,
        Vetoed
    }

    /// @notice What is stored about an epoch's root, as returned by `epochRoot`.
    /// @param root The Merkle root (the latest proposal for the epoch).
    /// @param total The cumulative sum of all leaves.
    /// @param proposedAt When it was proposed (unix seconds); 0 if never proposed.
    /// @param claimableAt When it can be accepted: `proposedAt + challengeWindow()` (0 if never proposed).
    /// @param status See `RootStatus`.
    struct EpochRootInfo {
        bytes32 root;
        uint256 total;
        uint256 proposedAt;
        uint256 claimableAt;
        RootStatus status;
    }

    /// @notice One entry of `claimMany`.
    struct ClaimParams {
        address account;
        uint256 cumulativeAmount;
        bytes32[] proof;
    }

    /* ERRORS */

    /// @notice A required address argument is the zero address.
    error RewardsZeroAddress();
    /// @notice An amount argument is zero.
    error RewardsZeroAmount();
    /// @notice Claims are paused by the guardian.
    error RewardsPaused();
    /// @notice `pause` while paused, or `unpause` while not paused.
    error RewardsPauseStateUnchanged(bool paused);
    /// @notice No root has been accepted yet, so nothing can be claimed.
    error RewardsNoRoot();
    /// @notice `claim` or claim-and-stake for `account` would pay nothing: `cumulativeAmount` is not above the
    /// `alreadyClaimed` amount.
    error RewardsNothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    /// @notice The proof of (`account`, `cumulativeAmount`) matches neither the current nor the previous root.
    error RewardsInvalidProof(address account, uint256 cumulativeAmount);
    /// @notice `epoch` was proposed while the next epoch to propose is `expected`.
    error RewardsEpochOutOfOrder(uint64 epoch, uint64 expected);
    /// @notice A proposed root is zero.
    error RewardsZeroRoot();
    /// @notice A proposed `total` is below `previousTotal`, the previous epoch's total (totals are cumulative).
    error RewardsTotalDecreased(uint256 total, uint256 previousTotal);
    /// @notice A proposed `total` is above `funded`, everything the distributor has been funded with.
    error RewardsTotalExceedsFunding(uint256 total, uint256 funded);
    /// @notice `count` signatures were given while `threshold` are needed.
    error RewardsTooFewSignatures(uint256 count, uint256 threshold);
    /// @notice A signature was made by `signer`, who is not in the oracle set.
    error RewardsSignerNotOracle(address signer);
    /// @notice Signers must be strictly ascending by address (which also proves they are distinct): `signer`
    /// came after `previous`.
    error RewardsSignersNotAscending(address signer, address previous);
    /// @notice `acceptRoot` was called with no pending root.
    error RewardsNoPendingRoot();
    /// @notice The pending root of `epoch` cannot be accepted before `claimableAt`.
    error RewardsChallengeWindowActive(uint64 epoch, uint256 claimableAt);
    /// @notice `epoch` is not pending (never proposed, already accepted, or already vetoed).
    error RewardsNotPending(uint64 epoch);
    /// @notice A threshold of `threshold` is not within 1..`oracleCount`.
    error RewardsInvalidThreshold(uint256 threshold, uint256 oracleCount);
    /// @notice `oracle` is already in the oracle set.
    error RewardsOracleAlreadyAdded(address oracle);
    /// @notice `oracle` is not in the oracle set.
    error RewardsOracleNotFound(address oracle);
    /// @notice The oracle set would grow beyond `max` members.
    error RewardsTooManyOracles(uint256 max);
    /// @notice A challenge window of `window` seconds is outside [`min`, `max`].
    error RewardsInvalidChallengeWindow(uint256 window, uint256 min, uint256 max);
    /// @notice The emission minter is already set to `current`; it can be set only once.
    error RewardsEmissionMinterAlreadySet(address current);
    /// @notice The emission minter mints `token` to `recipient`, not MSN to this contract.
    error RewardsEmissionMinterMismatch(address token, address recipient);
    /// @notice A claim-and-stake authorisation expired at `deadline`.
    error RewardsExpiredSignature(uint256 deadline);
    /// @notice The claim-and-stake authorisation is not a valid signature of `account`.
    error RewardsInvalidSignature(address account);
    /// @notice The reward token cannot be recovered (it backs the roots).
    error RewardsCannotRecoverRewardToken();

    /* EVENTS */

    /// @notice `amount` was paid to `account` (to its wallet, or into its stake by claim-and-stake).
    event Claimed(address indexed account, uint256 amount);
    /// @notice The oracle set proposed `root` for `epoch`, with cumulative `total`, committing to the epoch bundle
    /// whose hash is `dataHash`. `dataHash` is not stored: auditors read it from this event.
    event RootProposed(uint64 indexed epoch, bytes32 root, uint256 total, bytes32 dataHash);
    /// @notice The root of `epoch` became the current root; the one before it became the previous root.
    event RootAccepted(uint64 indexed epoch, bytes32 root);
    /// @notice The guardian vetoed the pending `root` of `epoch`; pending epochs [epoch, discardedUntil) were
    /// discarded and `epoch` is the next epoch to propose.
    event RootVetoed(uint64 indexed epoch, bytes32 root, uint64 discardedUntil);
    /// @notice `from` deposited `amount` as funding.
    event Funded(address indexed from, uint256 amount);
    /// @notice The emission minter, whose `totalMinted()` counts as funding, was set.
    event EmissionMinterSet(address indexed emissionMinter);
    /// @notice `oracle` joined the oracle set.
    event OracleAdded(address indexed oracle);
    /// @notice `oracle` left the oracle set.
    event OracleRemoved(address indexed oracle);
    /// @notice The number of oracle signatures a root needs is now `threshold`.
    event ThresholdSet(uint256 threshold);
    /// @notice The challenge window is now `window` seconds (it applies to pending roots too).
    event ChallengeWindowSet(uint256 window);
    /// @notice Claims were paused by `account`.
    event Paused(address account);
    /// @notice Claims were resumed by `account`.
    event Unpaused(address account);
    /// @notice `amount` of a foreign `token` sent here by mistake was returned to `to`.
    event TokenRecovered(address indexed token, address indexed to, uint256 amount);

    /* CONSTANTS AND IMMUTABLES */

    /// @notice The role that can veto pending roots and pause claims.
    function GUARDIAN_ROLE() external view returns (bytes32);
    /// @notice The shortest challenge window governance can set: 1 hour.
    function MIN_CHALLENGE_WINDOW() external view returns (uint256);
    /// @notice The longest challenge window governance can set: 7 days.
    function MAX_CHALLENGE_WINDOW() external view returns (uint256);
    /// @notice The largest oracle set (bounds the gas of `proposeRoot`): 64.
    function MAX_ORACLES() external view returns (uint256);
    /// @notice `keccak256("EpochRoot(uint64 epoch,bytes32 root,uint256 total,bytes32 dataHash)")`.
    function EPOCH_ROOT_TYPEHASH() external view returns (bytes32);
    /// @notice `keccak256("ClaimAndStake(address account,uint256 cumulativeAmount,uint256 nonce,uint256 deadline)")`.
    function CLAIM_AND_STAKE_TYPEHASH() external view returns (bytes32);
    /// @notice The reward token (MSN).
    function TOKEN() external view returns (address);
    /// @notice The MinerStaking contract that claim-and-stake stakes into. It holds an unlimited allowance from
    /// this contract (granted once at deployment) so that `stakeFor` can pull the payout.
    function STAKING() external view returns (address);

    /* CLAIMS */

    /// @notice Pays `cumulativeAmount - claimed(account)` to `account`. Anyone may call it (relayers give gasless
    /// claims); tokens only ever go to `account`.
    /// @dev The proof may be against the current root or the previous accepted root, so a root update never
    /// breaks a claim in flight. Claiming twice in a row reverts with `RewardsNothingToClaim` (as does a
    /// `cumulativeAmount` from an older root after a newer one was claimed).
    /// @param account The account of the leaf, and the recipient.
    /// @param cumulativeAmount The account's cumulative amount in the leaf.
    /// @param proof The Merkle proof of the leaf.
    /// @return amount The amount paid.
    function claim(
        address account,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external returns (uint256 amount);

    /// @notice Claims for several accounts in one transaction, each paid to its own account.
    /// @dev An entry with nothing left to claim (already claimed, e.g. by a front-running claim) pays nothing
    /// and is skipped, so that nobody can make a relayer's whole batch revert; an invalid proof still reverts
    /// the batch.
    /// @param claims The entries: account, cumulative amount, proof.
    /// @return paid The sum paid to all accounts.
    function claimMany(ClaimParams[] calldata claims) external returns (uint256 paid);

    /// @notice Claims for the caller and stakes the payout for the caller in `STAKING`, in one transaction.
    /// @param cumulativeAmount The caller's cumulative amount in the leaf.
    /// @param proof The Merkle proof of the leaf.
    /// @return amount The amount claimed and staked.
    function claimAndStake(
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external returns (uint256 amount);

    /// @notice Claims for `account` and stakes the payout for `account` in `STAKING`, authorised by `account`'s
    /// EIP-712 `ClaimAndStake(account, cumulativeAmount, nonce, deadline)` signature (ERC-1271 for contract
    /// accounts). Anyone may submit it; each signature works once (it consumes `nonces(account)`).
    /// @param account The account of the leaf, whose stake receives the payout.
    /// @param cumulativeAmount The account's cumulative amount in the leaf (also signed).
    /// @param proof The Merkle proof of the leaf.
    /// @param deadline The last unix second at which the signature is valid.
    /// @param signature `account`'s signature.
    /// @return amount The amount claimed and staked.
    function claimAndStakeWithSig(
        address account,
        uint256 cumulativeAmount,
        bytes32[] calldata proof,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount);

    /* ROOTS */

    /// @notice Proposes `root` for `epoch`, signed by at least `threshold()` distinct oracles. Anyone may submit it.
    /// @dev Signatures are EIP-712 `EpochRoot(epoch, root, total, dataHash)` signatures (65 bytes, low s),
    /// ordered by signer address, strictly ascending. `epoch` must equal `nextEpochToPropose()`; `total` must be
    /// at least the previous epoch's total and at most `funded()`. The root becomes claimable through
    /// `acceptRoot` once `challengeWindow()` has passed.
    /// @param epoch The epoch (the first is 0).
    /// @param root The Merkle root of cumulative amounts through `epoch`.
    /// @param total The sum of all leaves' cumulative amounts.
    /// @param dataHash The hash of the published epoch bundle, from which anyone can recompute the root.
    /// @param signatures The oracles' signatures, sorted by signer address.
    function proposeRoot(
        uint64 epoch,
        bytes32 root,
        uint256 total,
        bytes32 dataHash,
        bytes[] calldata signatures
    ) external;

    /// @notice Accepts the oldest pending root once its challenge window has passed: it becomes the current root
    /// and the current one becomes the previous root. Permissionless (the oracle or any keeper calls it).
    /// @dev Works while paused too (the accepted root is then claimable from `unpause` on).
    /// @return epoch The epoch accepted.
    function acceptRoot() external returns (uint64 epoch);

    /// @notice Vetoes the pending root of `epoch` (guardian only), any time before it is accepted. Later pending
    /// epochs are discarded with it and `epoch` is proposed again next.
    /// @param epoch A pending epoch.
    function veto(uint64 epoch) external;

    /// @notice The EIP-712 digest the oracles sign for a root proposal.
    function hashEpochRoot(
        uint64 epoch,
        bytes32 root,
        uint256 total,
        bytes32 dataHash
    ) external view returns (bytes32);

    /// @notice The EIP-712 digest `account` signs to authorise `claimAndStakeWithSig`.
    function hashClaimAndStake(
        address account,
        uint256 cumulativeAmount,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /* FUNDING */

    /// @notice Deposits `amount` MSN, pulled from the caller (who approved this contract), as funding: user
    /// payments and any other top-up. Permissionless.
    /// @param amount The amount in wei, > 0.
    function fund(uint256 amount) external;

    /// @notice Sets the emission minter whose `totalMinted()` counts as funding (governance, once; or in the
    /// constructor). It must mint MSN to this contract.
    /// @param emissionMinter_ The EmissionMinter.
    function setEmissionMinter(address emissionMinter_) external;

    /// @notice Returns `amount` of a foreign `token` sent here by mistake to `to` (governance). Never MSN.
    function recoverToken(address token, address to, uint256 amount) external;

    /* ORACLE SET AND PARAMETERS (governance: DEFAULT_ADMIN_ROLE) */

    /// @notice Adds `oracle` to the oracle set.
    function addOracle(address oracle) external;
    /// @notice Removes `oracle` from the oracle set; reverts if the set would become smaller than the threshold.
    function removeOracle(address oracle) external;
    /// @notice Sets the number of oracle signatures a root needs, 1..oracleCount().
    function setThreshold(uint256 threshold_) external;
    /// @notice Sets the challenge window in seconds, within [MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW].
    /// @dev It applies to pending roots too: a pending root becomes acceptable at `proposedAt + window`.
    function setChallengeWindow(uint256 window) external;

    /* PAUSE (guardian: GUARDIAN_ROLE) */

    /// @notice Pauses claims (claim, claimMany, claim-and-stake). Proposals and acceptances go on.
    function pause() external;
    /// @notice Resumes claims.
    function unpause() external;

    /* VIEWS */

    /// @notice Whether claims are paused.
    function paused() external view returns (bool);
    /// @notice The current (latest accepted) root and its epoch; `root` is zero while no root was accepted.
    function currentRoot() external view returns (uint64 epoch, bytes32 root);
    /// @notice The previous accepted root and its epoch; `root` is zero while fewer than two roots were accepted.
    function previousRoot() external view returns (uint64 epoch, bytes32 root);
    /// @notice The stored root, total, timing and status of `epoch`.
    function epochRoot(uint64 epoch) external view returns (EpochRootInfo memory);
    /// @notice The epoch the next proposal must carry.
    function nextEpochToPropose() external view returns (uint64);
    /// @notice The epoch the next `acceptRoot` accepts (also the number of epochs accepted so far); it is pending
    /// if below `nextEpochToPropose()`.
    function nextEpochToAccept() external view returns (uint64);
    /// @notice The cumulative amount `account` has claimed so far.
    function claimed(address account) external view returns (uint256);
    /// @notice Everything the distributor has been funded with: `emissionMinter.totalMinted() + deposited()`.
    function funded() external view returns (uint256);
    /// @notice Everything deposited through `fund`.
    function deposited() external view returns (uint256);
    /// @notice The emission minter (zero while not set).
    function emissionMinter() external view returns (address);
    /// @notice The number of oracle signatures a root needs.
    function threshold() external view returns (uint256);
    /// @notice The challenge window in seconds.
    function challengeWindow() external view returns (uint256);
    /// @notice Whether `account` is in the oracle set.
    function isOracle(address account) external view returns (bool);
    /// @notice The oracle set.
    function oracles() external view returns (address[] memory);
    /// @notice The size of the oracle set.
    function oracleCount() external view returns (uint256);
    /// @notice The next claim-and-stake nonce of `account`.
    function nonces(address account) external view returns (uint256);
}
