import { expect } from "chai";
import type { PublicClient } from "viem";
import type { Db } from "../src/db/types.js";
import { ChainNodeRegistry } from "../src/registry/chainRegistry.js";
import { loadNodesFile } from "../src/registry/nodes.js";
import { createLogger } from "../src/lib/logger.js";
import type { Hex } from "../src/lib/hex.js";
import { ConfigError } from "../src/lib/errors.js";
import { postgresBackend, truncateAll } from "./helpers/backends.js";
import { addr, b32 } from "./helpers/keys.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const STAKING = addr("staking-fake");

interface FakeLog {
  block: number;
  index: number;
  name: "NodeRegistered" | "NodeDeregistered";
  node: Hex;
  operator: Hex;
}

/** Just enough of a viem PublicClient: a head block and eth_getLogs over an in-memory event list. */
class FakeChain {
  head = 0;
  logs: FakeLog[] = [];
  /** getLogs calls as [from, to] */
  calls: [number, number][] = [];
  /** ranges longer than this are refused, like a provider's limit */
  maxRange = Infinity;

  async getBlockNumber(): Promise<bigint> {
    return BigInt(this.head);
  }

  async getLogs(args: { address: Hex; fromBlock: bigint; toBlock: bigint }) {
    const from = Number(args.fromBlock);
    const to = Number(args.toBlock);
    this.calls.push([from, to]);
    if (to - from + 1 > this.maxRange) throw new Error("query returned more than 10000 results");
    expect(args.address).to.equal(STAKING);
    return this.logs
      .filter((l) => l.block >= from && l.block <= to)
      .map((l) => ({
        blockNumber: BigInt(l.block),
        logIndex: l.index,
        transactionHash: b32(`tx${l.block}`),
        eventName: l.name,
        args: { node: l.node, operator: l.operator },
      }));
  }

  register(block: number, node: string, operator: string, index = 0): void {
    this.logs.push({ block, index, name: "NodeRegistered", node: addr(node), operator: addr(operator) });
  }

  deregister(block: number, node: string, operator: string, index = 0): void {
    this.logs.push({ block, index, name: "NodeDeregistered", node: addr(node), operator: addr(operator) });
  }
}

function registry(db: Db, chain: FakeChain, over: { confirmations?: number; logChunkBlocks?: number } = {}) {
  return new ChainNodeRegistry({
    db,
    chain: chain as unknown as PublicClient,
    logger: createLogger("silent"),
    minerStaking: STAKING,
    deploymentBlock: 100,
    confirmations: over.confirmations ?? 0,
    pollIntervalMs: 60_000,
    logChunkBlocks: over.logChunkBlocks ?? 1000,
  });
}

describe("node registry from MinerStaking events (fake chain)", () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ db, cleanup } = await postgresBackend.open());
  });
  after(async () => cleanup?.());
  beforeEach(async () => truncateAll(db));

  it("indexes from the deployment block in chunks, serves lookups from memory, and resumes from its cursor", async () => {
    const chain = new FakeChain();
    chain.head = 2500;
    chain.register(150, "n1", "o1");
    chain.register(1200, "n2", "o1", 0);
    chain.register(1200, "n3", "o2", 3);
    chain.deregister(2400, "n1", "o1");
    const r1 = registry(db, chain);
    await r1.start();
    expect(chain.calls).to.deep.equal([
      [100, 1099],
      [1100, 2099],
      [2100, 2500],
    ]);
    expect(r1.operatorOf(addr("n1"))).to.equal(undefined);
    expect(r1.operatorOf(addr("n2"))).to.equal(addr("o1"));
    expect(r1.operatorOf(addr("n3"))).to.equal(addr("o2"));
    expect(r1.status()).to.deep.equal({ source: "chain", nodes: 2, indexedBlock: 2500, headBlock: 2500 });
    await r1.stop();

    // A restart loads the stored registry and reads only the new blocks.
    chain.calls = [];
    chain.head = 2600;
    chain.register(2550, "n1", "o3");
    const r2 = registry(db, chain);
    await r2.start();
    expect(chain.calls).to.deep.equal([[2501, 2600]]);
    expect(r2.operatorOf(addr("n1"))).to.equal(addr("o3"));
    expect(r2.size).to.equal(3);
    await r2.stop();
  });

  it("stays `confirmations` blocks behind the head", async () => {
    const chain = new FakeChain();
    chain.head = 300;
    chain.register(295, "late", "o1");
    const r = registry(db, chain, { confirmations: 10 });
    await r.start();
    expect(r.operatorOf(addr("late"))).to.equal(undefined);
    expect(r.status().indexedBlock).to.equal(290);
    chain.head = 305;
    await r.poll();
    expect(r.operatorOf(addr("late"))).to.equal(addr("o1"));
    await r.stop();
  });

  it("retries a range the provider refuses with half the blocks", async () => {
    const chain = new FakeChain();
    chain.head = 1099;
    chain.maxRange = 300;
    chain.register(700, "n1", "o1");
    const r = registry(db, chain, { logChunkBlocks: 1000 });
    await r.start();
    expect(chain.calls[0]).to.deep.equal([100, 1099]);
    expect(chain.calls.slice(1, 3)).to.deep.equal([
      [100, 599],
      [100, 349],
    ]);
    expect(r.operatorOf(addr("n1"))).to.equal(addr("o1"));
    expect(r.status().indexedBlock).to.equal(1099);
    await r.stop();
  });

  it("lets two processes share one database: each range is applied once and both see every change", async () => {
    const chain = new FakeChain();
    chain.head = 5000;
    for (let i = 0; i < 40; i++) chain.register(100 + i * 120, `shared${i}`, `op${i % 3}`);
    const a = registry(db, chain, { logChunkBlocks: 250 });
    const b = registry(db, chain, { logChunkBlocks: 250 });
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.poll(), b.poll()]);
    expect(a.size).to.equal(40);
    expect(b.size).to.equal(40);
    for (let i = 0; i < 40; i++) expect(b.operatorOf(addr(`shared${i}`))).to.equal(addr(`op${i % 3}`));
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int8 AS n FROM node_events");
    expect(rows[0]!.n).to.equal(40);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("reads a static nodes file and refuses a malformed one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "msn-nodes-"));
    try {
      const file = path.join(dir, "nodes.json");
      writeFileSync(file, JSON.stringify({ [addr("n1").toUpperCase().replace("0X", "0x")]: addr("o1") }));
      const r = loadNodesFile(file);
      expect(r.operatorOf(addr("n1"))).to.equal(addr("o1"));
      expect(r.status()).to.deep.equal({ source: "file", nodes: 1 });
      writeFileSync(file, JSON.stringify({ n1: "o1" }));
      expect(() => loadNodesFile(file)).to.throw(ConfigError, /entry "n1" is not an address -> address pair/);
      expect(() => loadNodesFile(path.join(dir, "none.json"))).to.throw(ConfigError, /does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
