/**
 * The oracle on a dev chain, for the epoch job's tests: a context over a database (PGlite directory or a fresh
 * PostgreSQL database), the chain clock, the node registry indexed from the chain, the oracle signer key, and
 * a few operators, nodes and clients with helpers to sign and post receipts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { privateKeyToAccount } from "viem/accounts";
import { loadConfig } from "../../src/config/load.js";
import type { OracleConfig } from "../../src/config/schema.js";
import { closeContext, createContext, type AppContext } from "../../src/context.js";
import { buildApp } from "../../src/http/app.js";
import { createLogger } from "../../src/lib/logger.js";
import type { Hex } from "../../src/lib/hex.js";
import { ReceiptSigner } from "../../src/receipts/index.js";
import type { DevChain } from "./devChain.js";
import { KEYS } from "./devChain.js";
import { keyOf } from "./keys.js";
import { createTestDatabase } from "./postgres.js";

export const GRACE = 600;

export interface Party {
  key: Hex;
  address: Hex;
}

export function party(label: string): Party {
  const key = keyOf(label);
  return { key, address: privateKeyToAccount(key).address.toLowerCase() as Hex };
}

/** The test world's participants (deterministic keys). */
export const people = {
  opA: party("epoch-opA"),
  opB: party("epoch-opB"),
  opC: party("epoch-opC"),
  nodeA1: party("epoch-nodeA1"),
  nodeA2: party("epoch-nodeA2"),
  nodeB1: party("epoch-nodeB1"),
  nodeC1: party("epoch-nodeC1"),
  client: party("epoch-client"),
  clientOwner: party("epoch-client-owner"),
};

export interface Database {
  kind: "pglite" | "postgres";
  config: Pick<OracleConfig, "dataDir"> & Partial<Pick<OracleConfig, "databaseUrl">>;
  cleanup(): Promise<void>;
}

/** A fresh database for one test world: a PGlite directory or a new PostgreSQL database. */
export async function freshDatabase(kind: "pglite" | "postgres"): Promise<Database> {
  const dir = mkdtempSync(path.join(tmpdir(), "msn-epochdb-"));
  if (kind === "pglite") {
    return {
      kind,
      config: { dataDir: path.join(dir, "db") },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const t = await createTestDatabase("msn_epochjob");
  return {
    kind,
    config: { dataDir: path.join(dir, "db"), databaseUrl: t.url },
    cleanup: async () => {
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The oracle's configuration for a dev chain. */
export function chainConfig(
  chain: DevChain,
  db: Database,
  bundleDir: string,
  over: Partial<OracleConfig> = {},
): OracleConfig {
  return {
    ...loadConfig({ env: {} }),
    logLevel: "silent",
    rpcUrl: chain.url,
    deploymentsFile: chain.deploymentsFile,
    ...db.config,
    signerKeys: [KEYS.oracle],
    clock: "chain",
    confirmations: 0,
    pollIntervalMs: 100,
    graceSeconds: GRACE,
    verifyThreads: 0,
    docsUi: false,
    epochAutoRun: false,
    bundleDir,
    txTimeoutMs: 5000,
    rateLimitMax: 100_000,
    chainCacheMs: 0,
    ...over,
  };
}

export interface EpochWorld {
  ctx: AppContext;
  app: FastifyInstance;
  config: OracleConfig;
  bundleDir: string;
  /** Signs a receipt of `client` for `node` and `epoch` (sessions numbered by `session`). */
  receipt(node: Hex, epoch: number, bytes: number, session: number): Promise<unknown>;
  /** POSTs receipts; returns the per-receipt answers. */
  post(receipts: unknown[]): Promise<string[]>;
  /** Reads the chain clock again (after the test moved chain time). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export async function createEpochWorld(
  chain: DevChain,
  db: Database,
  over: Partial<OracleConfig> = {},
): Promise<EpochWorld> {
  const bundleDir = mkdtempSync(path.join(tmpdir(), "msn-bundles-"));
  const config = chainConfig(chain, db, bundleDir, over);
  const ctx = await createContext(config, { logger: createLogger("silent") });
  const app = await buildApp(ctx);
  await app.ready();
  if (!(await ctx.clients.list()).some((c) => c.address === people.client.address)) {
    await ctx.clients.add({
      address: people.client.address,
      operator: people.clientOwner.address,
      quotaBytes: 1e15,
    });
  }
  const signer = await ReceiptSigner.create(ctx.runtime.domain);
  return {
    ctx,
    app,
    config,
    bundleDir,
    async receipt(node, epoch, bytes, session) {
      return signer.sign(
        {
          node,
          client: people.client.address,
          epoch,
          session: `0x${session.toString(16).padStart(64, "0")}` as Hex,
          bytesServed: bytes,
        },
        people.client.key,
      );
    },
    async post(receipts) {
      const res = await app.inject({ method: "POST", url: "/v1/receipts", payload: { receipts } });
      if (res.statusCode !== 200) throw new Error(`POST /v1/receipts: ${res.statusCode} ${res.body}`);
      return (res.json() as { results: string[] }).results;
    },
    async tick() {
      await ctx.chainClock?.poll();
    },
    async close() {
      await app.close();
      await closeContext(ctx);
      rmSync(bundleDir, { recursive: true, force: true });
    },
  };
}

/** Registers the world's nodes (A1, A2 → opA; B1 → opB; C1 → opC) and funds the operators. */
export async function setUpOperators(chain: DevChain): Promise<void> {
  for (const op of [people.opA, people.opB, people.opC]) await chain.fund(op.address, 100_000n * 10n ** 18n);
  await chain.registerNode(people.opA.key, people.nodeA1.key);
  await chain.registerNode(people.opA.key, people.nodeA2.key);
  await chain.registerNode(people.opB.key, people.nodeB1.key);
  await chain.registerNode(people.opC.key, people.nodeC1.key);
}
