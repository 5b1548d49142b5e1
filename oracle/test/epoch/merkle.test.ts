import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree } from "merkletreejs";
import { keccak_256 } from "@noble/hashes/sha3";
import { encodeAbiParameters, keccak256 } from "viem";
import {
  EpochInputError,
  ZERO_HASH,
  buildRewardsTree,
  getProof,
  leafCountOf,
  leafHash,
  processProof,
  proofIndices,
  verifyProof,
} from "../../src/epoch/index.js";
import { Rng, SEED } from "./helpers.js";

function values(n: number, seed: number): { accounts: `0x${string}`[]; amounts: bigint[] } {
  const rng = new Rng(seed);
  const accounts = Array.from({ length: n }, () => rng.address()).sort();
  // Mixed magnitudes: 0, small, 64-bit, 128-bit and full 256-bit amounts.
  const amounts = accounts.map((_, i) => (i % 11 === 0 ? 0n : rng.bigint([8, 64, 90, 128, 256][i % 5]!)));
  return { accounts, amounts };
}

const keccakBuffer = (data: Buffer): Buffer => Buffer.from(keccak_256(data));

describe("epoch/merkle", () => {
  for (const n of [1, 2, 3, 7, 8, 100, 1000, 1025]) {
    it(`builds the same root and proofs as StandardMerkleTree with ${n} leaves`, async () => {
      const { accounts, amounts } = values(n, SEED + n);
      const tree = await buildRewardsTree(accounts, amounts);
      const oz = StandardMerkleTree.of(
        accounts.map((a, i) => [a, amounts[i]!.toString()]),
        ["address", "uint256"],
      );
      expect(tree.root).to.equal(oz.root);
      expect(tree.leafCount).to.equal(n);
      expect(tree.nodes.length).to.equal((2 * n - 1) * 32);
      const dump = oz.dump();
      for (let i = 0; i < n; i++) {
        // Same place in the array layout, same proof.
        expect(tree.treeIndices[i]).to.equal(dump.values[i]!.treeIndex);
        const proof = getProof(tree.nodes, tree.treeIndices[i]!);
        expect(proof).to.deep.equal(oz.getProof(i));
        expect(verifyProof(tree.root, accounts[i]!, amounts[i]!, proof)).to.equal(true);
      }
      // The whole stored layout is OpenZeppelin's array.
      const ours = Array.from(
        { length: 2 * n - 1 },
        (_, i) => `0x${tree.nodes.toString("hex", i * 32, i * 32 + 32)}`,
      );
      expect(ours).to.deep.equal(dump.tree);
    });
  }

  it("hashes the standard double-hashed leaf keccak256(keccak256(abi.encode(account, amount)))", () => {
    const account = "0x00000000000000000000000000000000000000aa";
    const amount = 123456789n * 10n ** 18n;
    const inner = keccak256(
      encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [account, amount]),
    );
    expect(leafHash(account, amount)).to.equal(keccak256(inner));
  });

  it("produces proofs that merkletreejs (sortPairs, keccak256) verifies against our root", async () => {
    for (const n of [1, 2, 3, 8, 100, 1025]) {
      const { accounts, amounts } = values(n, SEED * 3 + n);
      const tree = await buildRewardsTree(accounts, amounts);
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 50))) {
        const proof = getProof(tree.nodes, tree.treeIndices[i]!);
        const leaf = leafHash(accounts[i]!, amounts[i]!);
        expect(
          MerkleTree.verify(proof, leaf, tree.root, keccakBuffer, { sortPairs: true }),
          `n=${n} i=${i}`,
        ).to.equal(true);
        const tampered = [...proof];
        if (tampered.length > 0) {
          tampered[0] = `0x${"ab".repeat(32)}`;
          expect(MerkleTree.verify(tampered, leaf, tree.root, keccakBuffer, { sortPairs: true })).to.equal(
            false,
          );
        }
      }
    }
  });

  it("rejects a tampered proof, a wrong amount and a wrong account", async () => {
    const { accounts, amounts } = values(37, SEED);
    const tree = await buildRewardsTree(accounts, amounts);
    const i = 5;
    const proof = getProof(tree.nodes, tree.treeIndices[i]!);
    expect(verifyProof(tree.root, accounts[i]!, amounts[i]!, proof)).to.equal(true);
    for (let k = 0; k < proof.length; k++) {
      const tampered: string[] = [...proof];
      const byte = parseInt(tampered[k]!.slice(-2), 16) ^ 1;
      tampered[k] = `${tampered[k]!.slice(0, -2)}${byte.toString(16).padStart(2, "0")}`;
      expect(verifyProof(tree.root, accounts[i]!, amounts[i]!, tampered)).to.equal(false);
    }
    expect(verifyProof(tree.root, accounts[i]!, amounts[i]! + 1n, proof)).to.equal(false);
    expect(verifyProof(tree.root, accounts[i + 1]!, amounts[i]!, proof)).to.equal(false);
    expect(verifyProof(tree.root, accounts[i]!, amounts[i]!, proof.slice(1))).to.equal(false);
  });

  it("has a single leaf as its own root, with an empty proof", async () => {
    const tree = await buildRewardsTree(["0x00000000000000000000000000000000000000aa"], [5n]);
    expect(tree.root).to.equal(leafHash("0x00000000000000000000000000000000000000aa", 5n));
    expect(getProof(tree.nodes, 0)).to.deep.equal([]);
    expect(processProof(tree.root, [])).to.equal(tree.root);
  });

  it("returns the zero root for an empty tree", async () => {
    const tree = await buildRewardsTree([], []);
    expect(tree.root).to.equal(ZERO_HASH);
    expect(tree.leafCount).to.equal(0);
    expect(leafCountOf(tree.nodes)).to.equal(0);
  });

  it("names the O(log n) node indices a proof needs, from a stored node buffer", async () => {
    const { accounts, amounts } = values(1025, SEED);
    const tree = await buildRewardsTree(accounts, amounts);
    expect(leafCountOf(tree.nodes)).to.equal(1025);
    const index = tree.treeIndices[17]!;
    const indices = proofIndices(1025, index);
    expect(indices.length).to.be.at.most(11);
    expect(indices.map((i) => `0x${tree.nodes.toString("hex", i * 32, i * 32 + 32)}`)).to.deep.equal(
      getProof(tree.nodes, index),
    );
  });

  it("reports progress for each phase", async () => {
    const { accounts, amounts } = values(100, SEED);
    const phases: string[] = [];
    await buildRewardsTree(accounts, amounts, (phase, done, total) => {
      if (done === total) phases.push(phase);
    });
    expect(phases).to.deep.equal(["leaves", "sort", "tree"]);
  });

  describe("rejects bad input with a clear error", () => {
    const a = "0x00000000000000000000000000000000000000aa";
    const b = "0x00000000000000000000000000000000000000bb";
    it("rejects unsorted or duplicate accounts", async () => {
      await expectReject(buildRewardsTree([b, a], [1n, 2n]), /strictly ascending/);
      await expectReject(buildRewardsTree([a, a], [1n, 2n]), /strictly ascending/);
    });
    it("rejects a checksummed (not lowercase) account", async () => {
      await expectReject(buildRewardsTree(["0x00000000000000000000000000000000000000AA"], [1n]), /lowercase/);
    });
    it("rejects mismatched lengths and out-of-range amounts", async () => {
      await expectReject(buildRewardsTree([a], []), /1 accounts but 0 amounts/);
      await expectReject(buildRewardsTree([a], [-1n]), /uint256/);
      await expectReject(buildRewardsTree([a], [1n << 256n]), /uint256/);
    });
    it("rejects a proof request for an index that is not a leaf", async () => {
      const tree = await buildRewardsTree([a, b], [1n, 2n]);
      expect(() => getProof(tree.nodes, 0)).to.throw(EpochInputError, /not a leaf/);
      expect(() => getProof(tree.nodes, 3)).to.throw(EpochInputError, /not a leaf/);
      expect(() => getProof(tree.nodes.subarray(0, 64), 1)).to.throw(EpochInputError, /2n − 1 nodes/);
    });
  });
});

async function expectReject(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(EpochInputError);
    expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail("expected a rejection");
}
