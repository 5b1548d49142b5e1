import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { dataSlice, getAddress, id, solidityPackedKeccak256 } from "ethers";

import {
  buildTree,
  maxDepth,
  standardLeaves,
  treeProof,
  treeRoot,
  uniswapLeaves,
  writeUint256,
} from "../../scripts/lib/fastMerkle";

function sample(n: number): { accounts: Buffer; amounts: Buffer; values: [string, bigint][] } {
  const accounts = Buffer.alloc(n * 20);
  const amounts = Buffer.alloc(n * 32);
  const values: [string, bigint][] = [];
  for (let i = 0; i < n; i++) {
    const address = getAddress(dataSlice(id(`fast-merkle-${n}-${i}`), 12));
    const amount = BigInt(i) * 10n ** 15n + 1n;
    Buffer.from(address.slice(2), "hex").copy(accounts, i * 20);
    writeUint256(amounts, i * 32, amount);
    values.push([address, amount]);
  }
  return { accounts, amounts, values };
}

describe("fastMerkle (the benchmark's tree builder)", () => {
  for (const n of [1, 2, 3, 5, 64, 1000, 1024]) {
    it(`builds StandardMerkleTree's root and valid proofs at ${n} leaves`, async () => {
      const { accounts, amounts, values } = sample(n);
      const reference = StandardMerkleTree.of(values, ["address", "uint256"]);
      const tree = await buildTree(await standardLeaves(accounts, amounts, n), n);
      expect(treeRoot(tree)).to.equal(reference.root);
      for (const i of [0, Math.floor(n / 2), n - 1]) {
        const proof = treeProof(tree, i);
        expect(StandardMerkleTree.verify(reference.root, ["address", "uint256"], values[i], proof)).to.equal(
          true,
        );
        expect(proof.length).to.be.at.most(maxDepth(n));
      }
    });
  }

  it("hashes Uniswap's leaves as keccak256(abi.encodePacked(index, account, amount))", async () => {
    const { accounts, amounts, values } = sample(3);
    const leaves = await uniswapLeaves(accounts, amounts, 3);
    for (let i = 0; i < 3; i++) {
      const expected = solidityPackedKeccak256(
        ["uint256", "address", "uint256"],
        [i, values[i][0], values[i][1]],
      );
      expect("0x" + leaves.subarray(i * 32, i * 32 + 32).toString("hex")).to.equal(expected);
    }
  });
});
