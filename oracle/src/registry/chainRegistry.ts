import type { PublicClient } from "viem";
import type { Db } from "../db/types.js";
import type { Logger } from "../lib/logger.js";
import type { Hex } from "../lib/hex.js";
import { errorMessage } from "../lib/errors.js";
import { fetchNodeEvents, type NodeEvent } from "../chain/fetchNodeEvents.js";
import { NodeStore } from "./nodeStore.js";
import type { NodeRegistry, RegistryStatus } from "./nodes.js";

export interface ChainRegistryOptions {
  db: Db;
  chain: PublicClient;
  logger: Logger;
  minerStaking: Hex;
  deploymentBlock: number;
  confirmations: number;
  pollIntervalMs: number;
  logChunkBlocks: number;
}

/**
 * The node registry from MinerStaking's `NodeRegistered` / `NodeDeregistered` events: indexed with
 * `eth_getLogs` from the deployment block into the database (incrementally, from a cursor), and served
 * from an in-memory Map that tails the `nodes` table. Several processes may share one database: each
 * indexes, the cursor's compare-and-set lets exactly one apply each block range, and every process
 * picks up the changes through `nodes.seq`.
 */
export class ChainNodeRegistry implements NodeRegistry {
  private readonly map = new Map<string, Hex>();
  private readonly operators = new Map<string, Hex>(); // interned operator strings
  private readonly store: NodeStore;
  private lastSeq = 0;
  private indexedBlock: number | undefined;
  private headBlock: number | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Blocks per eth_getLogs call; halved when the provider refuses a range. */
  private chunk: number;

  constructor(private readonly opts: ChainRegistryOptions) {
    this.store = new NodeStore(opts.db);
    this.chunk = opts.logChunkBlocks;
  }

  operatorOf(node: string): Hex | undefined {
    return this.map.get(node);
  }

  /** From the database (indexed by operator), as of the last applied block. */
  nodesOf(operator: Hex, limit: number): Promise<Hex[]> {
    return this.store.nodesOf(operator, limit);
  }

  get size(): number {
    return this.map.size;
  }

  status(): RegistryStatus {
    return {
      source: "chain",
      nodes: this.map.size,
      ...(this.indexedBlock !== undefined ? { indexedBlock: this.indexedBlock } : {}),
      ...(this.headBlock !== undefined ? { headBlock: this.headBlock } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** Loads the stored registry, catches up with the chain (errors propagate), then polls. */
  async start(): Promise<void> {
    await this.refresh();
    await this.sync();
    await this.refresh();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One poll: index new blocks and pick up changes (also those written by other processes). */
  async poll(): Promise<void> {
    await this.sync();
    await this.refresh();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .then(() => {
          this.lastError = undefined;
        })
        .catch((err) => {
          this.lastError = errorMessage(err);
          this.opts.logger.warn({ err: this.lastError }, "node registry poll failed; retrying");
        })
        .finally(() => this.schedule());
    }, this.opts.pollIntervalMs);
    this.timer.unref();
  }

  /**
   * Indexes every block up to head - confirmations. A failing `eth_getLogs` (providers limit ranges
   * and result sizes) is retried with half the range, down to one block; then the error propagates.
   */
  async sync(): Promise<void> {
    const { chain, minerStaking, deploymentBlock, confirmations, logger } = this.opts;
    const head = Number(await chain.getBlockNumber());
    this.headBlock = head;
    const target = head - confirmations;
    let cursor = (await this.store.cursor()) ?? deploymentBlock - 1;
    while (cursor < target && !this.stopped) {
      const to = Math.min(target, cursor + this.chunk);
      let events: NodeEvent[];
      try {
        events = await fetchNodeEvents(chain, minerStaking, cursor + 1, to);
      } catch (err) {
        if (to === cursor + 1) throw err;
        this.chunk = Math.max(1, Math.floor((to - cursor) / 2));
        logger.warn(
          { err: errorMessage(err), chunk: this.chunk },
          "eth_getLogs failed; retrying with a smaller range",
        );
        continue;
      }
      const applied = await this.store.apply(cursor, to, events);
      if (applied) {
        if (events.length > 0)
          logger.info({ from: cursor + 1, to, events: events.length }, "indexed node events");
        cursor = to;
      } else {
        cursor = (await this.store.cursor()) ?? cursor; // another process got there first
      }
    }
    this.indexedBlock = cursor;
  }

  /** Applies the stored changes this process has not seen yet to the in-memory map. */
  async refresh(): Promise<void> {
    const changes = await this.store.changesSince(this.lastSeq);
    for (const c of changes) {
      if (c.operator === null) this.map.delete(c.node);
      else {
        let op = this.operators.get(c.operator);
        if (op === undefined) this.operators.set(c.operator, (op = c.operator));
        this.map.set(c.node, op);
      }
      this.lastSeq = c.seq;
    }
  }
}
