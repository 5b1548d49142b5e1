// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LeanMerkleProof
/// @notice Sorted-pair Merkle proof processing over calldata: the same result as OpenZeppelin's
/// `MerkleProof.processProofCalldata` (a property test checks the two against each other on random inputs),
/// at about 90 gas less per proof element.
/// @dev OpenZeppelin's loop pays, per element, an array bounds check and two internal calls
/// (`Hashes.commutativeKeccak256` then `efficientKeccak256`); this loop walks the calldata with a pointer and
/// hashes in the scratch space. At 20 proof elements (1,000,000 leaves) that is ~1,800 gas per claim, the
/// difference between beating and missing Uniswap's MerkleDistributor on claim gas.
library LeanMerkleProof {
    /// @notice The root rebuilt from `leaf` and its `proof` (sibling hashes from the leaf up, each pair hashed
    /// smaller first: OpenZeppelin's `Hashes.commutativeKeccak256`).
    function processProofCalldata(
        bytes32[] calldata proof,
        bytes32 leaf
    ) internal pure returns (bytes32 computed) {
        assembly ("memory-safe") {
            computed := leaf
            // The ABI decoder checked that proof.offset + 32 * proof.length lies within the calldata,
            // so `end` cannot overflow.
            let end := add(proof.offset, shl(5, proof.length))
            for {
                let p := proof.offset
            } lt(p, end) {
                p := add(p, 0x20)
            } {
                let sibling := calldataload(p)
                // swap = 1 when computed > sibling: then the sibling goes first (at 0x00), computed second.
                let swap := gt(computed, sibling)
                mstore(shl(5, swap), computed)
                mstore(shl(5, iszero(swap)), sibling)
                computed := keccak256(0x00, 0x40)
            }
        }
    }
}
