import type { FastifyInstance } from "fastify";
import { loadConfig } from "../../src/config/load.js";
import type { OracleConfig } from "../../src/config/schema.js";
import { closeContext, createContext, type AppContext } from "../../src/context.js";
import type { Db } from "../../src/db/types.js";
import { buildApp } from "../../src/http/app.js";
import { createLogger } from "../../src/lib/logger.js";
import { StaticNodeRegistry } from "../../src/registry/nodes.js";
import {
  ReceiptSigner,
  type Receipt,
  type ReceiptDomain,
  type SignedReceipt,
} from "../../src/receipts/index.js";
import type { Hex } from "../../src/lib/hex.js";
import { account, addr } from "./keys.js";

export const GENESIS = 1_700_000_000;
export const EPOCH_LENGTH = 3600;
export const GRACE = 600;
/** 8,000 bit/s x 3,600 s / 8 = 3,600,000 bytes per epoch. */
export const LINK_CAP_BPS = 8_000;
export const CAP_BYTES = 3_600_000;
export const CHAIN_ID = 31337;
export const STAKING = addr("MinerStaking");
export const DOMAIN: ReceiptDomain = { chainId: CHAIN_ID, verifyingContract: STAKING };

/** Operators, nodes and clients of the test world. */
export const ops = { A: addr("opA"), B: addr("opB"), C: addr("opC") };
export const nodes = { A1: addr("nodeA1"), A2: addr("nodeA2"), B1: addr("nodeB1") };
export const clients = {
  /** belongs to operator C, quota 10,000,000 */
  c1: account("client1"),
  /** belongs to operator A (self-dealing with A's nodes) */
  c2: account("client2"),
  /** disabled */
  c3: account("client3"),
  /** never registered */
  c4: account("client4"),
  /** small quota: 1,000 bytes */
  c5: account("client5"),
};
export const QUOTA = 10_000_000;

/** A config for tests: no chain, epoch parameters and domain given explicitly. */
export function testConfig(over: Partial<OracleConfig> = {}): OracleConfig {
  return {
    ...loadConfig({ env: {} }),
    logLevel: "silent",
    chainId: CHAIN_ID,
    minerStaking: STAKING,
    epochLength: EPOCH_LENGTH,
    genesisTime: GENESIS,
    graceSeconds: GRACE,
    linkCapBitsPerSecond: LINK_CAP_BPS,
    verifyThreads: 0,
    docsUi: false,
    ...over,
  };
}

export interface World {
  ctx: AppContext;
  app: FastifyInstance;
  signer: ReceiptSigner;
  /** Unix seconds the service sees; tests move it. */
  clock: { now: number };
  registry: StaticNodeRegistry;
  /** A receipt of the current epoch by client c1 for node B1 (valid unless changed). */
  receipt(over?: Partial<Receipt>, key?: Hex): SignedReceipt;
  post(receipts: unknown[]): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Registers the test world's clients. */
export async function addClients(ctx: AppContext): Promise<void> {
  await ctx.clients.add({ address: clients.c1.address, operator: ops.C, quotaBytes: QUOTA });
  await ctx.clients.add({ address: clients.c2.address, operator: ops.A, quotaBytes: QUOTA });
  await ctx.clients.add({ address: clients.c3.address, operator: ops.C, quotaBytes: QUOTA });
  await ctx.clients.setDisabled(clients.c3.address, true);
  await ctx.clients.add({ address: clients.c5.address, operator: ops.C, quotaBytes: 1000 });
}

/** The app over `db` (already migrated) with the fixture node registry and a settable clock. */
export async function createWorld(db: Db, over: Partial<OracleConfig> = {}): Promise<World> {
  const clock = { now: GENESIS + 10 * EPOCH_LENGTH + 100 }; // early in epoch 10
  const registry = new StaticNodeRegistry([
    [nodes.A1, ops.A],
    [nodes.A2, ops.A],
    [nodes.B1, ops.B],
  ]);
  const ctx = await createContext(testConfig(over), {
    db,
    registry,
    clock: () => clock.now,
    logger: createLogger("silent"),
  });
  const app = await buildApp(ctx);
  await app.ready();
  const signer = await ReceiptSigner.create(DOMAIN);
  let sessions = 0;
  return {
    ctx,
    app,
    signer,
    clock,
    registry,
    receipt(over = {}, key) {
      const r: Receipt = {
        node: nodes.B1,
        client: clients.c1.address,
        epoch: Math.floor((clock.now - GENESIS) / EPOCH_LENGTH),
        session: `0x${(++sessions).toString(16).padStart(64, "0")}` as Hex,
        bytesServed: 1000,
        ...over,
      };
      const signingKey =
        key ?? Object.values(clients).find((c) => c.address.toLowerCase() === r.client.toLowerCase())?.key;
      if (signingKey === undefined) throw new Error("no key for that client; pass one");
      return signer.sign(r, signingKey);
    },
    async post(receipts) {
      const res = await app.inject({ method: "POST", url: "/v1/receipts", payload: { receipts } });
      return { status: res.statusCode, body: res.json() };
    },
    async close() {
      await app.close();
      await closeContext(ctx, { keepDb: true });
    },
  };
}
