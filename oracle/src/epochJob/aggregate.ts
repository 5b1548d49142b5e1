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

/** Digests per chunk of the receipts-hash cursor (2 MiB of digests per fetched row). */
const DIGEST_CHUNK = 65536;

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
 * `receipts.count` and `receipts.hash` of an epoch (docs/BUNDLE.md): the digests sorted by the database once,
 * streamed through a cursor in packed chunks, hashed in order in constant memory.
 */
export async function hashReceipts(db: Db, epoch: number): Promise<{ count: number; hash: Hash }> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`bad epoch ${epoch}`);
  const hasher = await createReceiptsHasher();
  await db.transaction(async (tx) => {
    // The epoch is a checked integer: inlined because DECLARE takes no bind parameters on every driver.
    await tx.query(
      `DECLARE receipt_digests NO SCROLL CURSOR FOR
       SELECT encode(string_agg(digest, ''::bytea ORDER BY digest), 'base64') AS d
       FROM (SELECT digest, (row_number() OVER (ORDER BY digest) - 1) / ${DIGEST_CHUNK} AS chunk
             FROM receipts WHERE epoch = ${epoch}) AS t
       GROUP BY chunk ORDER BY chunk`,
    );
    for (;;) {
      const { rows } = await tx.query<{ d: string }>("FETCH 8 FROM receipt_digests");
      if (rows.length === 0) break;
      for (const row of rows) {
        const buf = Buffer.from(row.d, "base64");
        for (let at = 0; at < buf.length; at += 32) hasher.add(buf.subarray(at, at + 32));
      }
    }
    await tx.query("CLOSE receipt_digests");
  });
  return hasher.finish();
}

/**
 * Writes `epoch_nodes` for the epoch inside `tx`: per node the sum of its counted receipts' bytes and its
 * operator at `snapshotBlock` (the current `nodes` row when it has not changed since, else the last node event
 * at or before the block). Returns the counts, including the nodes left out for having no operator then.
 */
async function writeEpochNodes(
  tx: Queryable,
  epoch: number,
  snapshotBlock: number,
): Promise<{ nodeCount: number; unownedNodeCount: number; unownedBytes: bigint }> {
  await tx.query("DELETE FROM epoch_nodes WHERE epoch = $1", [epoch]);
  await tx.exec(
    `CREATE TEMP TABLE epoch_agg (node bytea PRIMARY KEY, bytes numeric NOT NULL, operator bytea) ON COMMIT DROP`,
  );
  await tx.query(
    `INSERT INTO epoch_agg (node, bytes)
     SELECT node, sum(bytes) FROM receipts WHERE epoch = $1 GROUP BY node HAVING sum(bytes) > 0`,
    [epoch],
  );
  await tx.query(
    `UPDATE epoch_agg AS a SET operator = CASE
       WHEN n.block_number <= $1 THEN n.operator
       ELSE (SELECT CASE WHEN e.registered THEN e.operator END FROM node_events AS e
             WHERE e.node = a.node AND e.block_number <= $1
             ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1)
     END
     FROM nodes AS n WHERE n.node = a.node`,
    [snapshotBlock],
  );
  const inserted = await tx.query(
    `INSERT INTO epoch_nodes (epoch, node, operator, bytes)
     SELECT $1, node, operator, bytes FROM epoch_agg WHERE operator IS NOT NULL`,
    [epoch],
  );
  const { rows } = await tx.query<{ n: number; b: string }>(
    "SELECT count(*)::int AS n, coalesce(sum(bytes), 0)::text AS b FROM epoch_agg WHERE operator IS NULL",
  );
  return { nodeCount: inserted.rowCount, unownedNodeCount: rows[0]!.n, unownedBytes: BigInt(rows[0]!.b) };
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
  const receipts = await hashReceipts(env.db, epoch);
  await env.db.transaction(async (tx) => {
    const counts = await writeEpochNodes(tx, epoch, snapshotBlock);
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
