// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITestnetAirdrop
/// @notice The 1,000,000 MSN testnet allocation: each testnet participant claims its amount against a Merkle
/// root until the claim deadline; after it, anyone can sweep what is left to the ecosystem treasury.
/// @dev Leaf: `keccak256(bytes.concat(keccak256(abi.encode(address account, uint256 amount))))`, OpenZeppelin's
/// standard double-hashed leaf with sorted-pair hashing, so the OpenZeppelin merkle-tree library
/// `StandardMerkleTree.of(values, ["address", "uint256"])` builds the root and the proofs.
/// Claims are open while `block.timestamp < DEADLINE`; the sweep from `block.timestamp >= DEADLINE`.
/// Each account appears at most once in the tree and claims once.
interface ITestnetAirdrop {
    /* ERRORS */

    /// @notice A constructor address argument (token, treasury) is the zero address.
    error AirdropZeroAddress();
    /// @notice The deadline `deadline` is not in the future at deployment (`now`).
    error AirdropDeadlineNotInFuture(uint256 deadline, uint256 now);
    /// @notice `account` has already claimed.
    error AirdropAlreadyClaimed(address account);
    /// @notice The proof does not show that `(account, amount)` is a leaf of the root.
    error AirdropInvalidProof(address account, uint256 amount);
    /// @notice The claim window closed at `deadline`.
    error AirdropClaimWindowClosed(uint256 deadline);
    /// @notice The sweep opens at `deadline`.
    error AirdropSweepBeforeDeadline(uint256 deadline);
    /// @notice Nothing is left to sweep.
    error AirdropNothingToSweep();

    /* EVENTS */

    /// @notice Emitted when `amount` is paid to `account`.
    event Claimed(address indexed account, uint256 amount);
    /// @notice Emitted when the unclaimed remainder `amount` is swept to `treasury`.
    event Swept(address indexed treasury, uint256 amount);

    /* IMMUTABLES */

    /// @notice The airdropped token (MSN).
    function TOKEN() external view returns (address);
    /// @notice The Merkle root of every `(account, amount)`.
    function MERKLE_ROOT() external view returns (bytes32);
    /// @notice Unix time at which claims close and the sweep opens.
    function DEADLINE() external view returns (uint256);
    /// @notice Receives the unclaimed remainder (the ecosystem treasury).
    function TREASURY() external view returns (address);

    /* ACTIONS */

    /// @notice Pays `amount` to `account` if `(account, amount)` is in the tree, before the deadline, once.
    /// Anyone may submit the claim (a relayer, for gasless claims); the tokens only ever go to `account`.
    /// @param account The participant.
    /// @param amount Its full amount, exactly as in the tree.
    /// @param proof The Merkle proof of the leaf.
    function claim(address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice After the deadline, sends the whole remaining balance to `TREASURY`. Anyone may call it.
    /// @return amount The amount swept.
    function sweep() external returns (uint256 amount);

    /* VIEWS */

    /// @notice Whether `account` has claimed.
    function claimed(address account) external view returns (bool);
}
