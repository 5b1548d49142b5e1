import type { Db, Queryable } from "../db/types.js";
import type { NodeEvent } from "../chain/fetchNodeEvents.js";
import type { Hex } from "../lib/hex.js";

export const NODES_CURSOR = "miner_staking_nodes";

export interface NodeChange {
  node: Hex;
  /** null: deregistered */
  operator: Hex | null;
  seq: number;
}

/** The `nodes`, `node_events` and `chain_cursors` tables. */
export class NodeStore {
  constructor(private readonly db: Db) {}

  /** The last applied block, or undefined before the first sync. */
  async cursor(q: Queryable = this.db): Promise<number | undefined> {
    const { rows } = await q.query<{ last_block: number }>(
      "SELECT last_block FROM chain_cursors WHERE name = $1",
      [NODES_CURSOR],
    );
    return rows[0]?.last_block;
  }

  /**
   * Applies the events of blocks (from, to] (in chain order) and moves the cursor from `from` to `to`,
   * in one transaction, unless another process moved the cursor first (then returns false and changes
   * nothing). `from` is the cursor the caller read (or deploymentBlock - 1 on the first run).
   */
  async apply(from: number, to: number, events: readonly NodeEvent[]): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        "INSERT INTO chain_cursors (name, last_block) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        [NODES_CURSOR, from],
      );
      const { rows } = await tx.query<{ last_block: number }>(
        "SELECT last_block FROM chain_cursors WHERE name = $1 FOR UPDATE",
        [NODES_CURSOR],
      );
      if (rows[0]!.last_block !== from) return false;
      if (events.length > 0) {
        await tx.query(
          `INSERT INTO node_events (block_number, log_index, tx_hash, node, operator, registered)
           SELECT b, i, decode(t, 'hex'), decode(n, 'hex'), decode(o, 'hex'), r
           FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::boolean[]) AS e(b, i, t, n, o, r)
           ON CONFLICT DO NOTHING`,
          [
            events.map((e) => e.blockNumber),
            events.map((e) => e.logIndex),
            events.map((e) => e.txHash.slice(2)),
            events.map((e) => e.node.slice(2)),
            events.map((e) => e.operator.slice(2)),
            events.map((e) => e.registered),
          ],
        );
        // The last event of each node in this range decides its state.
        const last = new Map<string, NodeEvent>();
        for (const e of events) last.set(e.node, e);
        const finals = [...last.values()].sort(
          (a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex,
        );
        await tx.query(
          `INSERT INTO nodes (node, operator, block_number, log_index, seq)
           SELECT decode(n, 'hex'), decode(o, 'hex'), b, i, nextval('node_change_seq')
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) WITH ORDINALITY AS e(n, o, b, i, k)
           ORDER BY k
           ON CONFLICT (node) DO UPDATE
             SET operator = excluded.operator, block_number = excluded.block_number,
                 log_index = excluded.log_index, seq = excluded.seq`,
          [
            finals.map((e) => e.node.slice(2)),
            finals.map((e) => (e.registered ? e.operator.slice(2) : null)),
            finals.map((e) => e.blockNumber),
            finals.map((e) => e.logIndex),
          ],
        );
      }
      await tx.query("UPDATE chain_cursors SET last_block = $2 WHERE name = $1", [NODES_CURSOR, to]);
      return true;
    });
  }

  /** Node changes with seq > `afterSeq`, in seq order (the initial load uses 0). */
  async changesSince(afterSeq: number): Promise<NodeChange[]> {
    const { rows } = await this.db.query<{ node: string; operator: string | null; seq: number }>(
      `SELECT encode(node, 'hex') AS node, encode(operator, 'hex') AS operator, seq
       FROM nodes WHERE seq > $1 ORDER BY seq`,
      [afterSeq],
    );
    return rows.map((r) => ({
      node: `0x${r.node}` as Hex,
      operator: r.operator === null ? null : (`0x${r.operator}` as Hex),
      seq: r.seq,
    }));
  }

  /** The nodes `operator` owns as of the cursor, sorted, at most `limit`. */
  async nodesOf(operator: Hex, limit: number): Promise<Hex[]> {
    const { rows } = await this.db.query<{ node: string }>(
      `SELECT encode(node, 'hex') AS node FROM nodes WHERE operator = decode($1, 'hex')
       ORDER BY node LIMIT $2`,
      [operator.slice(2).toLowerCase(), limit],
    );
    return rows.map((r) => `0x${r.node}` as Hex);
  }
}
