/**
 * The epoch job's tables (migration 002): the job cursor and step outputs (`epoch_jobs`), and the tree of each
 * epoch stored compactly: its accounts packed in chunks (`epoch_leaves`) and its node layers in chunks
 * (`epoch_tree`), from which any proof is read in O(log n) without storing proofs.
 */
import type { Db, Queryable } from "../db/types.js";
import { type Address, type Hash, writeAddress, writeUint256 } from "../epoch/index.js";
import { proofIndices } from "../epoch/merkle.js";
import { fromHex, toHex, type Hex } from "../lib/hex.js";

export type JobStep = "aggregated" | "computed" | "signed" | "proposed";
export const STEPS: readonly JobStep[] = ["aggregated", "computed", "signed", "proposed"];

/** An `epoch_jobs` row, decoded. Fields of later steps are undefined until the step is recorded. */
export interface EpochJobRow {
  epoch: number;
  step: JobStep;
  snapshotBlock: number;
  receiptsCount: number;
  receiptsHash: Hash;
  nodeCount: number;
  unownedNodeCount: number;
  unownedBytes: bigint;
  emission?: bigint;
  carryIn?: bigint;
  maxBoostBps?: bigint;
  fullStakePerNode?: bigint;
  totalWeight?: bigint;
  carryOut?: bigint;
  root?: Hash;
  total?: bigint;
  dataHash?: Hash;
  operatorCount?: number;
  leafCount?: number;
  accountCount?: number;
  bundleFile?: string;
  bundleBytes?: number;
  signatures?: Hex[];
  txHash?: Hex;
  blockNumber?: number;
  proposedAt?: number;
  updatedAt: Date;
}

/** The outputs recorded with the `computed` step. */
export interface ComputedOutputs {
  emission: bigint;
  carryIn: bigint;
  maxBoostBps: bigint;
  fullStakePerNode: bigint;
  totalWeight: bigint;
  carryOut: bigint;
  root: Hash;
  total: bigint;
  dataHash: Hash;
  operatorCount: number;
  leafCount: number;
  accountCount: number;
  bundleFile: string;
  bundleBytes: number;
}

/** Entries per `epoch_leaves` chunk (56 bytes each: 112 KiB per chunk). */
export const LEAF_CHUNK = 2048;
/** Bytes per packed leaf: account (20) | cumulative (32) | tree index (4). */
export const LEAF_BYTES = 56;
/** Tree nodes per `epoch_tree` chunk (32 bytes each: 1 MiB per chunk). */
export const TREE_CHUNK = 32768;
/** Upper bound on the base64 text sent in one INSERT (PGlite passes text far faster than bytea). */
const INSERT_BYTES = 8 << 20;

type Row = Record<string, unknown>;

function big(v: unknown): bigint | undefined {
  return v === null || v === undefined ? undefined : BigInt(v as string);
}
function num(v: unknown): number | undefined {
  return v === null || v === undefined ? undefined : Number(v);
}
function hash(v: unknown): Hash | undefined {
  return v === null || v === undefined ? undefined : (toHex(v as Buffer) as Hash);
}

const JOB_COLUMNS = `epoch, step, snapshot_block, receipts_count, receipts_hash, node_count, unowned_node_count,
  unowned_bytes::text, emission::text, carry_in::text, max_boost_bps::text, full_stake_per_node::text,
  total_weight::text, carry_out::text, root, total::text, data_hash, operator_count, leaf_count, account_count,
  bundle_file, bundle_bytes, signatures, tx_hash, block_number, proposed_at, updated_at`;

function decodeJob(r: Row): EpochJobRow {
  const row: EpochJobRow = {
    epoch: Number(r.epoch),
    step: r.step as JobStep,
    snapshotBlock: Number(r.snapshot_block),
    receiptsCount: Number(r.receipts_count),
    receiptsHash: toHex(r.receipts_hash as Buffer) as Hash,
    nodeCount: Number(r.node_count),
    unownedNodeCount: Number(r.unowned_node_count),
    unownedBytes: BigInt(r.unowned_bytes as string),
    updatedAt: r.updated_at as Date,
  };
  const optional: Partial<EpochJobRow> = {
    emission: big(r.emission),
    carryIn: big(r.carry_in),
    maxBoostBps: big(r.max_boost_bps),
    fullStakePerNode: big(r.full_stake_per_node),
    totalWeight: big(r.total_weight),
    carryOut: big(r.carry_out),
    root: hash(r.root),
    total: big(r.total),
    dataHash: hash(r.data_hash),
    operatorCount: num(r.operator_count),
    leafCount: num(r.leaf_count),
    accountCount: num(r.account_count),
    bundleFile: (r.bundle_file as string | null) ?? undefined,
    bundleBytes: num(r.bundle_bytes),
    signatures: r.signatures === null ? undefined : (JSON.parse(r.signatures as string) as Hex[]),
    txHash: hash(r.tx_hash),
    blockNumber: num(r.block_number),
    proposedAt: num(r.proposed_at),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (row as unknown as Row)[k] = v;
  return row;
}

/** Reads and writes the epoch job's tables. Writers take the transaction of their step. */
export class EpochStore {
  constructor(readonly db: Db) {}

  async get(epoch: number, q: Queryable = this.db): Promise<EpochJobRow | undefined> {
    const { rows } = await q.query<Row>(`SELECT ${JOB_COLUMNS} FROM epoch_jobs WHERE epoch = $1`, [epoch]);
    return rows[0] === undefined ? undefined : decodeJob(rows[0]);
  }

  /** Rows newest first, `limit` of them, with epoch < `before` when given. */
  async list(limit: number, before?: number): Promise<EpochJobRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${JOB_COLUMNS} FROM epoch_jobs WHERE ($2::bigint IS NULL OR epoch < $2) ORDER BY epoch DESC LIMIT $1`,
      [limit, before ?? null],
    );
    return rows.map(decodeJob);
  }

  /** The epochs whose proposal is confirmed, as a count from 0 (they are proposed in order). */
  async proposedCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number | null }>(
      "SELECT max(epoch) + 1 AS n FROM epoch_jobs WHERE step = 'proposed'",
    );
    return rows[0]?.n ?? 0;
  }

  async insertAggregated(
    q: Queryable,
    r: Pick<
      EpochJobRow,
      | "epoch"
      | "snapshotBlock"
      | "receiptsCount"
      | "receiptsHash"
      | "nodeCount"
      | "unownedNodeCount"
      | "unownedBytes"
    >,
  ): Promise<void> {
    await q.query(
      `INSERT INTO epoch_jobs (epoch, step, snapshot_block, receipts_count, receipts_hash, node_count,
         unowned_node_count, unowned_bytes)
       VALUES ($1, 'aggregated', $2, $3, $4, $5, $6, $7)`,
      [
        r.epoch,
        r.snapshotBlock,
        r.receiptsCount,
        fromHex(r.receiptsHash),
        r.nodeCount,
        r.unownedNodeCount,
        r.unownedBytes.toString(),
      ],
    );
  }

  /** Records the `computed` step (the caller wrote the leaves and the tree in the same transaction). */
  async setComputed(q: Queryable, epoch: number, o: ComputedOutputs): Promise<void> {
    const { rowCount } = await q.query(
      `UPDATE epoch_jobs SET step = 'computed', emission = $2, carry_in = $3, max_boost_bps = $4,
         full_stake_per_node = $5, total_weight = $6, carry_out = $7, root = $8, total = $9, data_hash = $10,
         operator_count = $11, leaf_count = $12, account_count = $13, bundle_file = $14, bundle_bytes = $15,
         signatures = NULL, updated_at = now()
       WHERE epoch = $1 AND step = 'aggregated'`,
      [
        epoch,
        o.emission.toString(),
        o.carryIn.toString(),
        o.maxBoostBps.toString(),
        o.fullStakePerNode.toString(),
        o.totalWeight.toString(),
        o.carryOut.toString(),
        fromHex(o.root),
        o.total.toString(),
        fromHex(o.dataHash),
        o.operatorCount,
        o.leafCount,
        o.accountCount,
        o.bundleFile,
        o.bundleBytes,
      ],
    );
    if (rowCount !== 1) throw new Error(`epoch ${epoch}: expected step 'aggregated' to record 'computed'`);
  }

  async setSigned(epoch: number, signatures: Hex[]): Promise<void> {
    const { rowCount } = await this.db.query(
      `UPDATE epoch_jobs SET step = 'signed', signatures = $2, updated_at = now()
       WHERE epoch = $1 AND step = 'computed'`,
      [epoch, JSON.stringify(signatures)],
    );
    if (rowCount !== 1) throw new Error(`epoch ${epoch}: expected step 'computed' to record 'signed'`);
  }

  async setProposed(
    epoch: number,
    p: { txHash: Hex | undefined; blockNumber: number | undefined; proposedAt: number },
  ): Promise<void> {
    const { rowCount } = await this.db.query(
      `UPDATE epoch_jobs SET step = 'proposed', tx_hash = $2, block_number = $3, proposed_at = $4,
         updated_at = now()
       WHERE epoch = $1 AND step = 'signed'`,
      [epoch, p.txHash === undefined ? null : fromHex(p.txHash), p.blockNumber ?? null, p.proposedAt],
    );
    if (rowCount !== 1) throw new Error(`epoch ${epoch}: expected step 'signed' to record 'proposed'`);
  }

  /** Moves an epoch back to `aggregated` (its stored tree is rebuilt), e.g. when its bundle file was lost. */
  async resetToAggregated(epoch: number): Promise<void> {
    await this.db.transaction(async (q) => {
      await q.query("DELETE FROM epoch_leaves WHERE epoch = $1", [epoch]);
      await q.query("DELETE FROM epoch_tree WHERE epoch = $1", [epoch]);
      await q.query(
        `UPDATE epoch_jobs SET step = 'aggregated', emission = NULL, carry_in = NULL, max_boost_bps = NULL,
           full_stake_per_node = NULL, total_weight = NULL, carry_out = NULL, root = NULL, total = NULL,
           data_hash = NULL, operator_count = NULL, leaf_count = NULL, account_count = NULL, bundle_file = NULL,
           bundle_bytes = NULL, signatures = NULL, updated_at = now()
         WHERE epoch = $1 AND step IN ('computed', 'signed')`,
        [epoch],
      );
    });
  }

  /* TREE STORAGE */

  /**
   * Stores the accounts of the tree (ascending, with their cumulative amount and tree index) in packed chunks.
   * `accounts` must be lowercase and strictly ascending (as the epoch's leaves are).
   */
  async writeLeaves(
    q: Queryable,
    epoch: number,
    accounts: readonly string[],
    amounts: readonly bigint[],
    treeIndices: Uint32Array,
  ): Promise<void> {
    await q.query("DELETE FROM epoch_leaves WHERE epoch = $1", [epoch]);
    const batch: { chunk: number; first: string; data: string }[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await q.query(
        `INSERT INTO epoch_leaves (epoch, chunk, first_account, data)
         SELECT $1, c, decode(f, 'hex'), decode(d, 'base64') FROM unnest($2::int[], $3::text[], $4::text[]) AS t(c, f, d)`,
        [epoch, batch.map((b) => b.chunk), batch.map((b) => b.first), batch.map((b) => b.data)],
      );
      batch.length = 0;
      batchBytes = 0;
    };
    for (let start = 0, chunk = 0; start < accounts.length; start += LEAF_CHUNK, chunk++) {
      const end = Math.min(start + LEAF_CHUNK, accounts.length);
      const buf = Buffer.alloc((end - start) * LEAF_BYTES);
      for (let i = start; i < end; i++) {
        const at = (i - start) * LEAF_BYTES;
        writeAddress(buf, at, accounts[i]!);
        writeUint256(buf, at + 20, amounts[i]!);
        buf.writeUInt32BE(treeIndices[i]!, at + 52);
      }
      const data = buf.toString("base64");
      batch.push({ chunk, first: accounts[start]!.slice(2), data });
      batchBytes += data.length;
      if (batchBytes >= INSERT_BYTES) await flush();
    }
    await flush();
  }

  /** Stores the tree's node buffer (2n − 1 nodes of 32 bytes) in chunks of TREE_CHUNK nodes. */
  async writeTree(q: Queryable, epoch: number, nodes: Buffer): Promise<void> {
    await q.query("DELETE FROM epoch_tree WHERE epoch = $1", [epoch]);
    const size = TREE_CHUNK * 32;
    const chunks: number[] = [];
    const data: string[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunks.length === 0) return;
      await q.query(
        `INSERT INTO epoch_tree (epoch, chunk, data)
         SELECT $1, c, decode(d, 'base64') FROM unnest($2::int[], $3::text[]) AS t(c, d)`,
        [epoch, chunks, data],
      );
      chunks.length = 0;
      data.length = 0;
      bytes = 0;
    };
    for (let at = 0, chunk = 0; at < nodes.length; at += size, chunk++) {
      const text = nodes.subarray(at, Math.min(at + size, nodes.length)).toString("base64");
      chunks.push(chunk);
      data.push(text);
      bytes += text.length;
      if (bytes >= INSERT_BYTES) await flush();
    }
    await flush();
  }

  /**
   * Every account of an epoch's tree with its cumulative amount, ascending (the next epoch's
   * `previousCumulative`). Read chunk by chunk, in the stored order.
   */
  async readLeaves(epoch: number): Promise<{ accounts: Address[]; amounts: bigint[] }> {
    const accounts: Address[] = [];
    const amounts: bigint[] = [];
    const { rows } = await this.db.query<{ d: string }>(
      "SELECT encode(data, 'base64') AS d FROM epoch_leaves WHERE epoch = $1 ORDER BY chunk",
      [epoch],
    );
    for (const r of rows) {
      const buf = Buffer.from(r.d, "base64");
      for (let at = 0; at < buf.length; at += LEAF_BYTES) {
        // Flat strings per entry (slices of one chunk-wide string would keep every chunk's text alive).
        accounts.push(`0x${buf.toString("hex", at, at + 20)}` as Address);
        amounts.push(BigInt(`0x${buf.toString("hex", at + 20, at + 52)}`));
      }
    }
    return { accounts, amounts };
  }

  /** An account's cumulative amount and tree index in an epoch's tree, if it is a leaf there. */
  async findLeaf(
    epoch: number,
    account: string,
  ): Promise<{ cumulative: bigint; treeIndex: number } | undefined> {
    const key = fromHex(account.toLowerCase());
    const { rows } = await this.db.query<{ data: Buffer }>(
      `SELECT data FROM epoch_leaves WHERE epoch = $1 AND first_account <= $2
       ORDER BY first_account DESC LIMIT 1`,
      [epoch, key],
    );
    const data = rows[0]?.data;
    if (data === undefined) return undefined;
    let lo = 0;
    let hi = data.length / LEAF_BYTES - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const cmp = data.compare(key, 0, 20, mid * LEAF_BYTES, mid * LEAF_BYTES + 20);
      if (cmp === 0) {
        const at = mid * LEAF_BYTES;
        return {
          cumulative: BigInt(`0x${data.toString("hex", at + 20, at + 52)}`),
          treeIndex: data.readUInt32BE(at + 52),
        };
      }
      // cmp > 0: the stored entry is after the key.
      if (cmp > 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return undefined;
  }

  /** The Merkle proof of the leaf at `treeIndex` of a `leafCount`-leaf tree: ~log2(n) stored nodes. */
  async readProof(epoch: number, leafCount: number, treeIndex: number): Promise<Hash[]> {
    const indices = proofIndices(leafCount, treeIndex);
    if (indices.length === 0) return [];
    const { rows } = await this.db.query<{ k: string | number; node: Buffer }>(
      `SELECT u.k, substring(t.data from (u.i % ${TREE_CHUNK}) * 32 + 1 for 32) AS node
       FROM unnest($2::int[]) WITH ORDINALITY AS u(i, k)
       JOIN epoch_tree AS t ON t.epoch = $1 AND t.chunk = u.i / ${TREE_CHUNK}
       ORDER BY u.k`,
      [epoch, indices],
    );
    if (rows.length !== indices.length) {
      throw new Error(`epoch ${epoch}: the stored tree lacks nodes of the proof of leaf ${treeIndex}`);
    }
    return rows.map((r) => toHex(r.node) as Hash);
  }

  /** The stored node buffer of an epoch (tests and audits; 64 MB at a million leaves). */
  async readTree(epoch: number): Promise<Buffer> {
    const { rows } = await this.db.query<{ d: string }>(
      "SELECT encode(data, 'base64') AS d FROM epoch_tree WHERE epoch = $1 ORDER BY chunk",
      [epoch],
    );
    return Buffer.concat(rows.map((r) => Buffer.from(r.d, "base64")));
  }

  /** Drops the stored trees (not the job rows) of epochs below `keepFrom`. */
  async pruneTrees(keepFrom: number): Promise<void> {
    await this.db.query("DELETE FROM epoch_leaves WHERE epoch < $1", [keepFrom]);
    await this.db.query("DELETE FROM epoch_tree WHERE epoch < $1", [keepFrom]);
    await this.db.query("DELETE FROM epoch_nodes WHERE epoch < $1", [keepFrom]);
  }
}
