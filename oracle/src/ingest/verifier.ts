import { Worker } from "node:worker_threads";
import { ReceiptVerifier } from "../receipts/verify.js";
import { PACKED_SIZE } from "../receipts/packed.js";
import type { ReceiptDomain } from "../receipts/types.js";

export interface VerifyResult {
  /** 1 when receipt i's signature is valid, else 0. */
  valid: Uint8Array;
  /** EIP-712 digest of receipt i at i * 32. */
  digests: Buffer;
}

/** Verifies packed receipt batches (receipts/packed.ts), inline or on worker threads. */
export interface BatchVerifier {
  /** Verification threads (0: the calling thread). */
  readonly threads: number;
  verify(packed: Buffer, count: number): Promise<VerifyResult>;
  close(): Promise<void>;
}

/** Verifies on the calling thread. */
export class InlineVerifier implements BatchVerifier {
  readonly threads = 0;
  private constructor(private readonly verifier: ReceiptVerifier) {}

  static async create(domain: ReceiptDomain): Promise<InlineVerifier> {
    return new InlineVerifier(await ReceiptVerifier.create(domain));
  }

  async verify(packed: Buffer, count: number): Promise<VerifyResult> {
    return verifySync(this.verifier, packed, count);
  }

  async close(): Promise<void> {}
}

export function verifySync(
  verifier: ReceiptVerifier,
  packed: Buffer,
  count: number,
  valid = new Uint8Array(count),
  digests = Buffer.allocUnsafe(count * 32),
): VerifyResult {
  for (let i = 0; i < count; i++) valid[i] = verifier.verifyPacked(packed, i, digests) ? 1 : 0;
  return { valid, digests };
}

interface Job {
  resolve(r: { valid: Uint8Array; digests: Uint8Array }): void;
  reject(err: Error): void;
  size: number;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Job>;
  load: number;
}

/** Smallest slice worth sending to another thread. */
const MIN_CHUNK = 32;

/**
 * A pool of worker threads, each with its own ReceiptVerifier. A batch is split into one slice per
 * thread (least-loaded threads first); slices travel as transferred ArrayBuffers, so no receipt is
 * serialised object by object.
 */
export class ThreadPoolVerifier implements BatchVerifier {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly domain: ReceiptDomain,
    readonly threads: number,
  ) {}

  static async create(domain: ReceiptDomain, threads: number): Promise<ThreadPoolVerifier> {
    const pool = new ThreadPoolVerifier(domain, threads);
    for (let i = 0; i < threads; i++) pool.slots.push(pool.spawn());
    // Round-trip an empty job through every thread so start-up errors surface here.
    await Promise.all(pool.slots.map((s) => pool.run(s, Buffer.alloc(0), 0)));
    return pool;
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("./verifyWorker.boot.mjs", import.meta.url), {
      workerData: { domain: this.domain },
    });
    const slot: Slot = { worker, pending: new Map(), load: 0 };
    worker.on("message", (m: { id: number; valid: ArrayBuffer; digests: ArrayBuffer }) => {
      const job = slot.pending.get(m.id);
      if (!job) return;
      slot.pending.delete(m.id);
      slot.load -= job.size;
      job.resolve({ valid: new Uint8Array(m.valid), digests: new Uint8Array(m.digests) });
    });
    const fail = (err: Error) => {
      for (const job of slot.pending.values()) job.reject(err);
      slot.pending.clear();
      slot.load = 0;
      if (!this.closed) {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots[i] = this.spawn(); // replace a crashed thread
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.closed) fail(new Error(`verification thread exited with code ${code}`));
    });
    return slot;
  }

  private run(slot: Slot, chunk: Buffer, count: number): Promise<{ valid: Uint8Array; digests: Uint8Array }> {
    const id = this.nextId++;
    // A private copy of the slice, transferred (moved, not cloned) to the thread.
    const ab = new ArrayBuffer(chunk.length);
    new Uint8Array(ab).set(chunk);
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, size: count });
      slot.load += count;
      slot.worker.postMessage({ id, packed: ab, count }, [ab]);
    });
  }

  async verify(packed: Buffer, count: number): Promise<VerifyResult> {
    if (this.closed) throw new Error("verifier closed");
    const valid = new Uint8Array(count);
    const digests = Buffer.allocUnsafe(count * 32);
    if (count === 0) return { valid, digests };
    const parts = Math.max(1, Math.min(this.slots.length, Math.floor(count / MIN_CHUNK)));
    const per = Math.ceil(count / parts);
    const order = [...this.slots].sort((a, b) => a.load - b.load);
    const jobs: Promise<void>[] = [];
    for (let p = 0, start = 0; start < count; p++, start += per) {
      const n = Math.min(per, count - start);
      const from = start;
      jobs.push(
        this.run(order[p]!, packed.subarray(from * PACKED_SIZE, (from + n) * PACKED_SIZE), n).then((r) => {
          valid.set(r.valid, from);
          digests.set(r.digests, from * 32);
        }),
      );
    }
    await Promise.all(jobs);
    return { valid, digests };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** Inline when `threads` is 0, else a pool of `threads` worker threads. */
export async function createBatchVerifier(domain: ReceiptDomain, threads: number): Promise<BatchVerifier> {
  return threads > 0 ? ThreadPoolVerifier.create(domain, threads) : InlineVerifier.create(domain);
}
