import type { Db } from "../db/types.js";
import type { EpochClock, Clock } from "../lib/epochClock.js";
import type { NodeRegistry } from "../registry/nodes.js";
import type { ClientInfo, ClientsRepository } from "../registry/clients.js";
import { PACKED_SIZE, packReceipt } from "../receipts/packed.js";
import type { SignedReceipt } from "../receipts/types.js";
import type { BatchVerifier } from "./verifier.js";
import { ReceiptStore, type Candidate } from "./store.js";
import type { ReceiptResult } from "./reasons.js";

export interface IngestLimits {
  /** Node link cap in bits per second. */
  linkCapBitsPerSecond: number;
}

export interface IngestOutcome {
  results: ReceiptResult[];
  accepted: number;
  rejected: number;
}

export interface IngestDeps {
  db: Db;
  registry: NodeRegistry;
  clients: ClientsRepository;
  verifier: BatchVerifier;
  epochs: EpochClock;
  clock: Clock;
  limits: IngestLimits;
}

/** Bytes a node can physically serve in one epoch: link cap x epoch length (capped at 2^53 - 1). */
export function capacityBytes(linkCapBitsPerSecond: number, epochLength: number): number {
  const cap = (BigInt(linkCapBitsPerSecond) * BigInt(epochLength)) / 8n;
  return cap > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cap);
}

/**
 * Checks a batch of schema-valid receipts and stores the accepted ones. Cheap checks first (clock,
 * capacity, in-memory node registry, one clients query per batch), then the signatures of the
 * survivors (verification threads), then the stateful checks and the write in one transaction
 * (store.ts). Resolves only once the accepted receipts are committed.
 */
export class IngestService {
  private readonly store: ReceiptStore;
  private readonly capBytes: number;

  constructor(private readonly deps: IngestDeps) {
    this.store = new ReceiptStore(deps.db);
    this.capBytes = capacityBytes(deps.limits.linkCapBitsPerSecond, deps.epochs.epochLength);
  }

  async ingest(receipts: readonly SignedReceipt[]): Promise<IngestOutcome> {
    const { registry, epochs, clock } = this.deps;
    const n = receipts.length;
    const results: (ReceiptResult | undefined)[] = new Array(n);
    const now = clock();

    // 1. Clock, capacity and node registry (memory only).
    const nodeOps: (string | undefined)[] = new Array(n);
    const nodeKeys: string[] = new Array(n); // lower-case 0x hex
    const clientHex: string[] = new Array(n); // lower-case hex without 0x
    const clientKeys = new Set<string>();
    for (let i = 0; i < n; i++) {
      const r = receipts[i]!;
      const acceptance = epochs.acceptance(r.epoch, now);
      if (acceptance !== "open") {
        results[i] = acceptance === "future" ? "epoch_in_future" : "epoch_closed";
        continue;
      }
      if (r.bytesServed > this.capBytes) {
        results[i] = "over_capacity";
        continue;
      }
      const node = r.node.toLowerCase();
      const op = registry.operatorOf(node);
      if (op === undefined) {
        results[i] = "unknown_node";
        continue;
      }
      nodeOps[i] = op;
      nodeKeys[i] = node;
      const client = r.client.slice(2).toLowerCase();
      clientHex[i] = client;
      clientKeys.add(client);
    }

    if (clientKeys.size === 0) return this.outcome(results);

    // 2. Clients: one query for the batch.
    const clients = await this.deps.clients.lookup([...clientKeys]);
    const infos: (ClientInfo | undefined)[] = new Array(n);
    let survivors = 0;
    for (let i = 0; i < n; i++) {
      if (results[i] !== undefined) continue;
      const info = clients.get(clientHex[i]!);
      if (info === undefined) results[i] = "unknown_client";
      else if (info.disabled) results[i] = "client_disabled";
      else if (info.operator === nodeOps[i]) results[i] = "self_dealing";
      else {
        infos[i] = info;
        survivors++;
      }
    }

    // 3. Signatures of the survivors, packed into one buffer.
    const packed = Buffer.allocUnsafe(survivors * PACKED_SIZE);
    const slot = new Int32Array(survivors);
    for (let i = 0, k = 0; i < n; i++) {
      if (results[i] !== undefined) continue;
      packReceipt(packed, k, receipts[i]!);
      slot[k++] = i;
    }
    const { valid, digests } = await this.deps.verifier.verify(packed, survivors);

    // 4. Stateful checks and the write, in one transaction.
    const cands: Candidate[] = [];
    const candSlot: number[] = [];
    for (let k = 0; k < survivors; k++) {
      const i = slot[k]!;
      if (valid[k] !== 1) {
        results[i] = "bad_signature";
        continue;
      }
      const r = receipts[i]!;
      cands.push({
        epoch: r.epoch,
        client: clientHex[i]!,
        session: r.session.slice(2).toLowerCase(),
        node: nodeKeys[i]!.slice(2),
        bytes: r.bytesServed,
        signature: r.signature.slice(2),
        digest: digests.toString("hex", k * 32, k * 32 + 32),
        quota: infos[i]!.quotaBytes,
      });
      candSlot.push(i);
    }
    const outcomes = await this.store.commit(cands);
    for (let j = 0; j < outcomes.length; j++) results[candSlot[j]!] = outcomes[j]!;
    return this.outcome(results);
  }

  private outcome(results: (ReceiptResult | undefined)[]): IngestOutcome {
    let accepted = 0;
    for (const r of results) if (r === "accepted") accepted++;
    return { results: results as ReceiptResult[], accepted, rejected: results.length - accepted };
  }
}
