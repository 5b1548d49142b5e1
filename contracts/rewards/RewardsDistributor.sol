// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IEmissionMinter} from "../interfaces/IEmissionMinter.sol";
import {IMinerStaking} from "../interfaces/IMinerStaking.sol";
import {IRewardsDistributor} from "../interfaces/IRewardsDistributor.sol";
import {LeanMerkleProof} from "../libraries/LeanMerkleProof.sol";

/// @title RewardsDistributor
/// @notice Cumulative Merkle rewards for MSN miners, with oracle-signed roots, a challenge window, a guardian
/// veto and claim-and-stake. See IRewardsDistributor for the rules.
/// @dev Gas layout of a claim: the current root is one storage slot read once; the previous root is read only
/// when the proof does not match the current one; pausing moves the current root aside (`_parkedRoot`) and
/// leaves zero in its place, so the happy path pays no separate `paused` read; the token and the staking
/// contract are immutables; the proof is processed by LeanMerkleProof (OpenZeppelin's function, ~90 gas less
/// per element); the only write is `claimed[account]`; no global claimed counter (see the funding warning).
contract RewardsDistributor is IRewardsDistributor, AccessControl, EIP712, Nonces {
    using SafeERC20 for IERC20;
    using EnumerableSet for EnumerableSet.AddressSet;

    /* CONSTANTS AND IMMUTABLES */

    /// @inheritdoc IRewardsDistributor
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @inheritdoc IRewardsDistributor
    uint256 public constant MIN_CHALLENGE_WINDOW = 1 hours;
    /// @inheritdoc IRewardsDistributor
    uint256 public constant MAX_CHALLENGE_WINDOW = 7 days;
    /// @inheritdoc IRewardsDistributor
    uint256 public constant MAX_ORACLES = 64;
    /// @inheritdoc IRewardsDistributor
    bytes32 public constant EPOCH_ROOT_TYPEHASH = keccak256(
        "EpochRoot(uint64 epoch,bytes32 root,uint256 total,bytes32 dataHash)"
    );
    /// @inheritdoc IRewardsDistributor
    bytes32 public constant CLAIM_AND_STAKE_TYPEHASH = keccak256(
        "ClaimAndStake(address account,uint256 cumulativeAmount,uint256 nonce,uint256 deadline)"
    );

    IERC20 private immutable _TOKEN;
    IMinerStaking private immutable _STAKING;

    /* STORAGE */

    /// @dev Cursors and parameters, packed in one slot (read once by proposeRoot, acceptRoot, veto).
    struct State {
        uint64 nextToPropose; // epochs [nextToAccept, nextToPropose) are pending
        uint64 nextToAccept; // epochs [0, nextToAccept) are accepted
        uint32 challengeWindow;
        uint16 threshold;
        bool paused;
    }

    /// @dev One epoch's proposal: the root, and {total, proposedAt} packed in a second slot.
    struct EpochRecord {
        bytes32 root;
        uint96 total; // <= funded(), which is bounded by MSN's 127.5M cap for emission; SafeCast guards the rest
        uint40 proposedAt;
    }

    /// @dev The live current root, or zero while paused or before the first acceptance.
    bytes32 private _currentRoot;
    /// @dev The previous accepted root (zero while fewer than two roots were accepted).
    bytes32 private _previousRoot;
    /// @dev The current root while paused (zero otherwise).
    bytes32 private _parkedRoot;

    /// @inheritdoc IRewardsDistributor
    mapping(address account => uint256) public claimed;

    State private _state;

    /// @dev The emission minter and the sum of deposits, packed in one slot (both read by `funded`).
    address private _emissionMinter;
    uint96 private _deposited;

    mapping(uint64 epoch => EpochRecord) private _epochs;

    EnumerableSet.AddressSet private _oracles;

    /* CONSTRUCTOR */

    /// @param token The MSN token.
    /// @param staking The MinerStaking contract (claim-and-stake target); gets an unlimited allowance.
    /// @param emissionMinter_ The EmissionMinter, or zero to set it later with `setEmissionMinter`.
    /// @param admin Governance: DEFAULT_ADMIN_ROLE (oracle set, threshold, window, emission minter).
    /// @param guardian The guardian: GUARDIAN_ROLE (veto, pause).
    /// @param oracles_ The initial oracle set.
    /// @param threshold_ The number of oracle signatures a root needs, 1..oracles_.length.
    /// @param challengeWindow_ The challenge window in seconds.
    constructor(
        address token,
        address staking,
        address emissionMinter_,
        address admin,
        address guardian,
        address[] memory oracles_,
        uint256 threshold_,
        uint256 challengeWindow_
    ) EIP712("MSN Rewards", "1") {
        if (token == address(0) || staking == address(0) || admin == address(0) || guardian == address(0)) {
            revert RewardsZeroAddress();
        }
        _TOKEN = IERC20(token);
        _STAKING = IMinerStaking(staking);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        for (uint256 i = 0; i < oracles_.length; ++i) {
            _addOracle(oracles_[i]);
        }
        _setThreshold(threshold_);
        _setChallengeWindow(challengeWindow_);
        if (emissionMinter_ != address(0)) _setEmissionMinter(emissionMinter_);
        // One approval for the life of the contract: MSN (OpenZeppelin ERC20) never decreases an unlimited
        // allowance, so claim-and-stake pays no allowance write.
        IERC20(token).forceApprove(staking, type(uint256).max);
    }

    /* CLAIMS */

    /// @inheritdoc IRewardsDistributor
    function claim(
        address account,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external returns (uint256 amount) {
        amount = _claim(_liveRoot(), account, cumulativeAmount, proof);
        if (amount == 0) revert RewardsNothingToClaim(account, cumulativeAmount, claimed[account]);
        _TOKEN.safeTransfer(account, amount);
    }

    /// @inheritdoc IRewardsDistributor
    function claimMany(ClaimParams[] calldata claims) external returns (uint256 paid) {
        bytes32 root = _liveRoot();
        for (uint256 i = 0; i < claims.length; ++i) {
            ClaimParams calldata c = claims[i];
            uint256 amount = _claim(root, c.account, c.cumulativeAmount, c.proof);
            if (amount != 0) {
                // Cannot overflow: every amount was held by this contract, and MSN's supply fits in uint256.
                unchecked {
                    paid += amount;
                }
                _TOKEN.safeTransfer(c.account, amount);
            }
        }
    }

    /// @inheritdoc IRewardsDistributor
    function claimAndStake(
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external returns (uint256 amount) {
        amount = _claimAndStake(msg.sender, cumulativeAmount, proof);
    }

    /// @inheritdoc IRewardsDistributor
    function claimAndStakeWithSig(
        address account,
        uint256 cumulativeAmount,
        bytes32[] calldata proof,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount) {
        if (block.timestamp > deadline) revert RewardsExpiredSignature(deadline);
        bytes32 digest = hashClaimAndStake(account, cumulativeAmount, _useNonce(account), deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(account, digest, signature)) {
            revert RewardsInvalidSignature(account);
        }
        amount = _claimAndStake(account, cumulativeAmount, proof);
    }

    /* ROOTS */

    /// @inheritdoc IRewardsDistributor
    function proposeRoot(
        uint64 epoch,
        bytes32 root,
        uint256 total,
        bytes32 dataHash,
        bytes[] calldata signatures
    ) external {
        State memory s = _state;
        if (epoch != s.nextToPropose) revert RewardsEpochOutOfOrder(epoch, s.nextToPropose);
        if (root == bytes32(0)) revert RewardsZeroRoot();
        if (epoch != 0) {
            uint256 previousTotal = _epochs[epoch - 1].total;
            if (total < previousTotal) revert RewardsTotalDecreased(total, previousTotal);
        }
        uint256 available = funded();
        if (total > available) revert RewardsTotalExceedsFunding(total, available);
        _checkSignatures(hashEpochRoot(epoch, root, total, dataHash), signatures, s.threshold);

        _epochs[epoch] = EpochRecord({
            root: root,
            total: SafeCast.toUint96(total),
            proposedAt: uint40(block.timestamp)
        });
        // Cannot overflow: epoch == nextToPropose, and reaching 2^64 - 1 proposals is not possible.
        unchecked {
            _state.nextToPropose = epoch + 1;
        }
        emit RootProposed(epoch, root, total, dataHash);
    }

    /// @inheritdoc IRewardsDistributor
    function acceptRoot() external returns (uint64 epoch) {
        State memory s = _state;
        epoch = s.nextToAccept;
        if (epoch == s.nextToPropose) revert RewardsNoPendingRoot();
        EpochRecord storage record = _epochs[epoch];
        uint256 claimableAt = uint256(record.proposedAt) + s.challengeWindow;
        if (block.timestamp < claimableAt) revert RewardsChallengeWindowActive(epoch, claimableAt);

        bytes32 root = record.root;
        if (s.paused) {
            _previousRoot = _parkedRoot;
            _parkedRoot = root;
        } else {
            _previousRoot = _currentRoot;
            _currentRoot = root;
        }
        // Cannot overflow: epoch < nextToPropose.
        unchecked {
            _state.nextToAccept = epoch + 1;
        }
        emit RootAccepted(epoch, root);
    }

    /// @inheritdoc IRewardsDistributor
    function veto(uint64 epoch) external onlyRole(GUARDIAN_ROLE) {
        State memory s = _state;
        if (epoch < s.nextToAccept || epoch >= s.nextToPropose) revert RewardsNotPending(epoch);
        _state.nextToPropose = epoch;
        emit RootVetoed(epoch, _epochs[epoch].root, s.nextToPropose);
    }

    /// @inheritdoc IRewardsDistributor
    function hashEpochRoot(
        uint64 epoch,
        bytes32 root,
        uint256 total,
        bytes32 dataHash
    ) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(EPOCH_ROOT_TYPEHASH, epoch, root, total, dataHash)));
    }

    /// @inheritdoc IRewardsDistributor
    function hashClaimAndStake(
        address account,
        uint256 cumulativeAmount,
        uint256 nonce,
        uint256 deadline
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(CLAIM_AND_STAKE_TYPEHASH, account, cumulativeAmount, nonce, deadline))
            );
    }

    /* FUNDING */

    /// @inheritdoc IRewardsDistributor
    function fund(uint256 amount) external {
        if (amount == 0) revert RewardsZeroAmount();
        _deposited = SafeCast.toUint96(uint256(_deposited) + amount);
        emit Funded(msg.sender, amount);
        _TOKEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IRewardsDistributor
    function setEmissionMinter(address emissionMinter_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setEmissionMinter(emissionMinter_);
    }

    /// @inheritdoc IRewardsDistributor
    function recoverToken(address token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(_TOKEN)) revert RewardsCannotRecoverRewardToken();
        if (to == address(0)) revert RewardsZeroAddress();
        emit TokenRecovered(token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /* ORACLE SET AND PARAMETERS */

    /// @inheritdoc IRewardsDistributor
    function addOracle(address oracle) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _addOracle(oracle);
    }

    /// @inheritdoc IRewardsDistributor
    function removeOracle(address oracle) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_oracles.remove(oracle)) revert RewardsOracleNotFound(oracle);
        uint256 count = _oracles.length();
        if (count < _state.threshold) revert RewardsInvalidThreshold(_state.threshold, count);
        emit OracleRemoved(oracle);
    }

    /// @inheritdoc IRewardsDistributor
    function setThreshold(uint256 threshold_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setThreshold(threshold_);
    }

    /// @inheritdoc IRewardsDistributor
    function setChallengeWindow(uint256 window) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setChallengeWindow(window);
    }

    /* PAUSE */

    /// @inheritdoc IRewardsDistributor
    function pause() external onlyRole(GUARDIAN_ROLE) {
        if (_state.paused) revert RewardsPauseStateUnchanged(true);
        _state.paused = true;
        _parkedRoot = _currentRoot;
        _currentRoot = bytes32(0);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IRewardsDistributor
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        if (!_state.paused) revert RewardsPauseStateUnchanged(false);
        _state.paused = false;
        _currentRoot = _parkedRoot;
        _parkedRoot = bytes32(0);
        emit Unpaused(msg.sender);
    }

    /* VIEWS */

    /// @inheritdoc IRewardsDistributor
    // solhint-disable-next-line func-name-mixedcase
    function TOKEN() external view returns (address) {
        return address(_TOKEN);
    }

    /// @inheritdoc IRewardsDistributor
    // solhint-disable-next-line func-name-mixedcase
    function STAKING() external view returns (address) {
        return address(_STAKING);
    }

    /// @inheritdoc IRewardsDistributor
    function paused() external view returns (bool) {
        return _state.paused;
    }

    /// @inheritdoc IRewardsDistributor
    function currentRoot() external view returns (uint64 epoch, bytes32 root) {
        State memory s = _state;
        if (s.nextToAccept == 0) return (0, bytes32(0));
        return (s.nextToAccept - 1, s.paused ? _parkedRoot : _currentRoot);
    }

    /// @inheritdoc IRewardsDistributor
    function previousRoot() external view returns (uint64 epoch, bytes32 root) {
        uint64 accepted = _state.nextToAccept;
        if (accepted < 2) return (0, bytes32(0));
        return (accepted - 2, _previousRoot);
    }

    /// @inheritdoc IRewardsDistributor
    function epochRoot(uint64 epoch) external view returns (EpochRootInfo memory info) {
        State memory s = _state;
        EpochRecord memory record = _epochs[epoch];
        if (record.proposedAt == 0) return info;
        info.root = record.root;
        info.total = record.total;
        info.proposedAt = record.proposedAt;
        info.claimableAt = uint256(record.proposedAt) + s.challengeWindow;
        if (epoch < s.nextToAccept) info.status = RootStatus.Accepted;
        else if (epoch < s.nextToPropose) info.status = RootStatus.Pending;
        else info.status = RootStatus.Vetoed;
    }

    /// @inheritdoc IRewardsDistributor
    function nextEpochToPropose() external view returns (uint64) {
        return _state.nextToPropose;
    }

    /// @inheritdoc IRewardsDistributor
    function nextEpochToAccept() external view returns (uint64) {
        return _state.nextToAccept;
    }

    /// @inheritdoc IRewardsDistributor
    function funded() public view returns (uint256) {
        address minter = _emissionMinter;
        uint256 minted = minter == address(0) ? 0 : IEmissionMinter(minter).totalMinted();
        return minted + _deposited;
    }

    /// @inheritdoc IRewardsDistributor
    function deposited() external view returns (uint256) {
        return _deposited;
    }

    /// @inheritdoc IRewardsDistributor
    function emissionMinter() external view returns (address) {
        return _emissionMinter;
    }

    /// @inheritdoc IRewardsDistributor
    function threshold() external view returns (uint256) {
        return _state.threshold;
    }

    /// @inheritdoc IRewardsDistributor
    function challengeWindow() external view returns (uint256) {
        return _state.challengeWindow;
    }

    /// @inheritdoc IRewardsDistributor
    function isOracle(address account) external view returns (bool) {
        return _oracles.contains(account);
    }

    /// @inheritdoc IRewardsDistributor
    function oracles() external view returns (address[] memory) {
        return _oracles.values();
    }

    /// @inheritdoc IRewardsDistributor
    function oracleCount() external view returns (uint256) {
        return _oracles.length();
    }

    /// @inheritdoc IRewardsDistributor
    function nonces(address account) public view override(IRewardsDistributor, Nonces) returns (uint256) {
        return super.nonces(account);
    }

    /* INTERNAL: CLAIMS */

    /// @dev The live current root; reverts while paused or before the first acceptance. The `paused` flag is
    /// read only on that failure path.
    function _liveRoot() private view returns (bytes32 root) {
        root = _currentRoot;
        if (root == bytes32(0)) {
            if (_state.paused) revert RewardsPaused();
            revert RewardsNoRoot();
        }
    }

    /// @dev Verifies the leaf against `root` (or, failing that, the previous root), records the claim and
    /// emits `Claimed`. Returns 0, touching nothing, when nothing is left to claim. The caller pays out.
    function _claim(
        bytes32 root,
        address account,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) private returns (uint256 amount) {
        uint256 alreadyClaimed = claimed[account];
        if (cumulativeAmount <= alreadyClaimed) return 0;
        bytes32 computed = LeanMerkleProof.processProofCalldata(proof, _leaf(account, cumulativeAmount));
        if (computed != root && computed != _previousRoot)
            revert RewardsInvalidProof(account, cumulativeAmount);
        claimed[account] = cumulativeAmount;
        // Cannot underflow: cumulativeAmount > alreadyClaimed.
        unchecked {
            amount = cumulativeAmount - alreadyClaimed;
        }
        emit Claimed(account, amount);
    }

    function _claimAndStake(
        address account,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) private returns (uint256 amount) {
        amount = _claim(_liveRoot(), account, cumulativeAmount, proof);
        if (amount == 0) revert RewardsNothingToClaim(account, cumulativeAmount, claimed[account]);
        // MinerStaking pulls `amount` from this contract through the allowance granted in the constructor.
        _STAKING.stakeFor(account, amount);
    }

    /// @dev OpenZeppelin's standard leaf `keccak256(bytes.concat(keccak256(abi.encode(account, amount))))`,
    /// hashed in the scratch space (no memory allocation).
    function _leaf(address account, uint256 cumulativeAmount) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, cumulativeAmount)
            mstore(0x00, keccak256(0x00, 0x40))
            leaf := keccak256(0x00, 0x20)
        }
    }

    /* INTERNAL: SIGNATURES AND SETTERS */

    function _checkSignatures(bytes32 digest, bytes[] calldata signatures, uint256 threshold_) private view {
        uint256 count = signatures.length;
        if (count < threshold_) revert RewardsTooFewSignatures(count, threshold_);
        address previous;
        for (uint256 i = 0; i < count; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous) revert RewardsSignersNotAscending(signer, previous);
            if (!_oracles.contains(signer)) revert RewardsSignerNotOracle(signer);
            previous = signer;
        }
    }

    function _addOracle(address oracle) private {
        if (oracle == address(0)) revert RewardsZeroAddress();
        if (_oracles.length() >= MAX_ORACLES) revert RewardsTooManyOracles(MAX_ORACLES);
        if (!_oracles.add(oracle)) revert RewardsOracleAlreadyAdded(oracle);
        emit OracleAdded(oracle);
    }

    function _setThreshold(uint256 threshold_) private {
        uint256 count = _oracles.length();
        if (threshold_ == 0 || threshold_ > count) revert RewardsInvalidThreshold(threshold_, count);
        // Fits: threshold_ <= count <= MAX_ORACLES.
        _state.threshold = uint16(threshold_);
        emit ThresholdSet(threshold_);
    }

    function _setChallengeWindow(uint256 window) private {
        if (window < MIN_CHALLENGE_WINDOW || window > MAX_CHALLENGE_WINDOW) {
            revert RewardsInvalidChallengeWindow(window, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        }
        // Fits: window <= MAX_CHALLENGE_WINDOW.
        _state.challengeWindow = uint32(window);
        emit ChallengeWindowSet(window);
    }

    function _setEmissionMinter(address emissionMinter_) private {
        if (_emissionMinter != address(0)) revert RewardsEmissionMinterAlreadySet(_emissionMinter);
        if (emissionMinter_ == address(0)) revert RewardsZeroAddress();
        address token = IEmissionMinter(emissionMinter_).TOKEN();
        address recipient = IEmissionMinter(emissionMinter_).RECIPIENT();
        if (token != address(_TOKEN) || recipient != address(this)) {
            revert RewardsEmissionMinterMismatch(token, recipient);
        }
        _emissionMinter = emissionMinter_;
        emit EmissionMinterSet(emissionMinter_);
    }
}
