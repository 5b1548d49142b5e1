import { expect } from "chai";
import { privateKeyToAccount } from "viem/accounts";
import { acceptDueRoots } from "../../src/epochJob/accept.js";
import { runEpochJob } from "../../src/epochJob/job.js";
import { PLACEHOLDER_ACCOUNT, leafHash } from "../../src/epoch/index.js";
import type { Hex } from "../../src/lib/hex.js";
import { ensureArtifacts } from "../helpers/hardhatNode.js";
import { ABI, MSN, startDevChain, type DevChain } from "../helpers/devChain.js";
import { GRACE, createEpochWorld, freshDatabase, people, setUpOperators, type EpochWorld } from "../helpers/epochWorld.js";

describe("epoch job end to end on a local chain", function () {
  let chain: DevChain;
  let base: string;

  before(async () => {
    await ensureArtifacts();
    chain = await startDevChain();
    await setUpOperators(chain);
    await chain.stake(people.opA.key, 1_000n * MSN);
    await chain.stake(people.opB.key, 5_000n * MSN);
    base = await chain.snapshot();
  });
  after(async () => {
    await chain?.stop();
  });

  it("takes receipts in, closes the epochs, puts the roots on chain; operators claim what the API says", async () => {
    const db = await freshDatabase("pglite");
    let world: EpochWorld | undefined;
    try {
      world = await createEpochWorld(chain, db);
      const T0 = chain.genesisTime;
      const len = chain.epochLength;
      await chain.mineAt(T0 + len + 10);
      await world.tick();
      const answers = await world.post([
        await world.receipt(people.nodeA1.address, 1, 1_000_000_000, 1),
        await world.receipt(people.nodeA2.address, 1, 500_000_000, 2),
        await world.receipt(people.nodeB1.address, 1, 2_000_000_000, 3),
        await world.receipt(people.nodeC1.address, 1, 100_000_000, 4),
      ]);
      expect(answers).to.deep.equal(["accepted", "accepted", "accepted", "accepted"]);
      await chain.mineAt(T0 + 2 * len + GRACE + 1);
      await world.tick();
      const results = await runEpochJob(world.ctx);
      expect(results.map((r) => r.epoch)).to.deep.equal([0, 1]);
      console.log(results);
      expect(results[0]!.root).to.equal(leafHash(PLACEHOLDER_ACCOUNT, 0n));
      expect(results[0]!.total).to.equal(0n);

      await chain.mineAt((await chain.now()) + 6 * 3600 + 1);
      const accepted = await acceptDueRoots(world.ctx);
      expect(accepted.accepted).to.deep.equal([0, 1]);

      for (const op of [people.opA, people.opB]) {
        const res = await world.app.inject({ method: "GET", url: `/v1/rewards/${op.address}` });
        expect(res.statusCode, res.body).to.equal(200);
        const body = res.json() as { epoch: number; cumulativeAmount: string; claimable: string; proof: Hex[] };
        console.log(body);
        const tokenAbi = ABI.token();
        const before = (await chain.pub.readContract({ address: chain.contracts.token, abi: tokenAbi, functionName: "balanceOf", args: [op.address] })) as bigint;
        await chain.write(privateKeyToAccount(op.key), chain.contracts.distributor, ABI.distributor(), "claim", [
          op.address,
          BigInt(body.cumulativeAmount),
          body.proof,
        ]);
        const after = (await chain.pub.readContract({ address: chain.contracts.token, abi: tokenAbi, functionName: "balanceOf", args: [op.address] })) as bigint;
        expect(after - before).to.equal(BigInt(body.claimable));
      }
    } finally {
      await world?.close();
      await db.cleanup();
      await chain.revert(base);
    }
  });
});
