/**
 * The oracle, run in this process on its embedded database (PGlite in the run's data directory) with the
 * chain's clock, and the HTTP calls the simulated world makes to it: receipts, health, metrics, rewards.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { loadConfig } from "../src/config/load.js";
import type { LogLevel } from "../src/config/schema.js";
import type { Clock } from "../src/lib/epochClock.js";
import { createLogger } from "../src/lib/logger.js";
import { startServer, type RunningServer } from "../src/http/server.js";
import type { ReceiptResult } from "../src/ingest/reasons.js";
import { RESULTS } from "../src/ingest/reasons.js";
import type { SignedReceipt } from "../src/receipts/types.js";
import type { Hex } from "../src/lib/hex.js";
import type { ResultCounts } from "./record.js";
import { DevnetError } from "./processes.js";

export interface OracleHostOptions {
  rpcUrl: string;
  deploymentsFile: string;
  dataDir: string;
  port: number;
  logFile: string;
  logLevel: LogLevel;
  clock: Clock;
  /** The oracle signer's private key (the deployment's oracle role): signs and proposes roots. */
  signerKey: Hex;
  /** Where the epoch bundles are written. */
  bundleDir: string;
}

export interface OracleHost {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

export async function startOracle(opts: OracleHostOptions): Promise<OracleHost> {
  // Only what is given here: an ORACLE_* variable of the shell must not change the devnet.
  const config = loadConfig({
    env: {},
    overrides: {
      host: "127.0.0.1",
      port: opts.port,
      logLevel: opts.logLevel,
      dataDir: opts.dataDir,
      rpcUrl: opts.rpcUrl,
      // The local chain is what a wallet adds to reach the devnet (the web app offers it).
      webRpcUrl: opts.rpcUrl,
      deploymentsFile: opts.deploymentsFile,
      // A local chain has no reorgs: index nodes as soon as they are registered.
      confirmations: 0,
      pollIntervalMs: 250,
      // Every simulated client posts from 127.0.0.1.
      rateLimitMax: 1_000_000,
      // The devnet runs the epoch job and acceptRoot itself, at chosen chain times.
      epochAutoRun: false,
      signerKeys: opts.signerKey,
      bundleDir: opts.bundleDir,
      // The read API reads the distributor fresh: the devnet asks right after each acceptRoot.
      chainCacheMs: 0,
    },
  });
  const log: WriteStream = createWriteStream(opts.logFile, { flags: "a" });
  const logger = createLogger(opts.logLevel, log);
  let server: RunningServer;
  try {
    server = await startServer(config, { logger, clock: opts.clock });
  } catch (err) {
    log.end();
    throw new DevnetError(`the oracle did not start: ${(err as Error).message}`, { cause: err });
  }
  return {
    server,
    url: server.url,
    async close() {
      await server.close();
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body };
}

interface Health {
  registry: { nodes: number; indexedBlock?: number; lastError?: string };
}

/** Waits until the oracle's node registry has indexed `block` (and so every node registered by then). */
export async function waitForRegistry(url: string, block: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getJson(`${url}/health`);
    const health = body as Health;
    if (status === 200 && (health.registry.indexedBlock ?? -1) >= block) return health.registry.nodes;
    if (Date.now() > deadline) {
      throw new DevnetError(
        `the oracle's node registry did not reach block ${block} in ${timeoutMs / 1000} s ` +
          `(health ${status}: ${JSON.stringify(body)})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POST /v1/receipts; the per-receipt answers. Anything but a 200 is an error. */
export async function postReceipts(
  url: string,
  receipts: readonly SignedReceipt[],
): Promise<ReceiptResult[]> {
  const res = await fetch(`${url}/v1/receipts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ receipts }),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new DevnetError(`POST /v1/receipts answered ${res.status}: ${text.slice(0, 300)}`);
  }
  const body = JSON.parse(text) as { results: ReceiptResult[] };
  if (!Array.isArray(body.results) || body.results.length !== receipts.length) {
    throw new DevnetError(
      `POST /v1/receipts answered ${body.results?.length} results for ${receipts.length} receipts`,
    );
  }
  return body.results;
}

/** The `oracle_receipts_total` counters of GET /metrics (Prometheus text format). */
export async function receiptMetrics(url: string): Promise<ResultCounts> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new DevnetError(`GET /metrics answered ${res.status}`);
  return parseReceiptMetrics(await res.text());
}

export function parseReceiptMetrics(text: string): ResultCounts {
  const out: ResultCounts = {};
  const known = new Set<string>(RESULTS);
  for (const m of text.matchAll(/^oracle_receipts_total\{result="([a-z_]+)"\} ([0-9.e+]+)$/gm)) {
    if (known.has(m[1]!)) out[m[1] as ReceiptResult] = Number(m[2]);
  }
  return out;
}

/** A leaf and its proof in one epoch's tree. */
export interface LeafProof {
  epoch: number;
  cumulativeAmount: bigint;
  proof: Hex[];
}

/**
 * `GET /v1/rewards/:account`: the leaf of the latest accepted root (what a claim uses now; `epoch` null and
 * amount 0 when no accepted root lists the account) and the leaf of a newer root still in its challenge window.
 */
export interface RewardsAnswer {
  epoch: number | null;
  cumulativeAmount: bigint;
  proof: Hex[];
  pending: (LeafProof & { claimableAt: number }) | undefined;
}

const HASH_RE = /^0x[0-9a-fA-F]{64}$/;

function leafProof(
  value: unknown,
  what: string,
  nullEpoch = false,
): { epoch: number | null; cumulativeAmount: bigint; proof: Hex[] } {
  const v = (value ?? {}) as { epoch?: unknown; cumulativeAmount?: unknown; proof?: unknown };
  if (
    !(Number.isSafeInteger(v.epoch) || (nullEpoch && v.epoch === null)) ||
    typeof v.cumulativeAmount !== "string" ||
    !/^[0-9]+$/.test(v.cumulativeAmount) ||
    !Array.isArray(v.proof) ||
    !v.proof.every((p) => typeof p === "string" && HASH_RE.test(p))
  ) {
    throw new DevnetError(`${what}: unexpected answer ${JSON.stringify(value).slice(0, 300)}`);
  }
  return {
    epoch: v.epoch as number | null,
    cumulativeAmount: BigInt(v.cumulativeAmount),
    proof: v.proof as Hex[],
  };
}

/** The read API's answer for `account`; undefined when no root lists it (404). */
export async function fetchRewards(url: string, account: string): Promise<RewardsAnswer | undefined> {
  const what = `GET /v1/rewards/${account}`;
  const { status, body } = await getJson(`${url}/v1/rewards/${account}`);
  if (status === 404) return undefined;
  if (status !== 200)
    throw new DevnetError(`${what} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  const current = leafProof(body, what, true);
  const raw = (body as { pending?: unknown }).pending;
  let pending: RewardsAnswer["pending"];
  if (raw !== null && raw !== undefined) {
    const p = leafProof(raw, `${what} (pending)`);
    const claimableAt = (raw as { claimableAt?: unknown }).claimableAt;
    if (!Number.isSafeInteger(claimableAt)) throw new DevnetError(`${what}: pending.claimableAt missing`);
    pending = {
      epoch: p.epoch!,
      cumulativeAmount: p.cumulativeAmount,
      proof: p.proof,
      claimableAt: claimableAt as number,
    };
  }
  return { ...current, pending };
}
