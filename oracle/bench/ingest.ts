// npm run bench:ingest [-- --receipts 200000 --batch 1000 --concurrency 4 --backend both --verify-threads N]
//
// End-to-end ingest throughput: signs N receipts (10,000 nodes, 100 clients, deterministic keys) with the
// fast path, starts `oracle serve` as a separate process on the embedded database and on PostgreSQL (a
// fresh database each), posts the receipts in batches over HTTP on 127.0.0.1, and reports accepted
// receipts/s, batch latency, the server's peak RSS, and the bare verification rate of one core measured
// in the same run.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import cliProgress from "cli-progress";
import { keccak_256 } from "@noble/hashes/sha3";
import pg from "pg";
import {
  ReceiptSigner,
  ReceiptVerifier,
  PACKED_SIZE,
  packReceipt,
  type SignedReceipt,
} from "../src/receipts/index.js";
import { openPglite } from "../src/db/pglite.js";
import { openPostgres } from "../src/db/postgres.js";
import { migrate } from "../src/db/migrate.js";
import { ClientsRepository } from "../src/registry/clients.js";
import { addressOf } from "../src/receipts/sign.js";
import { toHex, type Hex } from "../src/lib/hex.js";
import type { Db } from "../src/db/types.js";

const ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));
const CLI = path.join(ROOT, "oracle/src/cli/main.ts");
const CHAIN_ID = 31337;
const STAKING = "0x00000000000000000000000000000000005ea1e5" as Hex;
const EPOCH_LENGTH = 86_400;
const NODES = 10_000;
const CLIENTS = 100;
const OPERATORS = 1_000;

const program = new Command("bench:ingest")
  .option("--receipts <n>", "receipts to sign and post", "200000")
  .option("--batch <n>", "receipts per request", "1000")
  .option("--concurrency <n>", "requests in flight", "4")
  .option("--backend <name>", "pglite, postgres or both", "both")
  .option("--verify-threads <n>", "server verification threads (default: cores)")
  .option(
    "--pg-admin-url <url>",
    "PostgreSQL server for fresh databases",
    "postgres://postgres@127.0.0.1:5432/postgres",
  )
  .option("--server-node-args <args>", "extra node arguments for the server process (e.g. --cpu-prof)", "")
  .parse(process.argv);
const opts = program.opts<{
  receipts: string;
  batch: string;
  concurrency: string;
  backend: string;
  verifyThreads?: string;
  pgAdminUrl: string;
  serverNodeArgs: string;
}>();
const TOTAL = Number(opts.receipts);
const BATCH = Number(opts.batch);
const CONCURRENCY = Number(opts.concurrency);
const CORES = availableParallelism();
const VERIFY_THREADS = opts.verifyThreads !== undefined ? Number(opts.verifyThreads) : CORES;
for (const [name, v] of [
  ["--receipts", TOTAL],
  ["--batch", BATCH],
  ["--concurrency", CONCURRENCY],
  ["--verify-threads", VERIFY_THREADS],
] as const) {
  if (!Number.isSafeInteger(v) || v < (name === "--verify-threads" ? 0 : 1)) {
    console.error(`error: ${name} must be a positive integer`);
    process.exit(1);
  }
}
if (BATCH > 10_000) {
  console.error("error: --batch must be at most 10000");
  process.exit(1);
}
const backends = opts.backend === "both" ? (["pglite", "postgres"] as const) : [opts.backend];
if (!backends.every((b) => b === "pglite" || b === "postgres")) {
  console.error("error: --backend must be pglite, postgres or both");
  process.exit(1);
}

const key = (label: string) => keccak_256(new TextEncoder().encode(`msn-bench:${label}`));
const address = (label: string) => toHex(key(label).subarray(12));

// ---------------------------------------------------------------- the world: nodes, operators, clients
const domain = { chainId: CHAIN_ID, verifyingContract: STAKING };
const signer = await ReceiptSigner.create(domain);
const nodeAddrs: Hex[] = Array.from({ length: NODES }, (_, i) => address(`node${i}`));
const nodeOperator = (i: number) => address(`operator${i % OPERATORS}`);
const clientKeys = Array.from({ length: CLIENTS }, (_, i) => key(`client${i}`));
const clientAddrs = clientKeys.map((k) => addressOf(k));
const genesis = Math.floor(Date.now() / 1000) - 3600; // epoch 0 is current for the next 23 hours
const epoch = 0;

// ---------------------------------------------------------------- sign
console.log(
  `bench:ingest: ${TOTAL.toLocaleString()} receipts, batches of ${BATCH}, ${CONCURRENCY} in flight, ` +
    `${NODES.toLocaleString()} nodes, ${CLIENTS} clients; ${CORES} cores, server verify threads ${VERIFY_THREADS}; ` +
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
);
const bar = new cliProgress.SingleBar(
  {
    format: "signing   [{bar}] {percentage}% {value}/{total} {rate}/s",
    noTTYOutput: true,
    notTTYSchedule: 5000,
  },
  cliProgress.Presets.shades_classic,
);
const tSign = performance.now();
bar.start(TOTAL, 0, { rate: 0 });
const receipts: SignedReceipt[] = new Array(TOTAL);
for (let i = 0; i < TOTAL; i++) {
  const c = i % CLIENTS;
  receipts[i] = signer.sign(
    {
      node: nodeAddrs[(i * 7919) % NODES]!,
      client: clientAddrs[c]!,
      epoch,
      session: toHex(key(`session${i}`)),
      bytesServed: 1_000_000 + ((i * 104729) % 1_000_000_000),
    },
    clientKeys[c]!,
  );
  if (i % 5000 === 4999)
    bar.update(i + 1, { rate: Math.round((i + 1) / ((performance.now() - tSign) / 1000)) });
}
bar.update(TOTAL, { rate: Math.round(TOTAL / ((performance.now() - tSign) / 1000)) });
bar.stop();
const bodies: Buffer[] = [];
for (let i = 0; i < TOTAL; i += BATCH)
  bodies.push(Buffer.from(JSON.stringify({ receipts: receipts.slice(i, i + BATCH) })));

// ---------------------------------------------------------------- bare verification, one core
async function bareRate(): Promise<number> {
  const verifier = await ReceiptVerifier.create(domain);
  const n = Math.min(TOTAL, 30_000);
  const packed = Buffer.alloc(n * PACKED_SIZE);
  for (let i = 0; i < n; i++) packReceipt(packed, i, receipts[i]!);
  const digests = new Uint8Array(n * 32);
  for (let i = 0; i < 2000; i++) verifier.verifyPacked(packed, i % n, digests); // warm-up
  const t = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) if (verifier.verifyPacked(packed, i, digests)) ok++;
  const dt = (performance.now() - t) / 1000;
  if (ok !== n) throw new Error(`bare verification rejected ${n - ok} receipts`);
  return n / dt;
}
const bare = await bareRate();
console.log(
  `bare verification (EIP-712 hash + libsecp256k1 recover, one core): ${Math.round(bare).toLocaleString()} receipts/s`,
);

// ---------------------------------------------------------------- one run per back end
interface RunResult {
  backend: string;
  accepted: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  rssMiB: number;
  serverCpu: number;
  dbCpu: number | undefined;
  clientCpu: number;
}

async function prepare(
  backend: string,
  dir: string,
): Promise<{ env: Record<string, string>; dbName?: string; drop(): Promise<void> }> {
  const nodesFile = path.join(dir, "nodes.json");
  writeFileSync(nodesFile, JSON.stringify(Object.fromEntries(nodeAddrs.map((n, i) => [n, nodeOperator(i)]))));
  const env: Record<string, string> = {
    ORACLE_PORT: "0",
    LOG_LEVEL: "warn",
    ORACLE_CHAIN_ID: String(CHAIN_ID),
    ORACLE_MINER_STAKING: STAKING,
    ORACLE_EPOCH_LENGTH: String(EPOCH_LENGTH),
    ORACLE_GENESIS_TIME: String(genesis),
    ORACLE_NODES_FILE: nodesFile,
    ORACLE_VERIFY_THREADS: String(VERIFY_THREADS),
    ORACLE_MAX_BATCH: String(BATCH),
    ORACLE_BODY_LIMIT_BYTES: String(Math.max(1024 * 1024, BATCH * 600)),
    ORACLE_RATE_LIMIT_MAX: "1000000000",
    ORACLE_DOCS_UI: "false",
  };
  let db: Db;
  let drop = async () => {};
  let dbName: string | undefined;
  if (backend === "pglite") {
    env.ORACLE_DATA_DIR = path.join(dir, "db");
    db = await openPglite(env.ORACLE_DATA_DIR);
  } else {
    const name = `msn_bench_${process.pid}_${Date.now().toString(36)}`;
    dbName = name;
    const admin = new pg.Client({ connectionString: opts.pgAdminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    env.DATABASE_URL = opts.pgAdminUrl.replace(/\/[^/]*$/, `/${name}`);
    db = await openPostgres(env.DATABASE_URL, 2);
    drop = async () => {
      const c = new pg.Client({ connectionString: opts.pgAdminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  try {
    await migrate(db);
    const repo = new ClientsRepository(db);
    for (let i = 0; i < CLIENTS; i++) {
      await repo.add({
        address: clientAddrs[i]!,
        operator: address(`client-owner${i}`),
        quotaBytes: Number.MAX_SAFE_INTEGER,
      });
    }
  } finally {
    await db.close();
  }
  return { env, drop, ...(dbName ? { dbName } : {}) };
}

function startServer(
  env: Record<string, string>,
): Promise<{ pid: number; port: number; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const nodeArgs = opts.serverNodeArgs.split(" ").filter((a) => a !== "");
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", CLI, "serve"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    child.stderr.on("data", (d) => (out += d));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /oracle listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m)
        resolve({
          pid: child.pid!,
          port: Number(m[1]),
          stop: async () => (process.kill(child.pid!, "SIGTERM"), exited),
        });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds used by the PostgreSQL backends serving database `name`. */
async function pgBackendCpu(name: string): Promise<number> {
  const c = new pg.Client({ connectionString: opts.pgAdminUrl });
  await c.connect();
  const { rows } = await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [
    name,
  ]);
  await c.end();
  let total = 0;
  for (const r of rows) {
    try {
      total += cpuSeconds(r.pid);
    } catch {
      // backend gone
    }
  }
  return total;
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function post(
  agent: http.Agent,
  port: number,
  body: Buffer,
): Promise<{ accepted: number; ms: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/receipts",
        agent,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          resolve({
            accepted: (JSON.parse(text) as { accepted: number }).accepted,
            ms: performance.now() - t,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function run(backend: string): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "msn-bench-"));
  const { env, drop, dbName } = await prepare(backend, dir);
  const server = await startServer(env);
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
    const progress = new cliProgress.SingleBar(
      {
        format: `${backend.padEnd(9)} [{bar}] {percentage}% {value}/{total} receipts`,
        noTTYOutput: true,
        notTTYSchedule: 5000,
      },
      cliProgress.Presets.shades_classic,
    );
    progress.start(TOTAL, 0);
    const cpu0 = cpuSeconds(server.pid);
    const db0 = dbName ? await pgBackendCpu(dbName) : undefined;
    const client0 = process.cpuUsage();
    const t = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const i = next++;
          const r = await post(agent, server.port, bodies[i]!);
          accepted += r.accepted;
          latencies.push(r.ms);
          progress.increment(Math.min(BATCH, TOTAL - i * BATCH));
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    const clientUsage = process.cpuUsage(client0);
    const serverCpu = cpuSeconds(server.pid) - cpu0;
    const dbCpu = dbName ? (await pgBackendCpu(dbName)) - db0! : undefined;
    progress.stop();
    agent.destroy();
    const rssMiB = peakRssMiB(server.pid);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return {
      backend,
      accepted,
      seconds,
      rate: accepted / seconds,
      p50: pct(0.5),
      p99: pct(0.99),
      rssMiB,
      serverCpu,
      dbCpu,
      clientCpu: (clientUsage.user + clientUsage.system) / 1e6,
    };
  } finally {
    await server.stop();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: RunResult[] = [];
for (const b of backends) results.push(await run(b));

const coresUsed = Math.min(CORES, VERIFY_THREADS + 1);
console.log("");
console.log(
  "backend    accepted   seconds   receipts/s   p50 batch   p99 batch   server peak RSS   service/(bare x cores)",
);
for (const r of results) {
  console.log(
    `${r.backend.padEnd(9)} ${String(r.accepted).padStart(9)} ${r.seconds.toFixed(1).padStart(9)} ${Math.round(r.rate).toLocaleString().padStart(12)} ` +
      `${`${r.p50.toFixed(0)} ms`.padStart(11)} ${`${r.p99.toFixed(0)} ms`.padStart(11)} ${`${r.rssMiB.toFixed(0)} MiB`.padStart(17)} ` +
      `${((100 * r.rate) / (bare * coresUsed)).toFixed(0).padStart(22)}%`,
  );
  const us = (cpu: number) => `${((cpu * 1e6) / r.accepted).toFixed(0)} µs`;
  console.log(
    `          CPU per accepted receipt: server ${us(r.serverCpu)}${r.dbCpu !== undefined ? `, PostgreSQL ${us(r.dbCpu)}` : " (database in-process)"}, ` +
      `bench client ${us(r.clientCpu)}; bare verification ${(1e6 / bare).toFixed(0)} µs`,
  );
  const perReceipt = (r.serverCpu + (r.dbCpu ?? 0) + r.clientCpu) / r.accepted;
  console.log(
    `          so ${CORES} otherwise idle cores allow at most ${Math.round(CORES / perReceipt).toLocaleString()} receipts/s ` +
      `(${((100 * (CORES / perReceipt)) / (bare * CORES)).toFixed(0)}% of bare x ${CORES}); the difference to the measured rate is other load on the machine and idle gaps`,
  );
  if (r.accepted !== TOTAL) console.log(`  WARNING: ${TOTAL - r.accepted} receipts were not accepted`);
}
console.log(
  `bare verification ${Math.round(bare).toLocaleString()}/s per core x ${coresUsed} cores used = ${Math.round(bare * coresUsed).toLocaleString()}/s; ` +
    `load average now ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
);
console.log(
  `SUMMARY ${results.map((r) => `${r.backend} ${Math.round(r.rate)} receipts/s (p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, RSS ${r.rssMiB.toFixed(0)} MiB, ${((100 * r.rate) / (bare * coresUsed)).toFixed(0)}% of bare x ${coresUsed})`).join("; ")}; bare ${Math.round(bare)}/s/core`,
);
