/**
 * Step 1 of the epoch job: close the epoch to ingest (seal), find the snapshot block, sum the counted receipts
 * per node, give each node its operator at the snapshot, and hash the receipt set. Recorded in one transaction
 * with the cursor (`epoch_jobs.step = 'aggregated'`).
 */
import { createReceiptsHasher, type Hash } from "../epoch/index.js";
import type { Db, Queryable } from "../db/types.js";
import { sealEpoch } from "../ingest/store.js";
import { OracleError } from "../lib/errors.js";
import { withRetry } from "../lib/retry.js";
import { NODES_CURSOR } from "../registry/nodeStore.js";
import type { JobEnv } from "./env.js";
import type { EpochJobRow } from "./store.js";

/** The node registry has indexed node events through `block` (polling a chain registry if needed). */
export async function ensureNodeEventsIndexed(env: JobEnv, block: number): Promise<void> {
  const read = async () => {
    const { rows } = await env.db.query<{ last_block: number }>(
      "SELECT last_block FROM chain_cursors WHERE name = $1",
      [NODES_CURSOR],
    );
    return rows[0]?.last_block ?? -1;
  };
  let indexed = await read();
  const registry = env.registry as { poll?: () => Promise<void> };
  if (indexed < block && typeof registry.poll === "function") {
    await withRetry("index node events", () => registry.poll!(), { logger: env.logger });
    indexed = await read();
  }
  if (indexed < block) {
    throw new OracleError(
      "not_indexed",
      `node events are indexed through block ${indexed}, the snapshot needs block ${block} (waiting for ORACLE_CONFIRMATIONS=${env.confirmations} blocks after it)`,
      { retryable: true },
    );
  }
}

/**
 * `receipts.count` and `receipts.hash` of an epoch (docs/BUNDLE.md): the digests sorted by the database and
 * streamed through a cursor, 256 packed rows (one per first byte, each sorted), hashed in order in constant
 * memory (10 million digests are 320 MB: they never sit in memory at once).
 */
export async function hashReceipts(db: Db, epoch: number): Promise<{ count: number; hash: Hash }> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`bad epoch ${epoch}`);
  const hasher = await createReceiptsHasher();
  await db.transaction(async (tx) => {
    // The epoch is a checked integer: inlined because DECLARE takes no bind parameters on every driver.
    await tx.query(
      `DECLARE receipt_digests NO SCROLL CURSOR FOR
       SELECT string_agg(digest, ''::bytea ORDER BY digest) AS d
       FROM receipts WHERE epoch = ${epoch}
       GROUP BY get_byte(digest, 0) ORDER BY get_byte(digest, 0)`,
    );
    for (;;) {
      const { rows } = await tx.query<{ d: Buffer }>("FETCH 8 FROM receipt_digests");
      if (rows.length === 0) break;
      for (const { d } of rows) for (let at = 0; at < d.length; at += 32) hasher.add(d.subarray(at, at + 32));
    }
    await tx.query("CLOSE receipt_digests");
  });
  return hasher.finish();
}

/**
 * Writes `epoch_nodes` for the epoch inside `tx`, in one statement: per node the sum of its counted receipts'
 * bytes and its operator at `snapshotBlock` (the current `nodes` row when it has not changed since, else the
 * last node event at or before the block). Returns the counts, including the nodes left out for having no
 * operator then.
 */
async function writeEpochNodes(
  tx: Queryable,
  epoch: number,
  snapshotBlock: number,
): Promise<{ nodeCount: number; unownedNodeCount: number; unownedBytes: bigint }> {
  await tx.query("DELETE FROM epoch_nodes WHERE epoch = $1", [epoch]);
  const { rows } = await tx.query<{ inserted: number; unowned: number; unowned_bytes: string }>(
    `WITH agg AS (
       SELECT node, sum(bytes) AS bytes FROM receipts WHERE epoch = $1 GROUP BY node HAVING sum(bytes) > 0
     ), mapped AS (
       SELECT a.node, a.bytes,
              CASE WHEN n.block_number <= $2 THEN n.operator
                   ELSE (SELECT CASE WHEN e.registered THEN e.operator END FROM node_events AS e
                         WHERE e.node = a.node AND e.block_number <= $2
                         ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1)
              END AS operator
       FROM agg AS a LEFT JOIN nodes AS n ON n.node = a.node
     ), ins AS (
       INSERT INTO epoch_nodes (epoch, node, operator, bytes)
       SELECT $1, node, operator, bytes FROM mapped WHERE operator IS NOT NULL
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM ins)::int AS inserted,
            count(*) FILTER (WHERE operator IS NULL)::int AS unowned,
            coalesce(sum(bytes) FILTER (WHERE operator IS NULL), 0)::text AS unowned_bytes
     FROM mapped`,
    [epoch, snapshotBlock],
  );
  const r = rows[0]!;
  return { nodeCount: r.inserted, unownedNodeCount: r.unowned, unownedBytes: BigInt(r.unowned_bytes) };
}

/**
 * Seals the epoch, hashes its receipts and records the aggregate with the cursor, in one transaction (a
 * rerun after a crash before the commit repeats it all; sealing and hashing are idempotent).
 */
export async function aggregateEpoch(
  env: JobEnv,
  epoch: number,
  snapshotBlock: number,
): Promise<EpochJobRow> {
  await ensureNodeEventsIndexed(env, snapshotBlock);
  await sealEpoch(env.db, epoch);
  // On PostgreSQL the digests are sorted and hashed on a second connection while the aggregate is written
  // (two cores at work); PGlite has one connection, so there one after the other.
  const parallel = env.db.kind === "postgres";
  const hashing = parallel ? hashReceipts(env.db, epoch) : undefined;
  hashing?.catch(() => {});
  const serial = parallel ? undefined : await hashReceipts(env.db, epoch);
  await env.db.transaction(async (tx) => {
    const counts = await writeEpochNodes(tx, epoch, snapshotBlock);
    const receipts = serial ?? (await hashing!);
    await env.store.insertAggregated(tx, {
      epoch,
      snapshotBlock,
      receiptsCount: receipts.count,
      receiptsHash: receipts.hash,
      ...counts,
    });
  });
  const row = (await env.store.get(epoch))!;
  if (row.unownedNodeCount > 0) {
    env.logger.warn(
      { epoch, nodes: row.unownedNodeCount, bytes: row.unownedBytes.toString() },
      "nodes with traffic had no operator at the snapshot (deregistered): their bytes earn nothing",
    );
  }
  return row;
}
