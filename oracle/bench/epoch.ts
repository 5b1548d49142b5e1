// npm run bench:epoch [-- --operators 1000000 --raw --backend both --real 4]
//
// The epoch job at scale, end to end against a local chain over JSON-RPC: starts `hardhat node`, deploys the
// system with the deploy library, registers and stakes a few REAL operators on chain (their nodes, stake
// events and stakeAt are real), moves chain time past epoch 0 + grace, then for each back end (PostgreSQL, then
// the embedded PGlite, each in its own process so that peak RSS is its own, the chain reverted in between)
// fills a fresh database with a SYNTHETIC epoch and runs the real job (`runEpochJob`): aggregate, stake reads,
// rewards, tree, bundle, proofs stored, publish (mint + proposeRoot, confirmed on the local chain).
//
// What is synthetic (it cannot be on chain at this size): the operators beyond the real ones, their nodes and
// their stake events (written straight into `epoch_nodes` / `stake_events`), and, without --raw, the receipt
// count and hash (the aggregate is stored as if the aggregation had run). With --raw, 10 receipts per node are
// written to `receipts` instead and the job aggregates and hashes them itself (signatures not checked: they
// were never ingested). The stake cross-check samples the real operators only (synthetic ones have no
// stakeAt on chain). The emission is real: mint() funds the distributor and proposeRoot is accepted by it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { loadConfig } from "../src/config/load.js";
import { closeContext, createContext } from "../src/context.js";
import { createLogger } from "../src/lib/logger.js";
import { runEpochJob } from "../src/epochJob/job.js";
import type { PhaseTiming } from "../src/epochJob/phases.js";
import { findBlockAtTime } from "../src/chain/findBlockAtTime.js";
import { ChainNodeRegistry } from "../src/registry/chainRegistry.js";
import { StaticNodeRegistry } from "../src/registry/nodes.js";
import { sealEpoch } from "../src/ingest/store.js";
import { EpochStore } from "../src/epochJob/store.js";
import type { Db } from "../src/db/types.js";
import type { Hex } from "../src/lib/hex.js";
import { KEYS, MSN, startDevChain, type DevChain } from "../test/helpers/devChain.js";
import { ensureArtifacts } from "../test/helpers/hardhatNode.js";
import { createTestDatabase } from "../test/helpers/postgres.js";
import { keyOf } from "../test/helpers/keys.js";
import { privateKeyToAccount } from "viem/accounts";

const GRACE = 600;
const ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));
const SELF = fileURLToPath(import.meta.url);

const program = new Command("bench:epoch")
  .option("--operators <n>", "operators with traffic (one node each)", "1000000")
  .option("--raw", "store 10 raw receipts per node instead of the aggregate; the job aggregates them")
  .option("--backend <name>", "postgres, pglite or both", "both")
  .option("--real <n>", "operators registered and staked on the real chain", "4")
  .option(
    "--epochs <n>",
    "consecutive epochs to run (from the second on, every account has a previous amount)",
    "1",
  )
  .option("--child <json>", "(internal) run one back end in this process")
  .parse(process.argv);
const opts = program.opts<{
  operators: string;
  raw?: boolean;
  backend: string;
  real: string;
  epochs: string;
  child?: string;
}>();

interface ChildArgs {
  backend: "postgres" | "pglite";
  operators: number;
  raw: boolean;
  epochs: number;
  url: string;
  deploymentsFile: string;
  genesisTime: number;
  epochLength: number;
  real: { operator: Hex; node: Hex }[];
}

interface ChildResult {
  backend: string;
  epoch: number;
  fillSeconds: number;
  phases: PhaseTiming[];
  jobSeconds: number;
  peakRssBytes: number;
  root: string;
  total: string;
  accounts: number;
  bundleBytes: number;
  txHash: string | null;
}

const MiB = 1024 * 1024;

/* ORCHESTRATOR */

async function main(): Promise<void> {
  const operators = Number(opts.operators);
  const realCount = Number(opts.real);
  const epochs = Number(opts.epochs);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new Error("--epochs must be a positive integer");
  if (!Number.isSafeInteger(operators) || operators < 1)
    throw new Error("--operators must be a positive integer");
  const backends =
    opts.backend === "both" ? (["postgres", "pglite"] as const) : [opts.backend as "postgres" | "pglite"];
  console.log(
    `bench:epoch: ${operators.toLocaleString("en")} synthetic operators (one node each)${opts.raw ? ", 10 raw receipts per node" : ", aggregate stored"}, ${realCount} real operators on chain; back ends: ${backends.join(", ")}`,
  );
  await ensureArtifacts();
  const t0 = performance.now();
  const chain = await startDevChain();
  try {
    const real = await setUpRealOperators(chain, realCount);
    await chain.mineAt(chain.genesisTime + epochs * chain.epochLength + GRACE + 1);
    console.log(
      `local chain ${chain.url}: deployed, ${realCount} real operators staked, epochs 0-${epochs - 1} closed (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    const results: ChildResult[] = [];
    for (const backend of backends) {
      const args: ChildArgs = {
        backend,
        operators,
        raw: Boolean(opts.raw),
        epochs,
        url: chain.url,
        deploymentsFile: chain.deploymentsFile,
        genesisTime: chain.genesisTime,
        epochLength: chain.epochLength,
        real,
      };
      // Each back end proposes the same epochs on the same chain state.
      const snapshot = await chain.snapshot();
      results.push(...(await runChild(args)));
      await chain.revert(snapshot);
    }
    printTable(results, operators);
  } finally {
    await chain.stop();
  }
}

async function setUpRealOperators(chain: DevChain, count: number): Promise<{ operator: Hex; node: Hex }[]> {
  const out: { operator: Hex; node: Hex }[] = [];
  for (let i = 0; i < count; i++) {
    const opKey = keyOf(`bench-real-op-${i}`);
    const nodeKey = keyOf(`bench-real-node-${i}`);
    const operator = privateKeyToAccount(opKey).address.toLowerCase() as Hex;
    await chain.fund(operator, 10_000n * MSN);
    await chain.registerNode(opKey, nodeKey);
    if (i % 2 === 0) await chain.stake(opKey, BigInt(500 * (i + 1)) * MSN);
    out.push({ operator, node: privateKeyToAccount(nodeKey).address.toLowerCase() as Hex });
  }
  return out;
}

function runChild(args: ChildArgs): Promise<ChildResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", SELF, "--child", JSON.stringify(args)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      const text = d.toString();
      out += text;
      for (const line of text.split("\n"))
        if (line && !line.startsWith("RESULT ")) process.stdout.write(`  [${args.backend}] ${line}\n`);
    });
    child.on("exit", (code) => {
      const lines = out.split("\n").filter((l) => l.startsWith("RESULT "));
      if (code !== 0 || lines.length !== args.epochs)
        reject(new Error(`${args.backend} run failed (exit ${code})`));
      else resolve(lines.map((l) => JSON.parse(l.slice(7)) as ChildResult));
    });
  });
}

function printTable(results: ChildResult[], operators: number): void {
  const order = ["aggregate", "stakes", "rewards", "tree", "bundle", "proofs", "publish"] as const;
  const label: Record<string, string> = {
    aggregate: "aggregate",
    stakes: "stake reads",
    rewards: "rewards",
    tree: "tree",
    bundle: "bundle",
    proofs: "proofs stored",
    publish: "publish",
  };
  console.log("");
  console.log(`phase          ${results.map((r) => `${r.backend} epoch ${r.epoch}`.padStart(22)).join("")}`);
  for (const phase of order) {
    const cells = results.map((r) => {
      const t = r.phases.find((p) => p.phase === phase);
      return (
        t === undefined
          ? "-"
          : `${t.seconds.toFixed(2)} s ${(t.peakRssBytes / MiB).toFixed(0).padStart(5)} MiB`
      ).padStart(22);
    });
    console.log(`${label[phase]!.padEnd(15)}${cells.join("")}`);
  }
  console.log(
    `${"job total".padEnd(15)}${results.map((r) => `${r.jobSeconds.toFixed(2)} s ${(r.peakRssBytes / MiB).toFixed(0).padStart(5)} MiB`.padStart(22)).join("")}`,
  );
  console.log(
    `${"(fill, not job)".padEnd(15)}${results.map((r) => `${r.fillSeconds.toFixed(1)} s`.padStart(22)).join("")}`,
  );
  for (const r of results) {
    console.log(
      `${r.backend} epoch ${r.epoch}: root ${r.root}, total ${r.total}, ${r.accounts} accounts, bundle ${(r.bundleBytes / MiB).toFixed(0)} MiB, proposeRoot tx ${r.txHash}`,
    );
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const summary = results
    .map((r) => {
      const tree = r.phases.find((p) => p.phase === "tree")?.seconds ?? 0;
      return `${r.backend} epoch ${r.epoch} ${r.jobSeconds.toFixed(1)} s (tree ${tree.toFixed(1)} s) peak RSS ${(r.peakRssBytes / MiB).toFixed(0)} MiB`;
    })
    .join("; ");
  console.log(
    `SUMMARY epoch job, ${operators.toLocaleString("en")} operators${opts.raw ? " from raw receipts" : ""}: ${summary}; targets <= 60 s, <= 2048 MiB, tree <= 10 s`,
  );
}

/* ONE BACK END (child process) */

async function child(args: ChildArgs): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "msn-bench-epoch-"));
  let dropPg = async () => {};
  const dbConfig: { dataDir: string; databaseUrl?: string } = { dataDir: path.join(dir, "db") };
  if (args.backend === "postgres") {
    const t = await createTestDatabase("msn_bench_epoch");
    dbConfig.databaseUrl = t.url;
    dropPg = () => t.drop();
  }
  const config = {
    ...loadConfig({ env: {} }),
    ...dbConfig,
    logLevel: "warn" as const,
    rpcUrl: args.url,
    deploymentsFile: args.deploymentsFile,
    signerKeys: [KEYS.oracle],
    clock: "chain" as const,
    confirmations: 0,
    graceSeconds: GRACE,
    verifyThreads: 0,
    docsUi: false,
    epochAutoRun: false,
    bundleDir: path.join(dir, "bundles"),
    txTimeoutMs: 30_000,
  };
  const logger = createLogger("warn");
  // A fixed registry: the synthetic nodes are not loaded into memory (ingest is not benchmarked here). The
  // real node events are indexed below, as the chain registry would.
  const ctx = await createContext(config, { logger, registry: new StaticNodeRegistry() });
  try {
    const start0 = performance.now();
    await new ChainNodeRegistry({
      db: ctx.db,
      chain: ctx.chain!,
      logger,
      minerStaking: ctx.runtime.minerStaking,
      deploymentBlock: ctx.runtime.deploymentBlock!,
      confirmations: 0,
      pollIntervalMs: 1000,
      logChunkBlocks: 10_000,
    }).sync();
    await fillStakes(ctx.db, args);
    let setup = (performance.now() - start0) / 1000;
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      const fillStart = performance.now();
      await fill(ctx.db, args, ctx, epoch);
      const fillSeconds = setup + (performance.now() - fillStart) / 1000;
      setup = 0;
      console.log(`epoch ${epoch}: filled in ${fillSeconds.toFixed(1)} s; running the job`);
      const start = performance.now();
      const [result] = await runEpochJob(ctx, {
        epoch,
        stakeCheckPool: args.real.map((r) => r.operator),
        onPhase: (e, t) =>
          console.log(
            `epoch ${e}: ${t.phase.padEnd(10)} ${t.seconds.toFixed(2)} s, peak RSS ${(t.peakRssBytes / MiB).toFixed(0)} MiB`,
          ),
      });
      const jobSeconds = (performance.now() - start) / 1000;
      const row = await new EpochStore(ctx.db).get(epoch);
      const out: ChildResult = {
        backend: args.backend,
        epoch,
        fillSeconds,
        phases: result!.phases,
        jobSeconds,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        root: result!.root,
        total: result!.total.toString(),
        accounts: result!.accountCount,
        bundleBytes: row?.bundleBytes ?? 0,
        txHash: result!.txHash ?? null,
      };
      console.log(`RESULT ${JSON.stringify(out)}`);
    }
  } finally {
    await closeContext(ctx);
    await dropPg();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Synthetic operator i: node address, operator address (SQL expressions over the integer i). */
const NODE_SQL = "substring(sha256(convert_to('node:' || i, 'UTF8')) from 1 for 20)";
const OPERATOR_SQL = "substring(sha256(convert_to('operator:' || i, 'UTF8')) from 1 for 20)";
/** Deterministic bytes in [1e6, 1e11], every 997th node above the cap (1.08e14 at 10 Gbit/s for a day). */
const BYTES_SQL =
  "CASE WHEN i % 997 = 0 THEN 200000000000000 ELSE 1000000 + (i::bigint * 7919 * 7919) % 100000000000 END";

/** Synthetic stake: every third operator staked 0–2,000 MSN before the first snapshot (block 0 holds no real event). */
async function fillStakes(db: Db, args: ChildArgs): Promise<void> {
  await db.query(
    `INSERT INTO stake_events (block_number, log_index, operator, stake, "timestamp")
     SELECT 0, i, ${OPERATOR_SQL}, ((i % 5) * 500)::numeric * 1000000000000000000, $2
     FROM generate_series(1, $1) AS i WHERE i % 3 = 0`,
    [args.operators, args.genesisTime + 100],
  );
}

async function fill(
  db: Db,
  args: ChildArgs,
  ctx: Awaited<ReturnType<typeof createContext>>,
  epoch: number,
): Promise<void> {
  const n = args.operators;
  const snapshotTime = args.genesisTime + (epoch + 1) * args.epochLength - 1;
  const head = Number(await ctx.chain!.getBlockNumber());
  const snapshotBlock = await findBlockAtTime(ctx.chain!, snapshotTime, 0, head);
  const real = args.real;
  const bytes = BYTES_SQL.replaceAll("i::bigint", `(i + ${epoch * 7})::bigint`);
  if (!args.raw) {
    const step = 250_000;
    for (let from = 1; from <= n; from += step) {
      await db.query(
        `INSERT INTO epoch_nodes (epoch, node, operator, bytes)
         SELECT $3, ${NODE_SQL}, ${OPERATOR_SQL}, ${bytes} FROM generate_series($1::int, $2::int) AS i`,
        [from, Math.min(n, from + step - 1), epoch],
      );
    }
    await db.query(
      `INSERT INTO epoch_nodes (epoch, node, operator, bytes)
       SELECT $4, decode(n, 'hex'), decode(o, 'hex'), b FROM unnest($1::text[], $2::text[], $3::numeric[]) AS t(n, o, b)`,
      [
        real.map((r) => r.node.slice(2)),
        real.map((r) => r.operator.slice(2)),
        real.map((_, i) => String(5_000_000_000 * (i + 1))),
        epoch,
      ],
    );
    await sealEpoch(db, epoch);
    await new EpochStore(db).insertAggregated(db, {
      epoch,
      snapshotBlock,
      receiptsCount: 10 * n,
      receiptsHash: `0x${"5a".repeat(32)}`,
      nodeCount: n + real.length,
      unownedNodeCount: 0,
      unownedBytes: 0n,
    });
    return;
  }
  // Raw receipts: 10 sessions per node from 100 clients; the synthetic nodes belong to their operators from
  // the deployment block on (as if registered then).
  if (epoch === 0) {
    await db.query(
      `INSERT INTO nodes (node, operator, block_number, log_index, seq)
       SELECT ${NODE_SQL}, ${OPERATOR_SQL}, $2, 0, nextval('node_change_seq') FROM generate_series(1, $1) AS i`,
      [n, ctx.runtime.deploymentBlock!],
    );
  }
  const total = 10 * n;
  const step = 500_000;
  for (let from = 0; from < total; from += step) {
    await db.query(
      `INSERT INTO receipts (epoch, client, session, node, bytes, signature, digest)
       SELECT $4::bigint,
              substring(sha256(convert_to('client:' || (r % 100), 'UTF8')) from 1 for 20),
              sha256(convert_to('session:' || r, 'UTF8')),
              substring(sha256(convert_to('node:' || (1 + r % $3), 'UTF8')) from 1 for 20),
              1000 + ((r + $4::bigint * 7) * 7919) % 10000000000,
              decode(repeat('00', 65), 'hex'),
              sha256(convert_to('digest:' || $4::bigint || ':' || r, 'UTF8'))
       FROM generate_series($1::bigint, $2::bigint) AS r`,
      [from, Math.min(total, from + step) - 1, n, epoch],
    );
    process.stdout.write(`epoch ${epoch}: receipts ${Math.min(total, from + step)}/${total}\n`);
  }
  for (let i = 0; i < real.length; i++) {
    await db.query(
      `INSERT INTO receipts (epoch, client, session, node, bytes, signature, digest)
       VALUES ($4::bigint, decode(repeat('ab', 20), 'hex'), sha256(convert_to('real:' || $1, 'UTF8')), decode($2, 'hex'), $3,
               decode(repeat('00', 65), 'hex'), sha256(convert_to('realdigest:' || $4::bigint || ':' || $1, 'UTF8')))`,
      [i, real[i]!.node.slice(2), 5_000_000_000 * (i + 1), epoch],
    );
  }
}

if (opts.child !== undefined) {
  child(JSON.parse(opts.child) as ChildArgs).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  main().catch((err: unknown) => {
    console.error(`bench:epoch failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
