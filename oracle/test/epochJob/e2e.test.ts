import { expect } from "chai";
import fc from "fast-check";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { emissionMinterAbi, minerStakingAbi } from "../../src/chain/abi.js";
import { acceptDueRoots } from "../../src/epochJob/accept.js";
import { resetEpochs } from "../../src/epochJob/reset.js";
import { errorOf } from "../helpers/errors.js";
import { runEpochJob } from "../../src/epochJob/job.js";
import { verifyEpoch } from "../../src/epochJob/verifyEpoch.js";
import { PLACEHOLDER_ACCOUNT, boostBps, leafHash, parseBundle } from "../../src/epoch/index.js";
import { startServer, type RunningServer } from "../../src/http/server.js";
import type { Hex } from "../../src/lib/hex.js";
import { runCli } from "../helpers/child.js";
import { ABI, KEYS, MSN, startDevChain, type DevChain } from "../helpers/devChain.js";
import { ensureArtifacts } from "../helpers/hardhatNode.js";
import {
  GRACE,
  chainConfig,
  createEpochWorld,
  freshDatabase,
  party,
  people,
  setUpOperators,
  type Database,
  type EpochWorld,
} from "../helpers/epochWorld.js";

const tokenAbi = ABI.token();

async function balanceOf(chain: DevChain, account: Hex): Promise<bigint> {
  return (await chain.pub.readContract({
    address: chain.contracts.token,
    abi: tokenAbi,
    functionName: "balanceOf",
    args: [account],
  })) as bigint;
}

async function emissionOf(chain: DevChain, fn: "epochEmission" | "emitted", arg: number): Promise<bigint> {
  return chain.pub.readContract({
    address: chain.contracts.minter,
    abi: emissionMinterAbi,
    functionName: fn,
    args: [BigInt(arg)],
  });
}

describe("epoch job on a local chain", function () {
  let chain: DevChain;
  let base: string;
  let T0: number;
  let len: number;

  before(async () => {
    await ensureArtifacts();
    chain = await startDevChain();
    T0 = chain.genesisTime;
    len = chain.epochLength;
    await setUpOperators(chain);
    await chain.stake(people.opA.key, 1_000n * MSN);
    await chain.stake(people.opB.key, 5_000n * MSN);
    base = await chain.snapshot();
  });
  after(async () => {
    await chain?.stop();
  });

  describe("end to end: receipts in, roots on chain, claims, a third party's verification", () => {
    let db: Database;
    let world: EpochWorld;
    let files: string[];
    const keep = mkdtempSync(path.join(tmpdir(), "msn-e2e-bundles-"));

    before(async () => {
      db = await freshDatabase("pglite");
      world = await createEpochWorld(chain, db);
    });
    after(async () => {
      await world?.close();
      await db?.cleanup();
      rmSync(keep, { recursive: true, force: true });
      await chain.revert(base);
      base = await chain.snapshot();
    });

    it("publishes an epoch without traffic (placeholder root, everything carried) and the next one", async () => {
      await chain.mineAt(T0 + len + 10); // epoch 1: no receipt was sent in epoch 0
      await world.tick();
      const answers = await world.post([
        await world.receipt(people.nodeA1.address, 1, 1_000_000_000, 1),
        await world.receipt(people.nodeA2.address, 1, 500_000_000, 2),
        await world.receipt(people.nodeB1.address, 1, 2_000_000_000, 3),
        await world.receipt(people.nodeC1.address, 1, 100_000_000, 4),
      ]);
      expect(answers).to.deep.equal(["accepted", "accepted", "accepted", "accepted"]);

      let notYet: unknown;
      await runEpochJob(world.ctx, { epoch: 1 }).catch((e: unknown) => (notYet = e));
      expect((notYet as Error).message).to.match(/^epoch 1 is not closed yet/);

      await chain.mineAt(T0 + 2 * len + GRACE + 1);
      await world.tick();
      const results = await runEpochJob(world.ctx);
      expect(results.map((r) => r.epoch)).to.deep.equal([0, 1]);
      const [e0, e1] = results;
      files = results.map((r, i) => {
        const copy = path.join(keep, `epoch-${i}.json`);
        copyFileSync(r.bundleFile, copy);
        return copy;
      });

      const emission0 = await emissionOf(chain, "epochEmission", 0);
      expect(e0!.root).to.equal(leafHash(PLACEHOLDER_ACCOUNT, 0n));
      expect(e0!.total).to.equal(0n);
      expect(e0!.carryOut).to.equal(emission0);
      expect(e0!.accountCount).to.equal(0);

      const b1 = (await parseBundle(readFileSync(e1!.bundleFile))).bundle;
      expect(b1.carryIn).to.equal(emission0);
      expect(b1.total + b1.carryOut).to.equal(await emissionOf(chain, "emitted", T0 + 2 * len));
      expect(b1.operators.map((r) => [r.operator, r.nodes, r.stake, r.boostBps])).to.deep.equal(
        [
          [people.opA.address, 2, 1_000n * MSN, 15_000n], // 1,000 of the 2,000 MSN full stake for 2 nodes
          [people.opB.address, 1, 5_000n * MSN, 20_000n],
          [people.opC.address, 1, 0n, 10_000n],
        ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
      );
      expect(e1!.accountCount).to.equal(3);

      // Run again: nothing left, nothing sent.
      const again = await runEpochJob(world.ctx);
      expect(again.map((r) => [r.epoch, r.alreadyDone])).to.deep.equal([[1, true]]);
    });

    it("serves the epochs, the bundle and, before acceptance, the pending amounts", async () => {
      const list = await world.app.inject({ method: "GET", url: "/v1/epochs" });
      expect(list.statusCode).to.equal(200);
      const epochs = (list.json() as { epochs: { epoch: number; status: string; bundle: string }[] }).epochs;
      expect(epochs.map((e) => [e.epoch, e.status])).to.deep.equal([
        [1, "pending"],
        [0, "pending"],
      ]);

      const detail = await world.app.inject({ method: "GET", url: "/v1/epochs/1" });
      expect(detail.statusCode).to.equal(200);
      const d = detail.json() as Record<string, unknown>;
      expect(d).to.include({ epoch: 1, status: "pending", nodes: 4, operators: 3, accounts: 3 });
      expect(d.claimableAt).to.be.a("number");
      expect(d.bundle).to.equal("/v1/epochs/1/bundle");

      const bundle = await world.app.inject({ method: "GET", url: "/v1/epochs/1/bundle" });
      expect(bundle.statusCode).to.equal(200);
      expect(bundle.headers["x-bundle-hash"]).to.equal(d.dataHash);
      const parsed = await parseBundle(bundle.rawPayload);
      expect(parsed.hash).to.equal(d.dataHash);

      const pending = await world.app.inject({ method: "GET", url: `/v1/rewards/${people.opA.address}` });
      expect(pending.statusCode, pending.body).to.equal(200);
      const p = pending.json() as Record<string, any>;
      expect(p).to.include({ epoch: null, root: null, cumulativeAmount: "0", claimable: "0", claimed: "0" });
      expect(p.pending.epoch).to.equal(1);
      expect(p.pending.proof).to.have.length.greaterThan(0);
    });

    it("answers 400 for a malformed address or epoch and 404 for what it does not have", async () => {
      const get = (url: string) => world.app.inject({ method: "GET", url });
      const bad = await get("/v1/rewards/0x1234");
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().message).to.equal(
        "params/account must be 0x followed by 40 hex digits (20 bytes), got 6 characters",
      );
      const stranger = await get(`/v1/rewards/${party("nobody").address}`);
      expect(stranger.statusCode).to.equal(404);
      expect(stranger.json().message).to.match(
        /^no rewards for 0x[0-9a-f]{40}: no root has been accepted on chain yet/,
      );
      const unknown = await get("/v1/epochs/7");
      expect(unknown.statusCode).to.equal(404);
      expect(unknown.json().message).to.equal("epoch 7 has not been processed by this oracle");
      expect((await get("/v1/epochs/7/bundle")).statusCode).to.equal(404);
      expect((await get("/v1/epochs/minus-one")).statusCode).to.equal(400);
      expect((await get("/v1/epochs?limit=0")).statusCode).to.equal(400);
    });

    it("accepts the roots after the challenge window; two operators claim exactly what the API returns", async () => {
      expect((await acceptDueRoots(world.ctx)).accepted).to.deep.equal([]);
      await chain.mineAt((await chain.now()) + 6 * 3600 + 1);
      expect((await acceptDueRoots(world.ctx)).accepted).to.deep.equal([0, 1]);

      for (const op of [people.opA, people.opB]) {
        const res = await world.app.inject({ method: "GET", url: `/v1/rewards/${op.address}` });
        expect(res.statusCode, res.body).to.equal(200);
        const body = res.json() as {
          epoch: number;
          cumulativeAmount: string;
          claimable: string;
          proof: Hex[];
          pending: null;
        };
        expect(body.epoch).to.equal(1);
        expect(body.pending).to.equal(null);
        expect(BigInt(body.claimable) > 0n).to.equal(true);
        const before = await balanceOf(chain, op.address);
        await chain.write(
          privateKeyToAccount(op.key),
          chain.contracts.distributor,
          ABI.distributor(),
          "claim",
          [op.address, BigInt(body.cumulativeAmount), body.proof],
        );
        expect((await balanceOf(chain, op.address)) - before).to.equal(BigInt(body.claimable));
      }
      const stranger = await world.app.inject({
        method: "GET",
        url: `/v1/rewards/${party("nobody").address}`,
      });
      expect(stranger.json().message).to.equal(
        `no rewards for ${party("nobody").address}: the accepted root of epoch 1 has no leaf for it`,
      );
    });

    it("passes a third party's `oracle verify-epoch` against the chain", async () => {
      const r = await runCli(
        ["verify-epoch", files[1]!, "--rpc", chain.url, "--previous", files[0]!],
        {},
        120_000,
      );
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^OK: epoch 1 .* verifies against the chain$/m);
      expect(r.stdout).to.match(/check: stakes: 3 of 3 operators checked against stakeAt: match/);
      expect(r.stdout).to.match(
        /check: node operators: 4 of 4 nodes checked against operatorOf at block \d+: match/,
      );
      const first = await verifyEpoch(files[0]!, { rpcUrl: chain.url });
      expect(first.ok, JSON.stringify(first.discrepancies)).to.equal(true);
    });

    describe("verify-epoch finds a tampered bundle", () => {
      const lines = () => readFileSync(files[1]!, "latin1").split("\n");
      const write = (name: string, text: string) => {
        const file = path.join(keep, name);
        writeFileSync(file, text, "latin1");
        return file;
      };
      const operatorLine = (ls: string[], who: Hex) => ls.findIndex((l) => l.startsWith(`["${who}"`));

      it("a changed amount", async () => {
        const ls = lines();
        const i = operatorLine(ls, people.opA.address);
        const row = JSON.parse(ls[i]!.replace(/,$/, "")) as string[];
        row[8] = (BigInt(row[8]!) + 1000n).toString(); // cumulative
        ls[i] = JSON.stringify(row) + (ls[i]!.endsWith(",") ? "," : "");
        const report = await verifyEpoch(write("amount.json", ls.join("\n")), { rpcUrl: chain.url });
        expect(report.ok).to.equal(false);
        const messages = report.discrepancies.map((d) => d.message);
        expect(messages).to.include(
          `operator ${people.opA.address}: cumulative ${row[8]} in bundle, ${BigInt(row[8]!) - 1000n} recomputed`,
        );
        expect(messages.some((m) => m.startsWith("bundle hash ") && m.includes("dataHash"))).to.equal(true);
      });

      it("a removed operator", async () => {
        const original = (await parseBundle(readFileSync(files[1]!))).bundle;
        const removed = original.operators.find((r) => r.operator === people.opC.address)!;
        const ls = lines();
        ls.splice(operatorLine(ls, people.opC.address), 1);
        const last = ls.indexOf("]}") - 1;
        ls[last] = ls[last]!.replace(/,$/, "");
        ls[0] = ls[0]!.replace('"operatorCount":3', '"operatorCount":2');
        const report = await verifyEpoch(write("removed.json", ls.join("\n")), { rpcUrl: chain.url });
        expect(report.ok).to.equal(false);
        const messages = report.discrepancies.map((d) => d.message);
        expect(messages).to.include(
          `operator ${removed.operator}: missing from the bundle (cumulative ${removed.cumulative})`,
        );
        expect(messages.some((m) => m.startsWith("bundle hash ") && m.includes("dataHash"))).to.equal(true);
      });

      it("a changed receipts hash (only the chain's dataHash can tell), with a non-zero exit from the CLI", async () => {
        const ls = lines();
        ls[0] = ls[0]!.replace(
          /"receipts":\{"count":4,"hash":"0x[0-9a-f]{64}"\}/,
          `"receipts":{"count":4,"hash":"0x${"ab".repeat(32)}"}`,
        );
        const file = write("receipts.json", ls.join("\n"));
        const alone = await verifyEpoch(file);
        expect(alone.ok).to.equal(true); // internally consistent
        const r = await runCli(["verify-epoch", file, "--rpc", chain.url], {}, 120_000);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.match(
          /DISCREPANCY \[chain\] bundle hash 0x[0-9a-f]{64}, dataHash 0x[0-9a-f]{64} on chain/,
        );
        expect(r.stdout).to.match(/^FAILED: epoch 1: 1 discrepancies$/m);
      });

      it("exits non-zero with a one-line reason for a file that is not a bundle", async () => {
        const r = await runCli(["verify-epoch", write("junk.json", "{}\n")], {}, 60_000);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/^error: .*junk\.json is not a valid epoch bundle: line 1 \(header\)/);
      });
    });
  });

  it("applies the boost from the stake at the epoch's end, not the stake now", async () => {
    const db = await freshDatabase("postgres");
    const world = await createEpochWorld(chain, db);
    try {
      await world.post([
        await world.receipt(people.nodeA1.address, 0, 1_000_000_000, 11),
        await world.receipt(people.nodeA2.address, 0, 1_000_000_000, 12),
        await world.receipt(people.nodeC1.address, 0, 1_000_000_000, 13),
      ]);
      const end = T0 + len;
      // At the epoch's last second opA still has its 1,000 MSN; at the end instant opC stakes (counts for epoch 1);
      // later opA unstakes everything and opC stakes more.
      await chain.mineAt(end - 1);
      await chain.rpc("evm_setNextBlockTimestamp", [end]);
      await chain.write(people.opC.key, chain.contracts.token, tokenAbi, "approve", [
        chain.contracts.staking,
        10_000n * MSN,
      ]);
      await chain.rpc("evm_setNextBlockTimestamp", [end + 1]);
      await chain.write(people.opC.key, chain.contracts.staking, ABI.staking(), "stake", [3_000n * MSN]);
      await chain.write(people.opA.key, chain.contracts.staking, ABI.staking(), "requestUnstake", [
        1_000n * MSN,
      ]);
      await chain.write(people.opC.key, chain.contracts.staking, ABI.staking(), "stake", [5_000n * MSN]);
      await chain.mineAt(end + GRACE + 1);
      await world.tick();
      const [result] = await runEpochJob(world.ctx);
      const b = (await parseBundle(readFileSync(result!.bundleFile))).bundle;
      const a = b.operators.find((r) => r.operator === people.opA.address)!;
      const c = b.operators.find((r) => r.operator === people.opC.address)!;
      expect([a.stake, a.boostBps]).to.deep.equal([1_000n * MSN, 15_000n]);
      expect([c.stake, c.boostBps]).to.deep.equal([0n, 10_000n]);
      // The chain agrees about the snapshot instant, and about now.
      const stakeAt = (op: Hex, t: number) =>
        chain.pub.readContract({
          address: chain.contracts.staking,
          abi: minerStakingAbi,
          functionName: "stakeAt",
          args: [op, BigInt(t)],
        });
      expect(await stakeAt(people.opA.address, end - 1)).to.equal(1_000n * MSN);
      const now = await chain.now();
      expect(await stakeAt(people.opA.address, now)).to.equal(0n);
      expect(await stakeAt(people.opC.address, end)).to.equal(0n);
      expect(await stakeAt(people.opC.address, now)).to.equal(8_000n * MSN);
    } finally {
      await world.close();
      await db.cleanup();
      await chain.revert(base);
      base = await chain.snapshot();
    }
  });

  it("stops after a veto; after a reset and the offending receipts removed, proposes the corrected epoch", async () => {
    const db = await freshDatabase("postgres");
    const world = await createEpochWorld(chain, db);
    try {
      await world.post([
        await world.receipt(people.nodeA1.address, 0, 1_000_000_000, 21),
        await world.receipt(people.nodeC1.address, 0, 9_000_000_000, 22),
      ]);
      await chain.mineAt(T0 + len + GRACE + 1);
      await world.tick();
      const [first] = await runEpochJob(world.ctx);
      const guardian = privateKeyToAccount(KEYS.guardian);
      await chain.write(guardian, chain.contracts.distributor, ABI.distributor(), "veto", [0n]);

      const stopped = await errorOf(runEpochJob(world.ctx));
      expect(stopped?.message).to.match(
        /^the root of epoch 0 was vetoed on chain .*`oracle epoch reset --from 0`/,
      );
      // Recomputing the same inputs gives the vetoed root again, which is never proposed twice.
      expect((await resetEpochs(world.ctx, 0)).removed).to.deep.equal([0]);
      const again = await errorOf(runEpochJob(world.ctx));
      expect(again?.message).to.match(/^the guardian vetoed this root \(0x[0-9a-f]{64}\) for epoch 0/);
      // The operator removes the fraudulent receipts (node C1's) and resets again.
      await world.ctx.db.query("DELETE FROM receipts WHERE epoch = 0 AND node = decode($1, 'hex')", [
        people.nodeC1.address.slice(2),
      ]);
      await resetEpochs(world.ctx, 0);
      const [fixed] = await runEpochJob(world.ctx);
      expect(fixed!.root).to.not.equal(first!.root);
      expect(fixed!.accountCount).to.equal(1);
      const onChain = (await chain.pub.readContract({
        address: chain.contracts.distributor,
        abi: ABI.distributor(),
        functionName: "epochRoot",
        args: [0n],
      })) as { root: Hex; status: number };
      expect(onChain).to.deep.include({ root: fixed!.root, status: 1 });
      expect((await errorOf(resetEpochs(world.ctx, 0)))?.message).to.equal(
        "epoch 0 has a pending or accepted root on chain (the distributor expects epoch 1 next); only epochs from 1 on can be reset",
      );
    } finally {
      await world.close();
      await db.cleanup();
      await chain.revert(base);
      base = await chain.snapshot();
    }
  });

  it("computes the boost exactly as MinerStaking.boostBps does, on random inputs", async () => {
    const governance = privateKeyToAccount(KEYS.governance);
    const stakingAbi = ABI.staking();
    const stakers = [
      { who: party("boost-0"), stake: 1n },
      { who: party("boost-1"), stake: 999_999_999_999_999_999n },
      { who: party("boost-2"), stake: 1_234n * MSN + 567n },
      { who: party("boost-3"), stake: 40_000n * MSN },
    ];
    try {
      for (const s of stakers) {
        await chain.fund(s.who.address, s.stake);
        await chain.stake(s.who.key, s.stake);
      }
      const unstaked = party("boost-none").address;
      let last = { max: 20_000n, full: 1_000n * MSN };
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 10_000n, max: 100_000n }),
          fc.bigInt({ min: MSN, max: 100_000_000n * MSN }),
          fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 5, maxLength: 5 }),
          async (max, full, counts) => {
            if (max !== last.max || full !== last.full) {
              await chain.write(governance, chain.contracts.staking, stakingAbi, "setBoostParams", [
                max,
                full,
              ]);
              last = { max, full };
            }
            const t = BigInt(await chain.now());
            const [pMax, pFull] = (await chain.pub.readContract({
              address: chain.contracts.staking,
              abi: minerStakingAbi,
              functionName: "boostParamsAt",
              args: [t],
            })) as [bigint, bigint];
            const accounts = [...stakers.map((s) => s.who.address), unstaked];
            for (let i = 0; i < accounts.length; i++) {
              const [onChain, stake] = await Promise.all([
                chain.pub.readContract({
                  address: chain.contracts.staking,
                  abi: minerStakingAbi,
                  functionName: "boostBps",
                  args: [accounts[i]!, BigInt(counts[i]!), t],
                }),
                chain.pub.readContract({
                  address: chain.contracts.staking,
                  abi: minerStakingAbi,
                  functionName: "stakeAt",
                  args: [accounts[i]!, t],
                }),
              ]);
              expect(boostBps(stake, counts[i]!, { maxBoostBps: pMax, fullStakePerNode: pFull })).to.equal(
                onChain,
              );
            }
          },
        ),
        { seed: 20240607, numRuns: 40 },
      );
    } finally {
      await chain.revert(base);
      base = await chain.snapshot();
    }
  });

  describe("with `oracle serve`", () => {
    let db: Database;
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
      await db?.cleanup();
      await chain.revert(base);
      base = await chain.snapshot();
    });

    it("runs and accepts on its own schedule, following the chain's clock", async () => {
      db = await freshDatabase("pglite");
      const bundleDir = mkdtempSync(path.join(tmpdir(), "msn-serve-bundles-"));
      server = await startServer({ ...chainConfig(chain, db, bundleDir), port: 0, epochAutoRun: true });
      const get = async (url: string) => (await fetch(`${server!.url}${url}`)).json() as Promise<any>;
      const until = async (what: string, check: () => Promise<boolean>) => {
        const end = Date.now() + 30_000;
        while (!(await check())) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await chain.mineAt(T0 + len + GRACE + 1); // epoch 0 closes by chain time
      await until(
        "epoch 0 to be proposed",
        async () => (await get("/v1/epochs")).epochs[0]?.status === "pending",
      );
      await chain.mineAt((await chain.now()) + 6 * 3600 + 1);
      await until("epoch 0 to be accepted", async () => (await get("/v1/epochs/0")).status === "accepted");
      rmSync(bundleDir, { recursive: true, force: true });
    });

    it("lets `oracle epoch run` and `oracle epoch accept` reach a server that holds the embedded database", async () => {
      db = await freshDatabase("pglite");
      const bundleDir = mkdtempSync(path.join(tmpdir(), "msn-serve-bundles-"));
      server = await startServer({ ...chainConfig(chain, db, bundleDir), port: 0 });
      const env = {
        RPC_URL: chain.url,
        ORACLE_DEPLOYMENTS_FILE: chain.deploymentsFile,
        ORACLE_DATA_DIR: db.config.dataDir,
        ORACLE_SIGNER_KEY: KEYS.oracle,
        ORACLE_CLOCK: "chain",
        ORACLE_GRACE_SECONDS: String(GRACE),
        LOG_LEVEL: "silent",
      };
      const early = await runCli(["epoch", "run"], env, 120_000);
      expect(early.code, early.stderr).to.equal(0);
      expect(early.stdout.trim()).to.equal("no epoch has closed yet");
      await chain.mineAt(T0 + len + GRACE + 1);
      await server.ctx.chainClock!.poll();
      const run = await runCli(["epoch", "run"], env, 120_000);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.match(/held by a running server/);
      expect(run.stdout).to.match(
        /^epoch 0: proposed root 0x[0-9a-f]{64}, total 0, 0 accounts \(tx 0x[0-9a-f]{64}, block \d+\); bundle /m,
      );
      const bad = await runCli(["epoch", "run", "--epoch", "5"], env, 120_000);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/^error: epoch 5 is not closed yet/m);
      await chain.mineAt((await chain.now()) + 6 * 3600 + 1);
      const accept = await runCli(["epoch", "accept"], env, 120_000);
      expect(accept.code, accept.stderr).to.equal(0);
      expect(accept.stdout.trim()).to.equal("accepted epoch(s) 0");
      rmSync(bundleDir, { recursive: true, force: true });
    });
  });
});
