import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildRewardsTree, getProof, verifyProof } from "../../src/epoch/index.js";
import type { Db } from "../../src/db/types.js";
import { openPostgres } from "../../src/db/postgres.js";
import { migrate } from "../../src/db/migrate.js";
import { JobBusyError, withJobLock } from "../../src/epochJob/lock.js";
import { readChunked } from "../../src/epochJob/sql.js";
import { EpochStore, LEAF_CHUNK, TREE_CHUNK } from "../../src/epochJob/store.js";
import { backends } from "../helpers/backends.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { Rng, SEED } from "../epoch/helpers.js";

/** `n` random accounts (ascending, distinct) with random cumulative amounts. */
function leaves(n: number, seed = SEED): { accounts: `0x${string}`[]; amounts: bigint[] } {
  const rng = new Rng(seed);
  const set = new Set<string>();
  while (set.size < n) set.add(rng.address());
  const accounts = [...set].sort() as `0x${string}`[];
  return { accounts, amounts: accounts.map(() => rng.bigint(90) + 1n) };
}

for (const backend of backends) {
  describe(`epoch job storage (${backend.name})`, function () {
    let db: Db;
    let cleanup: () => Promise<void>;
    let store: EpochStore;

    before(async () => {
      ({ db, cleanup } = await backend.open());
      store = new EpochStore(db);
    });
    after(async () => cleanup?.());

    it("stores a tree as packed leaves and node chunks and serves every proof from them in O(log n)", async () => {
      // More leaves than one leaf chunk and more nodes than one tree chunk, so lookups cross chunk boundaries.
      const n = TREE_CHUNK / 2 + 1000;
      expect(n).to.be.greaterThan(2 * LEAF_CHUNK);
      const { accounts, amounts } = leaves(n);
      const tree = await buildRewardsTree(accounts, amounts);
      await db.transaction(async (tx) => {
        await store.writeLeaves(tx, 7, accounts, amounts, tree.treeIndices);
        await store.writeTree(tx, 7, tree.nodes);
      });
      expect((await store.readTree(7)).equals(tree.nodes)).to.equal(true);
      const back = await store.readLeaves(7);
      expect(back.accounts).to.deep.equal(accounts);
      expect(back.amounts).to.deep.equal(amounts);
      const rng = new Rng(SEED + 1);
      const probes = [
        0,
        1,
        LEAF_CHUNK - 1,
        LEAF_CHUNK,
        n - 1,
        ...Array.from({ length: 40 }, () => rng.int(n)),
      ];
      for (const i of probes) {
        const leaf = await store.findLeaf(7, accounts[i]!.toUpperCase().replace("0X", "0x"));
        expect(leaf, `leaf ${i}`).to.deep.equal({ cumulative: amounts[i], treeIndex: tree.treeIndices[i] });
        const proof = await store.readProof(7, n, leaf!.treeIndex);
        expect(proof).to.deep.equal(getProof(tree.nodes, leaf!.treeIndex));
        expect(verifyProof(tree.root, accounts[i]!, amounts[i]!, proof)).to.equal(true);
      }
    });

    it("gives the proofs @openzeppelin/merkle-tree gives, and finds no leaf for other accounts", async () => {
      const { accounts, amounts } = leaves(300, SEED + 2);
      const tree = await buildRewardsTree(accounts, amounts);
      await db.transaction(async (tx) => {
        await store.writeLeaves(tx, 8, accounts, amounts, tree.treeIndices);
        await store.writeTree(tx, 8, tree.nodes);
      });
      const oz = StandardMerkleTree.of(
        accounts.map((a, i) => [a, amounts[i]!]),
        ["address", "uint256"],
      );
      expect(oz.root).to.equal(tree.root);
      for (const i of [0, 17, 299]) {
        const leaf = (await store.findLeaf(8, accounts[i]!))!;
        expect(await store.readProof(8, 300, leaf.treeIndex)).to.deep.equal(oz.getProof(i));
      }
      expect(await store.findLeaf(8, "0x0000000000000000000000000000000000000001")).to.equal(undefined);
      expect(await store.findLeaf(8, "0xffffffffffffffffffffffffffffffffffffffff")).to.equal(undefined);
      const between = `0x${(BigInt(accounts[10]!) + 1n).toString(16).padStart(40, "0")}`;
      expect(await store.findLeaf(8, between)).to.equal(undefined);
      expect(await store.findLeaf(9, accounts[0]!)).to.equal(undefined); // an epoch without a tree
    });

    it("rewrites an epoch's tree idempotently and prunes old epochs", async () => {
      const { accounts, amounts } = leaves(50, SEED + 3);
      const tree = await buildRewardsTree(accounts, amounts);
      for (let k = 0; k < 2; k++) {
        await db.transaction(async (tx) => {
          await store.writeLeaves(tx, 10, accounts, amounts, tree.treeIndices);
          await store.writeTree(tx, 10, tree.nodes);
        });
      }
      expect((await store.readLeaves(10)).accounts).to.have.length(50);
      await store.pruneTrees(10);
      expect((await store.readLeaves(7)).accounts).to.have.length(0);
      expect((await store.readTree(8)).length).to.equal(0);
      expect((await store.readLeaves(10)).accounts).to.have.length(50);
    });

    it("reads packed query results item by item", async () => {
      const items: string[] = [];
      const count = await readChunked(
        db,
        "SELECT string_agg(i::text, ',' ORDER BY i) AS t FROM generate_series(1, 1000) AS i GROUP BY i % 7 ORDER BY i % 7",
        [],
        (item) => items.push(item),
      );
      expect(count).to.equal(1000);
      expect(items.map(Number).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
    });

    it("lets one epoch job run at a time in a process", async () => {
      let release!: () => void;
      const held = withJobLock(db, () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 50));
      let error: unknown;
      await withJobLock(db, async () => {}).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(JobBusyError);
      release();
      await held;
      expect(await withJobLock(db, async () => 42)).to.equal(42);
    });
  });
}

describe("epoch job lock across processes sharing PostgreSQL", function () {
  let t: TestDatabase;
  let a: Db;
  let b: Db;
  before(async () => {
    t = await createTestDatabase("msn_epochlock");
    a = await openPostgres(t.url, 2);
    b = await openPostgres(t.url, 2);
    await migrate(a);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await t?.drop();
  });

  it("refuses a second job on another connection while the first holds the lock, and frees it after", async () => {
    let release!: () => void;
    const held = withJobLock(a, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 100));
    let error: unknown;
    await withJobLock(b, async () => {}).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(JobBusyError);
    expect((error as JobBusyError).retryable).to.equal(true);
    release();
    await held;
    expect(await withJobLock(b, async () => "ran")).to.equal("ran");
  });
});
