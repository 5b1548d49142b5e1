/**
 * The devnet's main job, step by step: compile, chain, deploy, oracle, the simulated world, epochs of
 * signed receipts with time travel and the oracle's epoch job, acceptance of the roots, claims, and the
 * record the checks and the summary are made of.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeEventLog, type Hash, type TransactionReceipt } from "viem";
import { capacityBytes } from "../src/ingest/service.js";
import { EpochClock } from "../src/lib/epochClock.js";
import type { Hex } from "../src/lib/hex.js";
import { ReceiptSigner } from "../src/receipts/sign.js";
import { createReceiptSetBuilder, type EpochBundle } from "../src/epoch/index.js";
import { distributorAbi, minterAbi, ROOT_STATUS, stakingAbi, tokenAbi } from "./abi.js";
import {
  ChainClock,
  connectChain,
  latestTimestamp,
  mapLimit,
  sendTx,
  travelTo,
  type DevChain,
} from "./chain.js";
import { runChecks, type CheckResult } from "./checks.js";
import { acceptDueRoots, runEpochJob } from "./epochJob.js";
import { EpochIngest } from "./ingest.js";
import {
  fetchRewards,
  receiptMetrics,
  startOracle,
  waitForRegistry,
  type OracleHost,
  type RewardsAnswer,
} from "./oracleHost.js";
import type { DevnetOptions } from "./options.js";
import {
  choosePort,
  DevnetError,
  ROOT,
  runHardhat,
  startHardhatNode,
  type HardhatNode,
} from "./processes.js";
import type { Reporter } from "./progress.js";
import type {
  ClaimRecord,
  DevnetRecord,
  EpochRecord,
  FinalRecord,
  OnChainRoot,
  ReadApiEntry,
} from "./record.js";
import { applyStakeChanges, fundWorld, registerClients, registerNodes, stakeWorld } from "./setup.js";
import { summaryText } from "./summary.js";
import { IngestModel, planEpochTraffic, type EpochTraffic, type ModelClient } from "./traffic.js";
import { buildWorld, METERED_QUOTA, type SimOperator, type World } from "./world.js";
import { formatInt, formatMsn } from "./format.js";
import { hardhatKey } from "./accounts.js";

/** What was started, so that it can be stopped whatever happens. */
export class Resources {
  node: HardhatNode | undefined;
  oracle: OracleHost | undefined;
  clock: ChainClock | undefined;
  private closing: Promise<void> | undefined;

  /** Stops the oracle (it reads the chain), then the chain. Safe to call more than once. */
  cleanup(): Promise<void> {
    this.closing ??= (async () => {
      this.clock?.stop();
      const errors: unknown[] = [];
      if (this.oracle) await this.oracle.close().catch((e: unknown) => errors.push(e));
      if (this.node) await this.node.stop().catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw errors[0];
    })();
    return this.closing;
  }
}

export interface DevnetResult {
  record: DevnetRecord;
  checks: CheckResult[];
  summary: string;
  ok: boolean;
  /** For `--serve`: what to print. */
  serveInfo: ServeInfo;
}

export interface ServeInfo {
  rpcUrl: string;
  chainId: number;
  oracleUrl: string;
  deploymentsFile: string;
  dataDir: string;
  portNotes: string[];
  world: World;
}

interface RunContext {
  opts: DevnetOptions;
  reporter: Reporter;
  res: Resources;
  dataDir: string;
}

function timestampName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

interface DeploymentFile {
  chainId: number;
  deploymentBlock: number;
  contracts: { MSNToken: Hex; MinerStaking: Hex; RewardsDistributor: Hex; EmissionMinter: Hex };
}

interface ConfigRoles {
  roles: { publicSale: Hex; oracle: Hex };
}

/* ---------------------------------------------------------------------------------------------- */

export async function runDevnet(
  opts: DevnetOptions,
  reporter: Reporter,
  res: Resources,
): Promise<DevnetResult> {
  const dataDir = path.resolve(opts.dataDir ?? path.join(ROOT, ".data", `devnet-${timestampName()}`));
  mkdirSync(dataDir, { recursive: true });
  // A run starts from nothing: what an earlier run left in this directory goes.
  for (const name of [
    "oracle",
    "compile.log",
    "hardhat-node.log",
    "deploy.log",
    "oracle.log",
    "summary.txt",
    "record.json",
  ]) {
    rmSync(path.join(dataDir, name), { recursive: true, force: true });
  }
  const ctx: RunContext = { opts, reporter, res, dataDir };
  reporter.info(
    `MSN devnet: ${opts.nodes} nodes of ${opts.operators} operators, ${opts.epochs} epochs, seed "${opts.seed}"; logs in ${path.relative(ROOT, dataDir) || dataDir}`,
  );

  // 1. Contracts, chain, deployment.
  let s = reporter.step("compiling contracts (npx hardhat compile)");
  await runHardhat(["compile", "--quiet"], { logFile: path.join(dataDir, "compile.log") });
  s.done();

  const portNotes: string[] = [];
  const chainPort = await choosePort(opts.port, "chain");
  if (chainPort.note) portNotes.push(chainPort.note);
  s = reporter.step(`starting hardhat node on 127.0.0.1:${chainPort.port}`);
  res.node = await startHardhatNode(chainPort.port, path.join(dataDir, "hardhat-node.log"));
  s.done(`${res.node.url}, pid ${res.node.pid}`);
  if (chainPort.note) reporter.info(`  note: ${chainPort.note}`);

  const deploymentsDir = path.resolve(opts.deploymentsDir ?? path.join(ROOT, "deployments"));
  const deploymentsFile = path.join(deploymentsDir, "localhost.json");
  s = reporter.step("deploying the MSN system (scripts/deploy.ts, deployments/config/localhost.json)");
  await runHardhat(["run", "scripts/deploy.ts", "--network", "localhost"], {
    env: { LOCALHOST_RPC_URL: res.node.url, MSN_DEPLOYMENTS_DIR: deploymentsDir },
    logFile: path.join(dataDir, "deploy.log"),
  });
  const deployment = JSON.parse(readFileSync(deploymentsFile, "utf8")) as DeploymentFile;
  const config = JSON.parse(
    readFileSync(path.join(ROOT, "deployments/config/localhost.json"), "utf8"),
  ) as ConfigRoles;
  s.done(path.relative(ROOT, deploymentsFile) || deploymentsFile);

  const dc = await connectChain(res.node.url, {
    token: deployment.contracts.MSNToken,
    staking: deployment.contracts.MinerStaking,
    distributor: deployment.contracts.RewardsDistributor,
    minter: deployment.contracts.EmissionMinter,
  });
  if (!opts.chainLog)
    await dc.client.request({ method: "hardhat_setLoggingEnabled" as never, params: [false] as never });

  // 2. The oracle, on the chain's clock.
  res.clock = new ChainClock(dc);
  await res.clock.refresh();
  res.clock.start(1_000);
  const oraclePort = await choosePort(opts.oraclePort, "oracle");
  if (oraclePort.note) portNotes.push(oraclePort.note);
  s = reporter.step("starting the oracle (embedded PGlite database, chain clock)");
  res.oracle = await startOracle({
    rpcUrl: res.node.url,
    deploymentsFile,
    dataDir: path.join(dataDir, "oracle"),
    port: oraclePort.port,
    logFile: path.join(dataDir, "oracle.log"),
    logLevel: opts.logLevel,
    clock: res.clock.now,
    signerKey: hardhatKey(19),
  });
  s.done(res.oracle.url);
  if (oraclePort.note) reporter.info(`  note: ${oraclePort.note}`);

  // 3. The simulated world.
  const [genesis, epochLength, boost, challengeWindow] = await Promise.all([
    dc.client.readContract({ address: dc.contracts.minter, abi: minterAbi, functionName: "GENESIS_TIME" }),
    dc.client.readContract({ address: dc.contracts.minter, abi: minterAbi, functionName: "EPOCH_LENGTH" }),
    dc.client.readContract({ address: dc.contracts.staking, abi: stakingAbi, functionName: "boostParams" }),
    dc.client.readContract({
      address: dc.contracts.distributor,
      abi: distributorAbi,
      functionName: "challengeWindow",
    }),
  ]);
  const world = buildWorld({
    seed: opts.seed,
    nodes: opts.nodes,
    operators: opts.operators,
    fullStakePerNode: boost[1],
  });
  const host = res.oracle;
  const graceSeconds = host.server.ctx.config.graceSeconds;
  const epochs = new EpochClock(Number(genesis), Number(epochLength), graceSeconds);
  const capBytes = capacityBytes(host.server.ctx.config.linkCapBitsPerSecond, Number(epochLength));

  let bar = reporter.bar(
    "funding operators (ETH, MSN from the public sale)",
    world.operators.length,
    "operators",
  );
  const funded = await fundWorld(dc, world, config.roles.publicSale, () => bar.increment());
  bar.stop(`${formatMsn(funded)} MSN to ${world.operators.length} operators`);

  bar = reporter.bar("registering node keys (signed by each node)", world.nodes.length, "nodes");
  await registerNodes(dc, world, () => bar.increment());
  bar.stop(`${world.nodes.length} nodes`);

  const stakers = world.operators.filter((o) => o.stake > 0n);
  bar = reporter.bar("staking", stakers.length, "operators");
  await stakeWorld(dc, world, () => bar.increment());
  bar.stop(
    `${stakers.length} of ${world.operators.length} operators, ${formatMsn(stakers.reduce((t, o) => t + o.stake, 0n))} MSN`,
  );

  s = reporter.step("registering clients with the oracle");
  await registerClients(host.server.ctx.clients, world);
  const head = Number(await dc.client.getBlockNumber());
  const indexed = await waitForRegistry(host.url, head);
  s.done(`${world.clients.length} clients; the oracle indexed ${indexed} nodes`);

  // 4. Epochs.
  const model = new IngestModel({
    epochs,
    capBytes,
    nodes: new Map(world.nodes.map((n) => [n.address, world.operators[n.operator]!.address])),
    clients: new Map<string, ModelClient>(
      world.clients.map((c) => [
        c.address,
        { owner: c.owner, quota: c.quota, disabled: c.kind === "disabled" },
      ]),
    ),
  });
  const signer = await ReceiptSigner.create({ chainId: dc.chainId, verifyingContract: dc.contracts.staking });
  const records: EpochRecord[] = [];
  const answersByEpoch: Map<string, RewardsAnswer | undefined>[] = [];
  for (let e = 0; e < opts.epochs; e++) {
    if (e === 1 && world.stakeChanges.length > 0) {
      s = reporter.step("epoch 1: stake changes");
      const done = await applyStakeChanges(dc, world);
      s.done(done.join("; "));
    }
    const traffic = planEpochTraffic(world, e, {
      receiptsPerNode: opts.receiptsPerNode,
      capBytes,
      meteredQuota: METERED_QUOTA,
    });
    const ingest = new EpochIngest(host.url, signer, model, opts.batchSize);
    await postEpoch(ctx, dc, epochs, traffic, ingest);

    s = reporter.step(`epoch ${e}: epoch job (aggregate, rewards, tree, bundle, mint, proposeRoot)`);
    const job = await runEpochJob(host, dc, e);
    s.done(`root ${job.bundle.root.slice(0, 10)}…, total ${formatMsn(job.bundle.total)} MSN`);
    await acceptDueRoots(host, dc);

    const answers = await readAllRewards(host.url, world);
    answersByEpoch.push(answers);
    records.push(await epochRecord(dc, world, epochs, e, traffic, ingest, model, job, answers));
  }

  // 5. The challenge window, acceptance, claims.
  const lastRoot = await dc.client.readContract({
    address: dc.contracts.distributor,
    abi: distributorAbi,
    functionName: "epochRoot",
    args: [BigInt(opts.epochs - 1)],
  });
  const target = Math.max(Number(lastRoot.claimableAt), await latestTimestamp(dc)) + 1;
  s = reporter.step(`waiting out the challenge window (${Number(challengeWindow) / 3600} h of chain time)`);
  await travelTo(dc, target);
  await res.clock.refresh();
  const accepted = await acceptDueRoots(host, dc);
  s.done(`accepted ${accepted.length > 0 ? `epoch ${accepted.join(", ")}` : "nothing more"}`);
  await fillRootsFromChain(dc, deployment.deploymentBlock, records);

  const claims = await claimAll(ctx, dc, world, records, answersByEpoch);

  const final = await finalRecord(dc, host.url, claims);
  const record: DevnetRecord = {
    info: {
      seed: opts.seed,
      nodes: opts.nodes,
      operators: opts.operators,
      epochs: opts.epochs,
      rpcUrl: res.node.url,
      chainId: dc.chainId,
      oracleUrl: host.url,
      dataDir,
      deploymentsFile,
      fault: opts.fault,
    },
    operators: world.operators.map((o) => ({
      index: o.index,
      address: o.address,
      profile: o.profile,
      nodes: o.nodes.length,
      stakePlan: o.stakePlan,
      claimMode: o.claimMode,
    })),
    epochs: records,
    final,
  };
  const checks = await runChecks(record);
  const summary = summaryText(record, checks);
  writeFileSync(path.join(dataDir, "summary.txt"), summary + "\n");
  writeFileSync(
    path.join(dataDir, "record.json"),
    JSON.stringify(
      record,
      (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v),
      2,
    ),
  );
  return {
    record,
    checks,
    summary,
    ok: checks.every((c) => c.ok),
    serveInfo: {
      rpcUrl: res.node.url,
      chainId: dc.chainId,
      oracleUrl: host.url,
      deploymentsFile,
      dataDir,
      portNotes,
      world,
    },
  };
}

/* ---------------------------------------------------------------------------------------------- */

/** One epoch's receipts: during the epoch, after its end within the grace period, and too late. */
async function postEpoch(
  ctx: RunContext,
  dc: DevChain,
  epochs: EpochClock,
  traffic: EpochTraffic,
  ingest: EpochIngest,
): Promise<void> {
  const { reporter, res } = ctx;
  const e = traffic.epoch;
  const during = [...traffic.main, ...traffic.anomalies];
  const bar = reporter.bar(`epoch ${e}: clients sign and post receipts`, during.length, "receipts");
  await ingest.post(during, await res.clock!.refresh(), (n) => bar.increment(n));
  bar.stop(`${formatInt(during.length)} receipts, ${formatInt(ingest.answers.accepted ?? 0)} accepted`);

  const s = reporter.step(
    `epoch ${e}: chain time to the epoch's end; late receipts within and after the grace period`,
  );
  await travelTo(dc, epochs.epochEnd(e) + 60);
  await ingest.post(traffic.late, await res.clock!.refresh());
  await travelTo(dc, epochs.epochEnd(e) + epochs.graceSeconds + 60);
  await ingest.post(traffic.closed, await res.clock!.refresh());
  s.done(`${traffic.late.length} in time, ${traffic.closed.length} too late`);
  if (ingest.mismatchCount > 0) {
    const m = ingest.mismatches[0]!;
    reporter.info(
      `  ! ${ingest.mismatchCount} answers differ from the expectation, e.g. a ${m.intent} receipt: ${m.got}, expected ${m.expected}`,
    );
  }
}

async function readAllRewards(url: string, world: World): Promise<Map<string, RewardsAnswer | undefined>> {
  const out = new Map<string, RewardsAnswer | undefined>();
  await mapLimit(world.operators, 8, async (op) => {
    out.set(op.address, await fetchRewards(url, op.address));
  });
  return out;
}

async function epochRecord(
  dc: DevChain,
  world: World,
  epochs: EpochClock,
  e: number,
  traffic: EpochTraffic,
  ingest: EpochIngest,
  model: IngestModel,
  job: { bundle: EpochBundle; hash: Hash },
  answers: Map<string, RewardsAnswer | undefined>,
): Promise<EpochRecord> {
  void traffic;
  const snapshot = BigInt(epochs.epochEnd(e) - 1);
  const { minter, staking } = dc.contracts;
  const [emission, emittedThrough] = await Promise.all([
    dc.client.readContract({
      address: minter,
      abi: minterAbi,
      functionName: "epochEmission",
      args: [BigInt(e)],
    }),
    dc.client.readContract({
      address: minter,
      abi: minterAbi,
      functionName: "emitted",
      args: [BigInt(epochs.epochEnd(e))],
    }),
  ]);
  const chainStakes = new Map<string, bigint>();
  await mapLimit(world.operators, 16, async (op) => {
    chainStakes.set(
      op.address,
      await dc.client.readContract({
        address: staking,
        abi: stakingAbi,
        functionName: "stakeAt",
        args: [op.address, snapshot],
      }),
    );
  });
  const chainBoosts = new Map<string, bigint>();
  await mapLimit(
    job.bundle.operators.filter((r) => r.nodes > 0),
    16,
    async (row) => {
      chainBoosts.set(
        row.operator,
        await dc.client.readContract({
          address: staking,
          abi: stakingAbi,
          functionName: "boostBps",
          args: [row.operator, BigInt(row.nodes), snapshot],
        }),
      );
    },
  );
  const builder = await createReceiptSetBuilder({ chainId: dc.chainId, verifyingContract: staking }, e);
  for (const r of model.counted(e)) builder.add({ ...r, bytesServed: BigInt(r.bytesServed) });
  const readApi = new Map<string, ReadApiEntry | undefined>();
  for (const [op, a] of answers)
    readApi.set(op, a && { epoch: a.epoch, cumulativeAmount: a.cumulativeAmount });
  return {
    epoch: e,
    emission,
    emittedThrough,
    receiptsPosted: ingest.posted,
    answers: ingest.answers,
    mismatches: ingest.mismatches,
    mismatchCount: ingest.mismatchCount,
    expected: await builder.finish(),
    bundle: job.bundle,
    bundleHash: job.hash,
    // Filled in once every root is accepted (fillRootsFromChain).
    onChain: { root: "0x", total: 0n, dataHash: "0x", status: "None" },
    chainStakes,
    chainBoosts,
    readApi,
  };
}

/** Each epoch's root as the distributor holds it now, with the data hash of its (latest) proposal. */
async function fillRootsFromChain(dc: DevChain, fromBlock: number, records: EpochRecord[]): Promise<void> {
  const logs = await dc.client.getContractEvents({
    address: dc.contracts.distributor,
    abi: distributorAbi,
    eventName: "RootProposed",
    fromBlock: BigInt(fromBlock),
  });
  const dataHash = new Map<number, Hash>();
  for (const log of logs) dataHash.set(Number(log.args.epoch), log.args.dataHash!);
  for (const r of records) {
    const info = await dc.client.readContract({
      address: dc.contracts.distributor,
      abi: distributorAbi,
      functionName: "epochRoot",
      args: [BigInt(r.epoch)],
    });
    const onChain: OnChainRoot = {
      root: info.root,
      total: info.total,
      dataHash: dataHash.get(r.epoch) ?? "0x",
      status: ROOT_STATUS[info.status] ?? "None",
    };
    r.onChain = onChain;
  }
}

/* ---------------------------------------------------------------------------------------------- */

interface ClaimPlan {
  op: SimOperator;
  /** What the read API says now: the amount the operator is owed in full. */
  due: RewardsAnswer;
  /** What is actually claimed (differs from `due` only under --fault wrong-claim). */
  use: RewardsAnswer;
}

async function claimAll(
  ctx: RunContext,
  dc: DevChain,
  world: World,
  records: EpochRecord[],
  answersByEpoch: Map<string, RewardsAnswer | undefined>[],
): Promise<ClaimRecord[]> {
  const { reporter, opts } = ctx;
  const { distributor, token, staking } = dc.contracts;
  const current = await readAllRewards(ctx.res.oracle!.url, world);
  let plans: ClaimPlan[] = world.operators
    .filter((op) => (current.get(op.address)?.cumulativeAmount ?? 0n) > 0n)
    .map((op) => ({ op, due: current.get(op.address)!, use: current.get(op.address)! }));

  if (opts.fault === "skip-claim") plans = plans.slice(1);
  if (opts.fault === "wrong-claim") {
    const previous = answersByEpoch.at(-2)!;
    const victim = plans.find((p) => {
      const old = previous.get(p.op.address);
      return (
        p.op.claimMode === "claim" &&
        old !== undefined &&
        old.cumulativeAmount > 0n &&
        old.cumulativeAmount < p.due.cumulativeAmount
      );
    });
    if (!victim)
      throw new DevnetError("--fault wrong-claim: no operator has a smaller amount in the previous epoch");
    victim.use = previous.get(victim.op.address)!;
  }
  void records;

  const now = await latestTimestamp(dc);
  const before = new Map<string, { stake: bigint; balance: bigint }>();
  await mapLimit(plans, 16, async (p) => {
    before.set(p.op.address, await stakeAndBalance(dc, p.op.address, now));
  });

  const bar = reporter.bar(
    "operators claim (own claim, claim-and-stake, or through a relayer)",
    plans.length,
    "operators",
  );
  const paid = new Map<string, bigint>();
  const addPaid = (receipt: TransactionReceipt) => {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== distributor) continue;
      try {
        const ev = decodeEventLog({ abi: distributorAbi, data: log.data, topics: log.topics });
        if (ev.eventName === "Claimed") {
          const who = ev.args.account.toLowerCase();
          paid.set(who, (paid.get(who) ?? 0n) + ev.args.amount);
        }
      } catch {
        // another event of the distributor
      }
    }
  };
  const own = plans.filter((p) => p.op.claimMode !== "relayer");
  await mapLimit(own, 8, async (p) => {
    const wallet = dc.wallet(p.op.key);
    const receipt =
      p.op.claimMode === "claimAndStake"
        ? await sendTx(dc, `claimAndStake by operator ${p.op.index}`, () =>
            wallet.writeContract({
              address: distributor,
              abi: distributorAbi,
              functionName: "claimAndStake",
              args: [p.use.cumulativeAmount, p.use.proof],
            }),
          )
        : await sendTx(dc, `claim by operator ${p.op.index}`, () =>
            wallet.writeContract({
              address: distributor,
              abi: distributorAbi,
              functionName: "claim",
              args: [p.op.address, p.use.cumulativeAmount, p.use.proof],
            }),
          );
    addPaid(receipt);
    bar.increment();
  });
  const relayed = plans.filter((p) => p.op.claimMode === "relayer");
  const relayer = dc.wallet(world.relayer.key);
  for (let i = 0; i < relayed.length; i += 20) {
    const chunk = relayed.slice(i, i + 20);
    const receipt = await sendTx(dc, `claimMany by the relayer (${chunk.length} operators)`, () =>
      relayer.writeContract({
        address: distributor,
        abi: distributorAbi,
        functionName: "claimMany",
        args: [
          chunk.map((p) => ({
            account: p.op.address,
            cumulativeAmount: p.use.cumulativeAmount,
            proof: p.use.proof,
          })),
        ],
      }),
    );
    addPaid(receipt);
    bar.increment(chunk.length);
  }
  bar.stop(
    `${own.filter((p) => p.op.claimMode === "claim").length} claimed, ` +
      `${own.filter((p) => p.op.claimMode === "claimAndStake").length} claimed and staked, ` +
      `${relayed.length} through the relayer`,
  );

  const after = await latestTimestamp(dc);
  const lastBundle = records.at(-1)!.bundle;
  return mapLimit(plans, 16, async (p): Promise<ClaimRecord> => {
    const a = p.op.address;
    const [{ stake, balance }, claimedOnChain] = await Promise.all([
      stakeAndBalance(dc, a, after),
      dc.client.readContract({
        address: distributor,
        abi: distributorAbi,
        functionName: "claimed",
        args: [a],
      }),
    ]);
    void token;
    void staking;
    return {
      operator: a,
      mode: p.op.claimMode,
      paid: paid.get(a) ?? 0n,
      claimedOnChain,
      readApiCumulative: p.due.cumulativeAmount,
      bundleCumulative: lastBundle.operators.find((r) => r.operator === a)?.cumulative ?? 0n,
      stakeBefore: before.get(a)!.stake,
      stakeAfter: stake,
      balanceBefore: before.get(a)!.balance,
      balanceAfter: balance,
    };
  });
}

async function stakeAndBalance(
  dc: DevChain,
  account: Hex,
  t: number,
): Promise<{ stake: bigint; balance: bigint }> {
  const [stake, balance] = await Promise.all([
    dc.client.readContract({
      address: dc.contracts.staking,
      abi: stakingAbi,
      functionName: "stakeAt",
      args: [account, BigInt(t)],
    }),
    dc.client.readContract({
      address: dc.contracts.token,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [account],
    }),
  ]);
  return { stake, balance };
}

async function finalRecord(dc: DevChain, oracleUrl: string, claims: ClaimRecord[]): Promise<FinalRecord> {
  const { distributor, token } = dc.contracts;
  const [distributorBalance, funded, current, nextEpochToAccept, metrics] = await Promise.all([
    dc.client.readContract({ address: token, abi: tokenAbi, functionName: "balanceOf", args: [distributor] }),
    dc.client.readContract({ address: distributor, abi: distributorAbi, functionName: "funded" }),
    dc.client.readContract({ address: distributor, abi: distributorAbi, functionName: "currentRoot" }),
    dc.client.readContract({ address: distributor, abi: distributorAbi, functionName: "nextEpochToAccept" }),
    receiptMetrics(oracleUrl),
  ]);
  return {
    claims,
    distributorBalance,
    funded,
    currentRoot: { epoch: Number(current[0]), root: current[1] },
    nextEpochToAccept: Number(nextEpochToAccept),
    metrics,
  };
}
