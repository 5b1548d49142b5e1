// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {LeanMerkleProof} from "../libraries/LeanMerkleProof.sol";

/// @title MerkleProofHarness
/// @notice Test-only: exposes LeanMerkleProof next to OpenZeppelin's MerkleProof so tests can compare them.
contract MerkleProofHarness {
    function lean(bytes32[] calldata proof, bytes32 leaf) external pure returns (bytes32) {
        return LeanMerkleProof.processProofCalldata(proof, leaf);
    }

    function openZeppelin(bytes32[] calldata proof, bytes32 leaf) external pure returns (bytes32) {
        return MerkleProof.processProofCalldata(proof, leaf);
    }
}
