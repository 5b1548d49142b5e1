// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IMinerStaking} from "../interfaces/IMinerStaking.sol";

/// @title MinerStaking
/// @notice Node registry, checkpointed miner stake, boost, unbonding queue and slashing (SPEC §4).
/// @dev Unbonding queue design. Each operator's pending requests live in a FIFO `_queue[operator][i]` for
/// i in [head, tail). An entry stores its release time and the *end* of the request on the operator's
/// cumulative unbonding line (`end` = everything ever queued by the operator, minus what slashes removed,
/// up to and including this request). An entry's amount is its end minus the previous entry's end; the
/// withdrawn position is the end of entry head - 1 (or 0). Release times and ends both increase along
/// [head, tail), so:
/// - `withdraw` binary-searches the last matured entry and pays `end(k) - end(head - 1)` in one go;
/// - a slash that takes `x` from unbonding lowers the top of the line by `x`: it binary-searches the first
///   entry ending above the new top, cuts that entry to end there and drops every entry after it;
/// - `requestUnstake` appends an entry (or grows the newest one when the release time is the same).
/// Every operation is O(1) or O(log n) in the number of pending requests; nothing loops over them.
contract MinerStaking is IMinerStaking, AccessControl, EIP712 {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using Checkpoints for Checkpoints.Trace208;

    /* TYPES */

    /// @dev One unbonding queue entry (one storage slot).
    struct QueueEntry {
        uint48 releaseTime;
        uint208 end;
    }

    /// @dev Per-operator bookkeeping (one storage slot).
    struct Account {
        uint64 head;
        uint64 tail;
        uint64 nodeCount;
    }

    /// @dev Per-node record (one storage slot): the current operator (zero when unregistered) and the nonce
    /// the next registration signature must carry.
    struct NodeRecord {
        address operator;
        uint96 nonce;
    }

    /* CONSTANTS AND IMMUTABLES */

    /// @inheritdoc IMinerStaking
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @inheritdoc IMinerStaking
    bytes32 public constant REGISTER_NODE_TYPEHASH = keccak256(
        "RegisterNode(address node,address operator,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc IMinerStaking
    uint256 public constant MIN_UNBONDING_PERIOD = 1 days;
    /// @inheritdoc IMinerStaking
    uint256 public constant MAX_UNBONDING_PERIOD = 60 days;
    /// @inheritdoc IMinerStaking
    uint256 public constant MIN_MAX_BOOST_BPS = 10_000;
    /// @inheritdoc IMinerStaking
    uint256 public constant MAX_MAX_BOOST_BPS = 100_000;
    /// @inheritdoc IMinerStaking
    uint256 public constant MIN_FULL_STAKE_PER_NODE = 1 ether;
    /// @inheritdoc IMinerStaking
    uint256 public constant MAX_FULL_STAKE_PER_NODE = 100_000_000 ether;
    /// @inheritdoc IMinerStaking
    uint256 public constant MIN_MAX_SLASH_BPS = 1;
    /// @inheritdoc IMinerStaking
    uint256 public constant MAX_MAX_SLASH_BPS = 10_000;

    uint256 private constant _BPS = 10_000;
    /// @dev Boost parameters are checkpointed together as `fullStakePerNode << 32 | maxBoostBps`.
    uint256 private constant _BOOST_SHIFT = 32;
    uint256 private constant _BOOST_MASK = type(uint32).max;

    /// @inheritdoc IMinerStaking
    IERC20 public immutable TOKEN;

    /* STORAGE */

    mapping(address node => NodeRecord) private _nodes;
    mapping(address operator => Account) private _accounts;
    mapping(address operator => mapping(uint256 index => QueueEntry)) private _queue;
    mapping(address operator => Checkpoints.Trace208) private _activeStake;
    Checkpoints.Trace208 private _boostParams;

    uint128 private _totalActive;
    uint128 private _totalUnbonding;

    address private _treasury;
    uint48 private _unbondingPeriod;
    uint16 private _maxSlashBps;

    /* CONSTRUCTOR */

    /// @param token The MSN token.
    /// @param admin Governance: gets DEFAULT_ADMIN_ROLE (parameters, roles) and SLASHER_ROLE.
    /// @param treasury_ Where slashed tokens go.
    /// @param unbondingPeriod_ Initial unbonding period in seconds (SPEC default 7 days).
    /// @param maxBoostBps_ Initial max boost in basis points (SPEC default 20000).
    /// @param fullStakePerNode_ Initial stake per node for the full boost, in wei (SPEC default 1,000 MSN).
    /// @param maxSlashBps_ Initial max slash fraction in basis points (SPEC default 5000).
    constructor(
        IERC20 token,
        address admin,
        address treasury_,
        uint256 unbondingPeriod_,
        uint256 maxBoostBps_,
        uint256 fullStakePerNode_,
        uint256 maxSlashBps_
    ) EIP712("MSN Bandwidth", "1") {
        if (address(token) == address(0) || admin == address(0)) revert StakingZeroAddress();
        TOKEN = token;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(SLASHER_ROLE, admin);
        _setTreasury(treasury_);
        _setUnbondingPeriod(unbondingPeriod_);
        _setBoostParams(maxBoostBps_, fullStakePerNode_);
        _setMaxSlashBps(maxSlashBps_);
    }

    /* NODE REGISTRY */

    /// @inheritdoc IMinerStaking
    function registerNode(address node, uint256 deadline, bytes calldata signature) external {
        if (node == address(0)) revert StakingZeroAddress();
        if (block.timestamp > deadline) revert StakingSignatureExpired(deadline, block.timestamp);
        NodeRecord memory record = _nodes[node];
        if (record.operator != address(0)) revert StakingNodeAlreadyRegistered(node, record.operator);

        (address signer, , ) = ECDSA.tryRecoverCalldata(
            _registerNodeDigest(node, msg.sender, record.nonce, deadline),
            signature
        );
        if (signer != node) {
            // Failure path only: tell a replay of the signature that consumed the previous nonce apart
            // from any other bad signature (wrong key, operator, deadline, chain or contract).
            if (record.nonce > 0) {
                (address previous, , ) = ECDSA.tryRecoverCalldata(
                    _registerNodeDigest(node, msg.sender, record.nonce - 1, deadline),
                    signature
                );
                if (previous == node) revert StakingSignatureReplayed(node, record.nonce - 1);
            }
            revert StakingInvalidNodeSignature(node, signer);
        }

        // One slot: the nonce cannot reach 2^96 (each increment is a registration transaction).
        _nodes[node] = NodeRecord({operator: msg.sender, nonce: record.nonce + 1});
        // Cannot overflow: every registered node is a distinct address with a paid transaction.
        unchecked {
            ++_accounts[msg.sender].nodeCount;
        }
        emit NodeRegistered(node, msg.sender);
    }

    /// @inheritdoc IMinerStaking
    function deregisterNode(address node) external {
        if (_nodes[node].operator != msg.sender) revert StakingNotNodeOperator(node, msg.sender);
        delete _nodes[node].operator;
        // Cannot underflow: the caller is the node's operator, so its count includes this node.
        unchecked {
            --_accounts[msg.sender].nodeCount;
        }
        emit NodeDeregistered(node, msg.sender);
    }

    /// @inheritdoc IMinerStaking
    function operatorOf(address node) external view returns (address) {
        return _nodes[node].operator;
    }

    /// @inheritdoc IMinerStaking
    function nodeCount(address operator) external view returns (uint256) {
        return _accounts[operator].nodeCount;
    }

    /// @inheritdoc IMinerStaking
    function nodeNonce(address node) external view returns (uint256) {
        return _nodes[node].nonce;
    }

    /// @inheritdoc IMinerStaking
    function registerNodeDigest(
        address node,
        address operator,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _registerNodeDigest(node, operator, nonce, deadline);
    }

    /// @inheritdoc IMinerStaking
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /* STAKING */

    /// @inheritdoc IMinerStaking
    function stake(uint256 amount) external {
        _stake(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc IMinerStaking
    function stakeFor(address operator, uint256 amount) external {
        _stake(msg.sender, operator, amount);
    }

    /// @inheritdoc IMinerStaking
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external {
        // A failed permit (e.g. front-run with the same signature) must not block a stake the existing
        // allowance already covers; if it does not, the transfer below reverts.
        try
            IERC20Permit(address(TOKEN)).permit(msg.sender, address(this), amount, deadline, v, r, s)
        {} catch {} // solhint-disable-line no-empty-blocks
        _stake(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc IMinerStaking
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert StakingZeroAmount();
        Checkpoints.Trace208 storage trace = _activeStake[msg.sender];
        uint256 active = trace.latest();
        if (amount > active) revert StakingInsufficientActiveStake(msg.sender, active, amount);

        Account storage account = _accounts[msg.sender];
        uint64 tail = account.tail;
        uint256 releaseTime = block.timestamp + _unbondingPeriod;
        uint256 top;
        if (tail > 0) {
            QueueEntry storage newest;
            // Cannot underflow: tail > 0.
            unchecked {
                newest = _queue[msg.sender][tail - 1];
            }
            top = newest.end;
            if (tail > account.head) {
                uint256 newestRelease = newest.releaseTime;
                if (newestRelease >= releaseTime) {
                    // Same block (or a shortened period): join the newest entry, keeping release times sorted.
                    releaseTime = newestRelease;
                    newest.end = (top + amount).toUint208();
                    _afterUnstake(trace, active, amount, releaseTime);
                    return;
                }
            }
        }
        _queue[msg.sender][tail] = QueueEntry({
            releaseTime: releaseTime.toUint48(),
            end: (top + amount).toUint208()
        });
        // Cannot overflow: one increment per unstake transaction.
        unchecked {
            account.tail = tail + 1;
        }
        _afterUnstake(trace, active, amount, releaseTime);
    }

    /// @inheritdoc IMinerStaking
    function withdraw() external returns (uint256 amount) {
        Account storage account = _accounts[msg.sender];
        uint256 head = account.head;
        uint256 tail = account.tail;
        if (head == tail) revert StakingNothingUnbonding(msg.sender);
        mapping(uint256 => QueueEntry) storage queue = _queue[msg.sender];

        uint256 matured = _maturedUntil(queue, head, tail);
        if (matured == head) {
            revert StakingUnbondingNotMatured(msg.sender, queue[head].releaseTime, block.timestamp);
        }
        // Cannot underflow: ends increase along the queue and `matured - 1 >= head`.
        unchecked {
            amount = queue[matured - 1].end - _startOf(queue, head);
            _totalUnbonding -= uint128(amount);
        }
        account.head = uint64(matured);
        emit Withdrawn(msg.sender, amount);
        TOKEN.safeTransfer(msg.sender, amount);
    }

    /* SLASHING */

    /// @inheritdoc IMinerStaking
    function slash(
        address operator,
        uint256 amount,
        bytes32 evidenceHash
    ) external onlyRole(SLASHER_ROLE) returns (uint256 slashed) {
        if (amount == 0) revert StakingZeroAmount();
        if (evidenceHash == bytes32(0)) revert StakingMissingEvidence();

        Checkpoints.Trace208 storage trace = _activeStake[operator];
        uint256 active = trace.latest();
        uint256 unbonding = _unbondingTotal(operator);
        // Cannot overflow: active + unbonding is at most the token supply; times 10000 stays far below 2^256.
        unchecked {
            uint256 cap = ((active + unbonding) * _maxSlashBps) / _BPS;
            slashed = amount < cap ? amount : cap;
        }
        if (slashed == 0) revert StakingNothingToSlash(operator);

        uint256 fromActive = slashed < active ? slashed : active;
        // Cannot underflow: fromActive <= slashed, fromActive <= active <= _totalActive, and
        // slashed <= active + unbonding, so fromUnbonding <= unbonding <= _totalUnbonding.
        unchecked {
            uint256 fromUnbonding = slashed - fromActive;
            if (fromActive > 0) {
                uint256 newActive = active - fromActive;
                _totalActive -= uint128(fromActive);
                trace.push(uint48(block.timestamp), uint208(newActive));
                emit ActiveStakeUpdated(operator, newActive, block.timestamp);
            }
            if (fromUnbonding > 0) {
                _cutQueue(operator, fromUnbonding);
                _totalUnbonding -= uint128(fromUnbonding);
            }
            emit Slashed(operator, evidenceHash, _treasury, amount, fromActive, fromUnbonding);
        }
        TOKEN.safeTransfer(_treasury, slashed);
    }

    /* GOVERNANCE */

    /// @inheritdoc IMinerStaking
    function setUnbondingPeriod(uint256 newUnbondingPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(newUnbondingPeriod);
    }

    /// @inheritdoc IMinerStaking
    function setBoostParams(
        uint256 newMaxBoostBps,
        uint256 newFullStakePerNode
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBoostParams(newMaxBoostBps, newFullStakePerNode);
    }

    /// @inheritdoc IMinerStaking
    function setMaxSlashBps(uint256 newMaxSlashBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxSlashBps(newMaxSlashBps);
    }

    /// @inheritdoc IMinerStaking
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(newTreasury);
    }

    /* VIEWS */

    /// @inheritdoc IMinerStaking
    function stakeAt(address operator, uint256 timestamp) public view returns (uint256) {
        _checkPast(timestamp);
        // The cast is safe: timestamp <= block.timestamp < 2^48.
        return _activeStake[operator].upperLookupRecent(uint48(timestamp));
    }

    /// @inheritdoc IMinerStaking
    function boostParamsAt(
        uint256 timestamp
    ) public view returns (uint256 maxBoostBps, uint256 fullStakePerNode) {
        _checkPast(timestamp);
        // The cast is safe: timestamp <= block.timestamp < 2^48.
        uint256 packed = _boostParams.upperLookupRecent(uint48(timestamp));
        // Before deployment nothing is checkpointed yet: the initial parameters apply.
        if (packed == 0) packed = _boostParams.pos(0)._value;
        return _unpackBoost(packed);
    }

    /// @inheritdoc IMinerStaking
    function boostBps(
        address operator,
        uint256 nodeCount_,
        uint256 timestamp
    ) external view returns (uint256) {
        if (nodeCount_ == 0) {
            _checkPast(timestamp);
            return _BPS;
        }
        (uint256 maxBoost, uint256 full) = boostParamsAt(timestamp);
        uint256 s = stakeAt(operator, timestamp);
        unchecked {
            // full >= 1 ether and nodeCount_ >= 1: `full * nodeCount_` overflows only if it exceeds 2^256,
            // far above any stake, where the floored boost is exactly 10000.
            uint256 fullStake = full * nodeCount_;
            if (fullStake / nodeCount_ != full) return _BPS;
            if (s >= fullStake) return maxBoost;
            // Cannot overflow: maxBoost - 10000 < 2^17 and s < 2^208.
            return _BPS + ((maxBoost - _BPS) * s) / fullStake;
        }
    }

    /// @inheritdoc IMinerStaking
    function activeStakeOf(address operator) external view returns (uint256) {
        return _activeStake[operator].latest();
    }

    /// @inheritdoc IMinerStaking
    function unbondingOf(address operator) external view returns (uint256 total, uint256 withdrawable) {
        Account storage account = _accounts[operator];
        uint256 head = account.head;
        uint256 tail = account.tail;
        if (head == tail) return (0, 0);
        mapping(uint256 => QueueEntry) storage queue = _queue[operator];
        uint256 start = _startOf(queue, head);
        uint256 matured = _maturedUntil(queue, head, tail);
        // Cannot underflow: ends increase along the queue, all above `start`.
        unchecked {
            total = queue[tail - 1].end - start;
            withdrawable = matured == head ? 0 : queue[matured - 1].end - start;
        }
    }

    /// @inheritdoc IMinerStaking
    function unbondingRequestCount(address operator) external view returns (uint256) {
        Account storage account = _accounts[operator];
        return account.tail - account.head;
    }

    /// @inheritdoc IMinerStaking
    function unbondingRequest(
        address operator,
        uint256 index
    ) external view returns (UnbondingRequest memory) {
        Account storage account = _accounts[operator];
        uint256 head = account.head;
        uint256 count = account.tail - head;
        if (index >= count) revert StakingRequestIndexOutOfBounds(index, count);
        mapping(uint256 => QueueEntry) storage queue = _queue[operator];
        QueueEntry memory entry = queue[head + index];
        return
            UnbondingRequest({
                amount: entry.end - _startOf(queue, head + index),
                releaseTime: entry.releaseTime
            });
    }

    /// @inheritdoc IMinerStaking
    function totalActiveStake() external view returns (uint256) {
        return _totalActive;
    }

    /// @inheritdoc IMinerStaking
    function totalUnbonding() external view returns (uint256) {
        return _totalUnbonding;
    }

    /// @inheritdoc IMinerStaking
    function boostParams() external view returns (uint256 maxBoostBps, uint256 fullStakePerNode) {
        return _unpackBoost(_boostParams.latest());
    }

    /// @inheritdoc IMinerStaking
    function unbondingPeriod() external view returns (uint256) {
        return _unbondingPeriod;
    }

    /// @inheritdoc IMinerStaking
    function maxSlashBps() external view returns (uint256) {
        return _maxSlashBps;
    }

    /// @inheritdoc IMinerStaking
    function treasury() external view returns (address) {
        return _treasury;
    }

    /* INTERNAL: STAKE */

    /// @dev Credits `amount` pulled from `from` to `operator`'s active stake.
    function _stake(address from, address operator, uint256 amount) private {
        if (operator == address(0)) revert StakingZeroAddress();
        if (amount == 0) revert StakingZeroAmount();
        Checkpoints.Trace208 storage trace = _activeStake[operator];
        uint256 newActive = trace.latest() + amount;
        trace.push(uint48(block.timestamp), newActive.toUint208());
        _totalActive += amount.toUint128();
        emit Staked(operator, from, amount);
        emit ActiveStakeUpdated(operator, newActive, block.timestamp);
        TOKEN.safeTransferFrom(from, address(this), amount);
    }

    /// @dev The active-stake half of `requestUnstake`, after the queue was written.
    function _afterUnstake(
        Checkpoints.Trace208 storage trace,
        uint256 active,
        uint256 amount,
        uint256 releaseTime
    ) private {
        // Cannot underflow: amount <= active (checked) and amount <= _totalActive (which includes active).
        // Cannot overflow: _totalUnbonding + amount <= total ever staked <= token supply < 2^128.
        unchecked {
            uint256 newActive = active - amount;
            trace.push(uint48(block.timestamp), uint208(newActive));
            _totalActive -= uint128(amount);
            _totalUnbonding += uint128(amount);
            emit UnstakeRequested(msg.sender, amount, releaseTime);
            emit ActiveStakeUpdated(msg.sender, newActive, block.timestamp);
        }
    }

    /* INTERNAL: QUEUE */

    /// @dev The position where entry `index` starts: the end of the entry before it (0 for the first).
    function _startOf(
        mapping(uint256 => QueueEntry) storage queue,
        uint256 index
    ) private view returns (uint256) {
        // Cannot underflow: index > 0 in the subtraction.
        unchecked {
            return index == 0 ? 0 : queue[index - 1].end;
        }
    }

    /// @dev Everything `operator` has pending in its unbonding queue (matured or not).
    function _unbondingTotal(address operator) private view returns (uint256) {
        Account storage account = _accounts[operator];
        uint256 head = account.head;
        uint256 tail = account.tail;
        if (head == tail) return 0;
        mapping(uint256 => QueueEntry) storage queue = _queue[operator];
        // Cannot underflow: tail > head >= 0, and ends increase along the queue.
        unchecked {
            return queue[tail - 1].end - _startOf(queue, head);
        }
    }

    /// @dev The first index in [head, tail) whose release time is after now, or `tail` if all matured.
    /// Release times increase along the queue, so this is a binary search.
    function _maturedUntil(
        mapping(uint256 => QueueEntry) storage queue,
        uint256 head,
        uint256 tail
    ) private view returns (uint256) {
        // Most withdrawals come after everything matured: check the newest entry first.
        // Cannot underflow: callers pass tail > head.
        unchecked {
            if (queue[tail - 1].releaseTime <= block.timestamp) return tail;
        }
        uint256 low = head;
        uint256 high = tail - 1;
        while (low < high) {
            // Cannot overflow: low and high are queue indexes below 2^64.
            unchecked {
                uint256 mid = (low + high) >> 1;
                if (queue[mid].releaseTime > block.timestamp) high = mid;
                else low = mid + 1;
            }
        }
        return low;
    }

    /// @dev Takes `amount` (0 < amount <= unbonding total) from `operator`'s unbonding requests, newest first:
    /// the top of its unbonding line drops to `newTop`; the entry containing `newTop` now ends there and every
    /// later entry is dropped.
    function _cutQueue(address operator, uint256 amount) private {
        Account storage account = _accounts[operator];
        mapping(uint256 => QueueEntry) storage queue = _queue[operator];
        uint256 head = account.head;
        uint256 low = head;
        uint256 high;
        uint256 newTop;
        // Cannot underflow: amount > 0 means the queue is not empty (tail > head >= 0) and
        // amount <= queue[tail - 1].end - start.
        unchecked {
            high = account.tail - 1;
            newTop = queue[high].end - amount;
        }
        // Binary search for the first entry ending above newTop (exists: the newest ends at top > newTop).
        while (low < high) {
            // Cannot overflow: low and high are queue indexes below 2^64.
            unchecked {
                uint256 mid = (low + high) >> 1;
                if (queue[mid].end > newTop) high = mid;
                else low = mid + 1;
            }
        }
        if (_startOf(queue, low) < newTop) {
            // The cast is safe: newTop < the entry's current end, a uint208.
            queue[low].end = uint208(newTop);
            // Cannot overflow: low < tail < 2^64.
            unchecked {
                ++low;
            }
        }
        account.tail = uint64(low);
    }

    /* INTERNAL: PARAMETERS */

    function _setUnbondingPeriod(uint256 newUnbondingPeriod) private {
        if (newUnbondingPeriod < MIN_UNBONDING_PERIOD || newUnbondingPeriod > MAX_UNBONDING_PERIOD) {
            revert StakingUnbondingPeriodOutOfBounds(
                newUnbondingPeriod,
                MIN_UNBONDING_PERIOD,
                MAX_UNBONDING_PERIOD
            );
        }
        if (newUnbondingPeriod == _unbondingPeriod) revert StakingParamUnchanged();
        // The cast is safe: bounded by MAX_UNBONDING_PERIOD.
        _unbondingPeriod = uint48(newUnbondingPeriod);
        emit UnbondingPeriodUpdated(newUnbondingPeriod);
    }

    function _setBoostParams(uint256 newMaxBoostBps, uint256 newFullStakePerNode) private {
        if (newMaxBoostBps < MIN_MAX_BOOST_BPS || newMaxBoostBps > MAX_MAX_BOOST_BPS) {
            revert StakingMaxBoostOutOfBounds(newMaxBoostBps, MIN_MAX_BOOST_BPS, MAX_MAX_BOOST_BPS);
        }
        if (newFullStakePerNode < MIN_FULL_STAKE_PER_NODE || newFullStakePerNode > MAX_FULL_STAKE_PER_NODE) {
            revert StakingFullStakeOutOfBounds(
                newFullStakePerNode,
                MIN_FULL_STAKE_PER_NODE,
                MAX_FULL_STAKE_PER_NODE
            );
        }
        // Fits in 208 bits: fullStakePerNode < 2^87 shifted by 32, maxBoostBps < 2^32.
        uint256 packed = (newFullStakePerNode << _BOOST_SHIFT) | newMaxBoostBps;
        if (packed == _boostParams.latest()) revert StakingParamUnchanged();
        _boostParams.push(uint48(block.timestamp), uint208(packed));
        emit BoostParamsUpdated(newMaxBoostBps, newFullStakePerNode, block.timestamp);
    }

    function _setMaxSlashBps(uint256 newMaxSlashBps) private {
        if (newMaxSlashBps < MIN_MAX_SLASH_BPS || newMaxSlashBps > MAX_MAX_SLASH_BPS) {
            revert StakingMaxSlashOutOfBounds(newMaxSlashBps, MIN_MAX_SLASH_BPS, MAX_MAX_SLASH_BPS);
        }
        if (newMaxSlashBps == _maxSlashBps) revert StakingParamUnchanged();
        // The cast is safe: bounded by MAX_MAX_SLASH_BPS.
        _maxSlashBps = uint16(newMaxSlashBps);
        emit MaxSlashBpsUpdated(newMaxSlashBps);
    }

    function _setTreasury(address newTreasury) private {
        if (newTreasury == address(0)) revert StakingZeroAddress();
        if (newTreasury == _treasury) revert StakingParamUnchanged();
        _treasury = newTreasury;
        emit TreasuryUpdated(newTreasury);
    }

    /* INTERNAL: HELPERS */

    function _registerNodeDigest(
        address node,
        address operator,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return
            _hashTypedDataV4(keccak256(abi.encode(REGISTER_NODE_TYPEHASH, node, operator, nonce, deadline)));
    }

    function _checkPast(uint256 timestamp) private view {
        if (timestamp > block.timestamp) revert StakingFutureLookup(timestamp, block.timestamp);
    }

    function _unpackBoost(
        uint256 packed
    ) private pure returns (uint256 maxBoostBps, uint256 fullStakePerNode) {
        return (packed & _BOOST_MASK, packed >> _BOOST_SHIFT);
    }
}
