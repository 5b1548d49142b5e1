import { expect } from "chai";
import { readFileSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { rewardsDistributorAbi } from "../../src/chain/abi.js";
import { TxRevertedError } from "../../src/chain/txSender.js";
import { runEpochJob, type EpochJobResult, type JobHookPoint } from "../../src/epochJob/job.js";
import { STAKES_CURSOR } from "../../src/epochJob/stakes.js";
import type { Hex } from "../../src/lib/hex.js";
import { runCli } from "../helpers/child.js";
import { ABI, KEYS, MSN, startDevChain, type DevChain } from "../helpers/devChain.js";
import { ensureArtifacts } from "../helpers/hardhatNode.js";
import { startFlakyRpc } from "../helpers/flakyRpc.js";
import {
  GRACE,
  createEpochWorld,
  freshDatabase,
  people,
  setUpOperators,
  type Database,
  type EpochWorld,
} from "../helpers/epochWorld.js";

class Crash extends Error {}

/**
 * The job killed after each step and run again gives the identical root and bundle, and the chain sees
 * exactly one proposeRoot: one RootProposed event and no transaction beyond mint + propose from the sender.
 */
describe("epoch job crash safety (PostgreSQL, local chain)", function () {
  let chain: DevChain;
  let db: Database;
  let world: EpochWorld;
  let closed: string;
  let reference: { result: EpochJobResult; bundle: Buffer };
  const oracle = privateKeyToAccount(KEYS.oracle);

  before(async () => {
    await ensureArtifacts();
    chain = await startDevChain();
    await setUpOperators(chain);
    await chain.stake(people.opA.key, 1_500n * MSN);
    db = await freshDatabase("postgres");
    world = await createEpochWorld(chain, db);
    const answers = await world.post([
      await world.receipt(people.nodeA1.address, 0, 3_000_000_000, 1),
      await world.receipt(people.nodeA2.address, 0, 1_000_000_000, 2),
      await world.receipt(people.nodeB1.address, 0, 2_500_000_000, 3),
    ]);
    expect(answers).to.deep.equal(["accepted", "accepted", "accepted"]);
    await chain.mineAt(chain.genesisTime + chain.epochLength + GRACE + 1);
    await world.tick();
    closed = await chain.snapshot();
    const [result] = await runEpochJob(world.ctx);
    reference = { result: result!, bundle: readFileSync(result!.bundleFile) };
  });
  after(async () => {
    await world?.close();
    await db?.cleanup();
    await chain?.stop();
  });

  /** Back to the closed epoch: chain reverted, the job's tables emptied (receipts and nodes stay). */
  async function reset(): Promise<void> {
    await chain.revert(closed);
    closed = await chain.snapshot();
    await world.ctx.db.exec(
      "TRUNCATE epoch_jobs, epoch_nodes, epoch_leaves, epoch_tree, chain_txs, sealed_epochs, stake_events",
    );
    await world.ctx.db.query("DELETE FROM chain_cursors WHERE name = $1", [STAKES_CURSOR]);
    await world.tick();
  }

  async function proposals(): Promise<number> {
    const logs = await chain.pub.getLogs({
      address: chain.contracts.distributor,
      event: rewardsDistributorAbi.find((x) => x.type === "event" && x.name === "RootProposed") as never,
      fromBlock: 0n,
      toBlock: "latest",
    });
    return logs.length;
  }

  async function expectSameOutcome(result: EpochJobResult, sentBefore: number): Promise<void> {
    expect(result.root).to.equal(reference.result.root);
    expect(result.dataHash).to.equal(reference.result.dataHash);
    expect(result.total).to.equal(reference.result.total);
    expect(readFileSync(result.bundleFile).equals(reference.bundle)).to.equal(true);
    expect(await proposals()).to.equal(1);
    // mint + proposeRoot, nothing else, from the oracle's account.
    expect(await chain.pub.getTransactionCount({ address: oracle.address })).to.equal(sentBefore + 2);
  }

  it("proposes a root the distributor holds, with a bundle whose hash is the dataHash", async () => {
    const root = (await chain.pub.readContract({
      address: chain.contracts.distributor,
      abi: rewardsDistributorAbi,
      functionName: "epochRoot",
      args: [0n],
    })) as { root: Hex; total: bigint };
    expect(root.root).to.equal(reference.result.root);
    expect(root.total).to.equal(reference.result.total);
    expect(reference.result.accountCount).to.equal(2);
    expect(await proposals()).to.equal(1);
  });

  const points: JobHookPoint[] = [
    "aggregated",
    "computed",
    "signed",
    "mint:stored",
    "mint:broadcast",
    "minted",
    "propose:stored",
    "propose:broadcast",
    "proposed",
  ];
  for (const point of points) {
    it(`crashed after "${point}" and run again: same root, same bundle, one proposeRoot`, async () => {
      await reset();
      const sentBefore = await chain.pub.getTransactionCount({ address: oracle.address });
      let error: unknown;
      await runEpochJob(world.ctx, {
        hook: (p) => {
          if (p === point) throw new Crash(point);
        },
      }).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(Crash);
      const [again] = await runEpochJob(world.ctx);
      await expectSameOutcome(again!, sentBefore);
      // And once more: nothing left to do, nothing sent.
      const [third] = await runEpochJob(world.ctx, { epoch: 0 });
      expect(third!.alreadyDone).to.equal(true);
      expect(await chain.pub.getTransactionCount({ address: oracle.address })).to.equal(sentBefore + 2);
    });
  }

  for (const point of ["computed", "propose:broadcast"] as const) {
    it(`survives SIGKILL of \`oracle epoch run\` after "${point}"`, async () => {
      await reset();
      const sentBefore = await chain.pub.getTransactionCount({ address: oracle.address });
      const env = {
        RPC_URL: chain.url,
        ORACLE_DEPLOYMENTS_FILE: chain.deploymentsFile,
        DATABASE_URL: db.config.databaseUrl!,
        ORACLE_SIGNER_KEY: KEYS.oracle,
        ORACLE_CLOCK: "chain",
        ORACLE_CONFIRMATIONS: "0",
        ORACLE_GRACE_SECONDS: String(GRACE),
        ORACLE_BUNDLE_DIR: world.bundleDir,
        ORACLE_VERIFY_THREADS: "0",
        LOG_LEVEL: "silent",
      };
      const killed = await runCli(["epoch", "run"], { ...env, ORACLE_TEST_KILL_AT: point }, 120_000);
      expect(killed.code, killed.stderr).to.not.equal(0);
      const done = await runCli(["epoch", "run", "--json"], env, 120_000);
      expect(done.code, done.stderr).to.equal(0);
      const [result] = JSON.parse(done.stdout) as { root: string; dataHash: string; bundleFile: string }[];
      expect(result!.root).to.equal(reference.result.root);
      expect(result!.dataHash).to.equal(reference.result.dataHash);
      expect(readFileSync(result!.bundleFile).equals(reference.bundle)).to.equal(true);
      expect(await proposals()).to.equal(1);
      expect(await chain.pub.getTransactionCount({ address: oracle.address })).to.equal(sentBefore + 2);
      if (point === "propose:broadcast") {
        const list = await runCli(["epoch", "list"], env, 120_000);
        expect(list.code, list.stderr).to.equal(0);
        expect(list.stdout).to.match(
          new RegExp(
            `^\\s+0  pending\\s+root ${reference.result.root}  total ${reference.result.total}  accounts 2  tx 0x[0-9a-f]{64}$`,
            "m",
          ),
        );
      }
    });
  }

  it("sends a new proposal when the stored one was dropped and its nonce used by another transaction", async () => {
    await reset();
    const sentBefore = await chain.pub.getTransactionCount({ address: oracle.address });
    await runEpochJob(world.ctx, {
      hook: async (p) => {
        if (p !== "propose:stored") return;
        // The stored proposal never reaches the chain; its nonce goes to an unrelated transaction.
        const nonce = await chain.pub.getTransactionCount({ address: oracle.address });
        const hash = await chain.wallet.sendTransaction({
          account: oracle,
          chain: hardhat,
          to: oracle.address,
          value: 0n,
          nonce,
        });
        await chain.pub.waitForTransactionReceipt({ hash });
        throw new Crash(p);
      },
    }).catch((e: unknown) => expect(e).to.be.instanceOf(Crash));
    const [again] = await runEpochJob(world.ctx);
    expect(again!.root).to.equal(reference.result.root);
    expect(await proposals()).to.equal(1);
    // mint, the unrelated transaction, and one proposal.
    expect(await chain.pub.getTransactionCount({ address: oracle.address })).to.equal(sentBefore + 3);
    const { rows } = await world.ctx.db.query<{ status: string }>(
      "SELECT status FROM chain_txs WHERE kind = 'propose' ORDER BY id",
    );
    expect(rows.map((r) => r.status)).to.deep.equal(["dropped", "mined"]);
  });

  it("completes through an RPC endpoint that refuses or drops a quarter of the requests, with the same root", async () => {
    await reset();
    const sentBefore = await chain.pub.getTransactionCount({ address: oracle.address });
    const proxy = await startFlakyRpc(chain.url, 0.15, 0.1);
    let replica: EpochWorld | undefined;
    try {
      // A second oracle process on the same database, reaching the chain through the flaky proxy.
      replica = await createEpochWorld(chain, db, { rpcUrl: proxy.url });
      proxy.setFlaky(true);
      const [result] = await runEpochJob(replica.ctx);
      proxy.setFlaky(false);
      expect(proxy.stats.refused + proxy.stats.dropped).to.be.greaterThan(5);
      await expectSameOutcome(result!, sentBefore);
    } finally {
      await replica?.close();
      await proxy.close();
    }
  });

  it("stops with the decoded revert reason when the proposal would revert, and sends nothing", async () => {
    await reset();
    const governance = privateKeyToAccount(KEYS.governance);
    const second = privateKeyToAccount(KEYS.guardian).address;
    const sentBefore = await chain.pub.getTransactionCount({ address: oracle.address });
    let error: unknown;
    await runEpochJob(world.ctx, {
      hook: async (p) => {
        // Between signing and proposing, governance raises the threshold to two signatures.
        if (p !== "signed") return;
        const abi = ABI.distributor();
        await chain.write(governance, chain.contracts.distributor, abi, "addOracle", [second]);
        await chain.write(governance, chain.contracts.distributor, abi, "setThreshold", [2n]);
      },
    }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TxRevertedError);
    expect((error as Error).message).to.equal(
      "propose would revert: RewardsTooFewSignatures(count: 1, threshold: 2)",
    );
    expect(await proposals()).to.equal(0);
    // Only the mint went out.
    expect(await chain.pub.getTransactionCount({ address: oracle.address })).to.equal(sentBefore + 1);
    const { rows } = await world.ctx.db.query<{ step: string }>(
      "SELECT step FROM epoch_jobs WHERE epoch = 0",
    );
    expect(rows[0]!.step).to.equal("signed");
  });
});
