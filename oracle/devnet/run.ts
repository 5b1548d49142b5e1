/**
 * The devnet's main job, step by step: compile, chain, deploy, oracle, the simulated world, epochs of
 * signed receipts with time travel and the oracle's epoch job, acceptance of the roots, claims, and the
 * record the checks and the summary are made of.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildWebApp } from "../web/build.js";
import { capacityBytes } from "../src/ingest/service.js";
import { EpochClock } from "../src/lib/epochClock.js";
import type { Hex } from "../src/lib/hex.js";
import { ReceiptSigner } from "../src/receipts/sign.js";
import { distributorAbi, minterAbi, stakingAbi } from "./abi.js";
import { hardhatKey } from "./accounts.js";
import { ChainClock, connectChain, latestTimestamp, travelTo, type DevChain } from "./chain.js";
import { runChecks, type CheckResult } from "./checks.js";
import { claimAll } from "./claims.js";
import { acceptDueRoots, runEpochJob, type EpochJobOutcome } from "./epochJob.js";
import { formatInt, formatMsn } from "./format.js";
import { EpochIngest } from "./ingest.js";
import {
  epochRecord,
  fillRootsFromChain,
  finalRecord,
  readAllRewards,
  type RewardsAnswers,
} from "./observe.js";
import { startOracle, waitForRegistry, type OracleHost } from "./oracleHost.js";
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
import type { DevnetRecord, EpochRecord } from "./record.js";
import { applyStakeChanges, fundWorld, registerClients, registerNodes, stakeWorld } from "./setup.js";
import { summaryText } from "./summary.js";
import { IngestModel, planEpochTraffic, type EpochTraffic } from "./traffic.js";
import { buildWorld, METERED_QUOTA, type SimOperator, type World } from "./world.js";

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
}

/** A path relative to the repository when it is inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = path.relative(ROOT, p);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

function timestampName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-` +
    `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`
  );
}

interface DeploymentFile {
  chainId: number;
  deploymentBlock: number;
  contracts: { MSNToken: Hex; MinerStaking: Hex; RewardsDistributor: Hex; EmissionMinter: Hex };
}

interface DeployConfig {
  roles: { publicSale: Hex; oracle: Hex };
}

/** The allocation table the deploy script prints (from its header line to its total line). */
export function allocationTable(deployLog: string): string[] | undefined {
  const lines = deployLog.split("\n");
  const start = lines.findIndex((l) => /^allocation\s+\|/.test(l));
  const end = lines.findIndex((l, i) => i > start && /^total\s+\|/.test(l));
  return start < 0 || end < 0 ? undefined : lines.slice(start, end + 1);
}

/** Runs kept under .data/ (devnet-<time> directories); older ones are removed when a new one starts. */
const KEEP_RUNS = 5;
const RUN_DIR_RE = /^devnet-\d{8}-\d{6}$/;

/** Removes all but the newest `keep` default run directories in `dir`. */
export function pruneOldRuns(dir: string, keep: number): void {
  if (!existsSync(dir)) return;
  const runs = readdirSync(dir)
    .filter((name) => RUN_DIR_RE.test(name))
    .sort();
  for (const name of runs.slice(0, Math.max(0, runs.length - keep))) {
    rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * After a successful run that does not keep serving: the oracle's database (tens of MB) is only useful to
 * a running oracle; the bundles, logs, summary.txt and record.json stay.
 */
export function removeDatabase(dataDir: string): void {
  rmSync(path.join(dataDir, "oracle"), { recursive: true, force: true });
}

/** Files of an earlier run in the same data directory: a run starts from nothing. */
const RUN_FILES = [
  "oracle",
  "bundles",
  "compile.log",
  "hardhat-node.log",
  "deploy.log",
  "oracle.log",
  "summary.txt",
  "record.json",
];

export interface ExtraEpoch {
  epoch: number;
  unclaimed: bigint;
  /** Operators with something to claim now, largest amount first. */
  claimable: { operator: SimOperator; amount: bigint }[];
}

interface SimulatedEpoch {
  epoch: number;
  ingest: EpochIngest;
  answers: RewardsAnswers;
  job: EpochJobOutcome;
}

/** A started devnet: chain, deployment, oracle and the simulated world, ready to run epochs. */
export class Devnet {
  readonly records: EpochRecord[] = [];
  /** The read API's answers after each epoch's job (index = epoch). */
  readonly answers: RewardsAnswers[] = [];
  readonly portNotes: string[];

  private constructor(
    readonly opts: DevnetOptions,
    private readonly reporter: Reporter,
    private readonly res: Resources,
    readonly dataDir: string,
    readonly deploymentsFile: string,
    private readonly deploymentBlock: number,
    readonly dc: DevChain,
    readonly host: OracleHost,
    readonly world: World,
    private readonly epochs: EpochClock,
    private readonly capBytes: number,
    private readonly model: IngestModel,
    private readonly signer: ReceiptSigner,
    portNotes: string[],
  ) {
    this.portNotes = portNotes;
  }

  get rpcUrl(): string {
    return this.dc.url;
  }

  /** Compiles, starts the chain, deploys, starts the oracle and puts the simulated world in place. */
  static async start(opts: DevnetOptions, reporter: Reporter, res: Resources): Promise<Devnet> {
    if (opts.dataDir === undefined) pruneOldRuns(path.join(ROOT, ".data"), KEEP_RUNS - 1);
    const dataDir = path.resolve(opts.dataDir ?? path.join(ROOT, ".data", `devnet-${timestampName()}`));
    mkdirSync(dataDir, { recursive: true });
    for (const name of RUN_FILES) rmSync(path.join(dataDir, name), { recursive: true, force: true });
    reporter.info(
      `MSN devnet: ${opts.nodes} nodes of ${opts.operators} operators, ${opts.epochs} epochs, ` +
        `seed "${opts.seed}"; data and logs in ${displayPath(dataDir)}`,
    );

    // Contracts, chain, deployment.
    let s = reporter.step("compiling contracts (hardhat compile)");
    await runHardhat(["compile", "--quiet"], { logFile: path.join(dataDir, "compile.log") });
    s.done();
    if (opts.serve) {
      s = reporter.step("building the web app (oracle/web -> oracle/web/dist)");
      const web = await buildWebApp();
      s.done(
        `app.js ${Math.round(web.bundleBytes / 1024)} KiB, ${Math.round(web.brotliBytes / 1024)} KiB brotli`,
      );
    }

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
    ) as DeployConfig;
    s.done(displayPath(deploymentsFile));
    // The genesis split as the deploy script checked it (balances and escrows read back from the chain).
    const table = allocationTable(readFileSync(path.join(dataDir, "deploy.log"), "utf8"));
    if (table === undefined)
      throw new DevnetError("the deploy script printed no allocation table (see deploy.log)");
    reporter.info(table.map((line) => `  ${line}`).join("\n"));

    const dc = await connectChain(res.node.url, {
      token: deployment.contracts.MSNToken,
      staking: deployment.contracts.MinerStaking,
      distributor: deployment.contracts.RewardsDistributor,
      minter: deployment.contracts.EmissionMinter,
    });
    if (!opts.chainLog) {
      // Hardhat's per-request log costs more than the requests themselves.
      await dc.client.request({ method: "hardhat_setLoggingEnabled" as never, params: [false] as never });
    }

    // The oracle, on the chain's clock.
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
      bundleDir: path.join(dataDir, "bundles"),
    });
    s.done(res.oracle.url);
    if (oraclePort.note) reporter.info(`  note: ${oraclePort.note}`);
    const host = res.oracle;

    // The simulated world.
    const [genesis, epochLength, boost] = await Promise.all([
      dc.client.readContract({ address: dc.contracts.minter, abi: minterAbi, functionName: "GENESIS_TIME" }),
      dc.client.readContract({ address: dc.contracts.minter, abi: minterAbi, functionName: "EPOCH_LENGTH" }),
      dc.client.readContract({ address: dc.contracts.staking, abi: stakingAbi, functionName: "boostParams" }),
    ]);
    const world = buildWorld({
      seed: opts.seed,
      nodes: opts.nodes,
      operators: opts.operators,
      fullStakePerNode: boost[1],
    });
    const epochs = new EpochClock(Number(genesis), Number(epochLength), host.server.ctx.config.graceSeconds);
    const capBytes = capacityBytes(host.server.ctx.config.linkCapBitsPerSecond, Number(epochLength));

    let bar = reporter.bar(
      "funding operators (ETH, MSN from the public sale)",
      world.operators.length,
      "operators",
    );
    const funded = await fundWorld(dc, world, config.roles.publicSale, () => bar.increment());
    bar.stop(`${formatMsn(funded)} MSN to ${world.operators.length} operators`);

    bar = reporter.bar("registering node keys (each signed by the node key)", world.nodes.length, "nodes");
    await registerNodes(dc, world, () => bar.increment());
    bar.stop(`${world.nodes.length} nodes`);

    const stakers = world.operators.filter((o) => o.stake > 0n);
    bar = reporter.bar("staking (permit or approve + stake)", stakers.length, "operators");
    await stakeWorld(dc, world, () => bar.increment());
    bar.stop(
      `${stakers.length} of ${world.operators.length} operators, ` +
        `${formatMsn(stakers.reduce((t, o) => t + o.stake, 0n))} MSN`,
    );

    s = reporter.step("registering clients with the oracle");
    await registerClients(host.server.ctx.clients, world);
    const indexed = await waitForRegistry(host.url, Number(await dc.client.getBlockNumber()));
    s.done(`${world.clients.length} clients; the oracle indexed ${indexed} nodes`);

    const model = new IngestModel({
      epochs,
      capBytes,
      nodes: new Map(world.nodes.map((n) => [n.address, world.operators[n.operator]!.address])),
      clients: new Map(
        world.clients.map((c) => [
          c.address,
          { owner: c.owner, quota: c.quota, disabled: c.kind === "disabled" },
        ]),
      ),
    });
    const signer = await ReceiptSigner.create({
      chainId: dc.chainId,
      verifyingContract: dc.contracts.staking,
    });
    return new Devnet(
      opts,
      reporter,
      res,
      dataDir,
      deploymentsFile,
      deployment.deploymentBlock,
      dc,
      host,
      world,
      epochs,
      capBytes,
      model,
      signer,
      portNotes,
    );
  }

  /** Epochs simulated so far: the next one to simulate. */
  private simulated = 0;

  /**
   * Epoch `e`: stake changes (epoch 1), receipts during the epoch, chain time to its end, late receipts
   * inside and after the grace period, the epoch job, acceptance of roots that are due, the read API.
   */
  async simulateEpoch(): Promise<SimulatedEpoch> {
    const { reporter, dc, world, host } = this;
    // The next epoch, or the current one if the chain's time was moved further (by hand, under --serve):
    // the epoch job publishes the skipped epochs without traffic.
    const e = Math.max(this.simulated, this.epochs.epochAt(await this.res.clock!.refresh()));
    this.simulated = e + 1;
    if (e === 1 && world.stakeChanges.length > 0) {
      const s = reporter.step("epoch 1: stake changes");
      const done = await applyStakeChanges(dc, world);
      s.done(done.join("; "));
    }
    const traffic = planEpochTraffic(world, e, {
      receiptsPerNode: this.opts.receiptsPerNode,
      capBytes: this.capBytes,
      meteredQuota: METERED_QUOTA,
    });
    const ingest = new EpochIngest(host.url, this.signer, this.model, this.opts.batchSize);
    await this.postEpoch(traffic, ingest);

    let s = reporter.step(`epoch ${e}: epoch job (aggregate, rewards, tree, bundle, mint, proposeRoot)`);
    const job = await runEpochJob(host, e);
    s.done(`root ${job.bundle.root.slice(0, 10)}…, total ${formatMsn(job.bundle.total)} MSN`);
    s = reporter.step(`epoch ${e}: roots past their challenge window accepted; read API`);
    const accepted = await acceptDueRoots(host);
    const answers = await readAllRewards(host.url, world);
    s.done(accepted.length > 0 ? `accepted epoch ${accepted.join(", ")}` : "nothing due yet");
    return { epoch: e, ingest, answers, job };
  }

  /** The checked epochs (0 … opts.epochs − 1). */
  async runEpochs(): Promise<void> {
    for (let i = 0; i < this.opts.epochs; i++) {
      const { epoch: e, ingest, answers, job } = await this.simulateEpoch();
      this.answers.push(answers);
      this.records.push(
        await epochRecord(this.dc, this.world, this.epochs, e, ingest, this.model, job, answers),
      );
    }
  }

  /** Moves chain time past the challenge window of the last proposed root and accepts every due root. */
  async settle(): Promise<number[]> {
    const { dc } = this;
    const next = await dc.client.readContract({
      address: dc.contracts.distributor,
      abi: distributorAbi,
      functionName: "nextEpochToPropose",
    });
    const last = await dc.client.readContract({
      address: dc.contracts.distributor,
      abi: distributorAbi,
      functionName: "epochRoot",
      args: [next - 1n],
    });
    const s = this.reporter.step("chain time past the last root's challenge window; acceptRoot");
    await travelTo(dc, Math.max(Number(last.claimableAt), await latestTimestamp(dc)) + 1);
    await this.res.clock!.refresh();
    const accepted = await acceptDueRoots(this.host);
    s.done(accepted.length > 0 ? `accepted epoch ${accepted.join(", ")}` : "nothing left to accept");
    return accepted;
  }

  /** Every operator claims, then the checks run over everything recorded. */
  async finish(): Promise<DevnetResult> {
    const { dc, world, opts } = this;
    await this.settle();
    await fillRootsFromChain(dc, this.deploymentBlock, this.records);
    const { claims } = await claimAll(
      dc,
      {
        world,
        current: await readAllRewards(this.host.url, world),
        previous: this.answers.at(-1),
        lastBundle: this.records.at(-1)!.bundle,
        fault: opts.fault,
      },
      (total) =>
        this.reporter.bar(
          "operators claim (own claim, claim-and-stake, or through a relayer)",
          total,
          "operators",
        ),
    );
    const final = await finalRecord(dc, this.host.url, claims);
    const record: DevnetRecord = {
      info: {
        seed: opts.seed,
        nodes: opts.nodes,
        operators: opts.operators,
        epochs: opts.epochs,
        rpcUrl: dc.url,
        chainId: dc.chainId,
        oracleUrl: this.host.url,
        dataDir: this.dataDir,
        deploymentsFile: this.deploymentsFile,
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
      epochs: this.records,
      final,
    };
    const checks = await runChecks(record);
    const summary = summaryText(record, checks);
    writeFileSync(path.join(this.dataDir, "summary.txt"), summary + "\n");
    writeFileSync(
      path.join(this.dataDir, "record.json"),
      JSON.stringify(
        record,
        (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v),
        2,
      ) + "\n",
    );
    return { record, checks, summary, ok: checks.every((c) => c.ok) };
  }

  /**
   * For `--serve`: one more epoch whose rewards nobody claims, its root accepted, so that a wallet or
   * `msn:claim` has something to claim. Not part of the checks.
   */
  async extraEpoch(): Promise<ExtraEpoch> {
    const { epoch } = await this.simulateEpoch();
    await this.settle();
    const answers = await readAllRewards(this.host.url, this.world);
    const claimable: ExtraEpoch["claimable"] = [];
    for (const op of this.world.operators) {
      const due = answers.get(op.address)?.cumulativeAmount ?? 0n;
      const claimed = await this.dc.client.readContract({
        address: this.dc.contracts.distributor,
        abi: distributorAbi,
        functionName: "claimed",
        args: [op.address],
      });
      if (due > claimed) claimable.push({ operator: op, amount: due - claimed });
    }
    claimable.sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0));
    return { epoch, unclaimed: claimable.reduce((t, c) => t + c.amount, 0n), claimable };
  }

  /** One epoch's receipts: during the epoch, after its end within the grace period, and too late. */
  private async postEpoch(traffic: EpochTraffic, ingest: EpochIngest): Promise<void> {
    const { reporter, dc, epochs } = this;
    const clock = this.res.clock!;
    const e = traffic.epoch;
    const during = [...traffic.main, ...traffic.anomalies];
    const bar = reporter.bar(`epoch ${e}: clients sign and post receipts`, during.length, "receipts");
    await ingest.post(during, await clock.refresh(), (n) => bar.increment(n));
    bar.stop(`${formatInt(during.length)} receipts, ${formatInt(ingest.answers.accepted ?? 0)} accepted`);

    const s = reporter.step(
      `epoch ${e}: chain time to the epoch's end; late receipts in and after the grace period`,
    );
    await travelTo(dc, epochs.epochEnd(e) + 60);
    await ingest.post(traffic.late, await clock.refresh());
    await travelTo(dc, epochs.epochEnd(e) + epochs.graceSeconds + 60);
    await ingest.post(traffic.closed, await clock.refresh());
    s.done(`${traffic.late.length} in time, ${traffic.closed.length} too late`);
    if (ingest.mismatchCount > 0) {
      const m = ingest.mismatches[0]!;
      reporter.info(
        `  ! ${ingest.mismatchCount} answers differ from the expectation, e.g. a ${m.intent} receipt: ` +
          `${m.got}, expected ${m.expected}`,
      );
    }
  }
}

/** The whole main job: start, the checked epochs, claims, checks. */
export async function runDevnet(
  opts: DevnetOptions,
  reporter: Reporter,
  res: Resources,
): Promise<{ devnet: Devnet; result: DevnetResult }> {
  const devnet = await Devnet.start(opts, reporter, res);
  await devnet.runEpochs();
  const result = await devnet.finish();
  return { devnet, result };
}
