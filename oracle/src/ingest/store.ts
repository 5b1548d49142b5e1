import type { Db, Queryable } from "../db/types.js";

/** A receipt that passed every stateless check and its signature check, ready for the stateful ones. */
export interface Candidate {
  epoch: number;
  /** lower-case hex, no 0x */
  client: string;
  /** lower-case hex, no 0x */
  session: string;
  /** lower-case hex, no 0x */
  node: string;
  bytes: number;
  /** hex, no 0x */
  signature: string;
  /** lower-case hex, no 0x */
  digest: string;
  /** the client's quota, bytes per epoch */
  quota: number;
}

export type StoreOutcome =
  "accepted" | "duplicate" | "node_mismatch" | "superseded" | "quota_exceeded" | "epoch_closed";

/** Advisory-lock class of the ingest/seal handshake (second key: the epoch). */
export const SEAL_LOCK_CLASS = 0x4d534e01;

interface Stored {
  node: string;
  bytes: number;
  digest: string;
  /** the candidate that will be written for this key, if any */
  write?: Candidate;
}

/**
 * The stateful half of ingest: duplicate / node-mismatch / supersede / quota decisions and the write,
 * in one transaction, correct when several processes share one PostgreSQL:
 *
 * 1. (autocommit) make sure a `client_usage` row exists for every (epoch, client) of the batch;
 * 2. BEGIN; take the shared seal lock of each epoch (sorted) and read `sealed_epochs`;
 * 3. lock the batch's `client_usage` rows `FOR UPDATE` in (epoch, client) order. Every writer of a
 *    client's receipts holds that row, so from here on nobody else can change those receipts or that
 *    usage, and the sorted order rules out deadlocks;
 * 4. read the stored receipts of the batch's (epoch, client, session) keys;
 * 5. decide each receipt in request order (later receipts of the batch see the earlier ones);
 * 6. upsert the winning receipt per key (`ON CONFLICT ... DO UPDATE ... WHERE excluded.bytes >
 *    receipts.bytes`, a guard that the lock makes redundant) and write the new usage; COMMIT.
 *
 * Fast path for the common batch (distinct keys, quota ample even if every receipt were new): steps
 * 4-6 become one `INSERT ... ON CONFLICT DO NOTHING` of all receipts, then 4-6 only for the few that
 * hit a stored row. The answers are the same as the slow path's.
 *
 * The caller answers only after this resolves, i.e. after COMMIT.
 */
export class ReceiptStore {
  constructor(private readonly db: Db) {}

  async commit(cands: readonly Candidate[]): Promise<StoreOutcome[]> {
    if (cands.length === 0) return [];
    const usageKeys = new Map<string, [number, string]>();
    const receiptKeys = new Map<string, [number, string, string]>();
    const epochSet = new Set<number>();
    for (const c of cands) {
      usageKeys.set(`${c.epoch}:${c.client}`, [c.epoch, c.client]);
      receiptKeys.set(`${c.epoch}:${c.client}:${c.session}`, [c.epoch, c.client, c.session]);
      epochSet.add(c.epoch);
    }
    const sortedUsage = [...usageKeys.values()].sort((a, b) =>
      a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
    );
    const uEpochs = sortedUsage.map((k) => k[0]);
    const uClients = sortedUsage.map((k) => k[1]);
    const epochs = [...epochSet].sort((a, b) => a - b);

    await this.db.query(
      `INSERT INTO client_usage (epoch, client)
       SELECT e, decode(c, 'hex') FROM unnest($1::bigint[], $2::text[]) AS t(e, c)
       ORDER BY 1, 2
       ON CONFLICT DO NOTHING`,
      [uEpochs, uClients],
    );

    return this.db.transaction(async (tx) => {
      const sealed = await this.lockEpochs(tx, epochs);
      const usage = await this.lockUsage(tx, uEpochs, uClients);
      const out: StoreOutcome[] = new Array(cands.length);
      const live: number[] = [];
      for (let i = 0; i < cands.length; i++) {
        if (sealed.has(cands[i]!.epoch)) out[i] = "epoch_closed";
        else live.push(i);
      }

      let stored: Map<string, Stored>;
      let pending: number[]; // candidates still to decide, in request order
      if (this.fitsQuota(cands, live, usage)) {
        // Fast path: the batch's keys are distinct and the quota holds even if every receipt is new, so
        // every receipt without a stored row is accepted: insert them all, skipping conflicts, and decide
        // only the conflicting ones against their stored rows.
        const inserted = await this.insertNew(
          tx,
          live.map((i) => cands[i]!),
        );
        pending = [];
        for (const i of live) {
          const c = cands[i]!;
          if (inserted === "all" || inserted.has(c.digest)) {
            out[i] = "accepted";
            const ukey = `${c.epoch}:${c.client}`;
            usage.set(ukey, (usage.get(ukey) ?? 0) + c.bytes);
          } else pending.push(i);
        }
        stored = await this.readStored(
          tx,
          pending.map((i) => [cands[i]!.epoch, cands[i]!.client, cands[i]!.session]),
        );
      } else {
        pending = live;
        stored = await this.readStored(tx, [...receiptKeys.values()]);
      }

      for (const i of pending) out[i] = decide(cands[i]!, stored, usage);

      const writes: Candidate[] = [];
      for (const st of stored.values()) if (st.write !== undefined) writes.push(st.write);
      if (writes.length > 0) await this.writeReceipts(tx, writes);
      if (live.length > 0) {
        const ue: number[] = [];
        const uc: string[] = [];
        const ub: number[] = [];
        for (const [k, bytes] of usage) {
          const [e, c] = usageKeys.get(k)!;
          ue.push(e);
          uc.push(c);
          ub.push(bytes);
        }
        await tx.query(
          `UPDATE client_usage AS u SET bytes = v.b
           FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(e, c, b)
           WHERE u.epoch = v.e AND u.client = decode(v.c, 'hex') AND u.bytes <> v.b`,
          [ue, uc, ub],
        );
      }
      return out;
    });
  }

  /**
   * True when the live candidates have distinct (epoch, client, session) keys and, for every client,
   * stored usage + the sum of all its candidates' bytes stays within its quota.
   */
  private fitsQuota(cands: readonly Candidate[], live: number[], usage: Map<string, number>): boolean {
    const keys = new Set<string>();
    const want = new Map<string, number>();
    for (const i of live) {
      const c = cands[i]!;
      const key = `${c.epoch}:${c.client}:${c.session}`;
      if (keys.has(key)) return false;
      keys.add(key);
      const ukey = `${c.epoch}:${c.client}`;
      const total = (want.get(ukey) ?? usage.get(ukey) ?? 0) + c.bytes;
      if (total > c.quota) return false;
      want.set(ukey, total);
    }
    return true;
  }

  /**
   * Inserts the candidates that have no stored row; returns "all" when every one was inserted, else
   * the digests of those inserted. The usual batch has no stored rows, so the first attempt inserts
   * without RETURNING (cheaper, notably on PGlite) inside a savepoint; if any row conflicted it is
   * rolled back and redone with RETURNING.
   */
  private async insertNew(tx: Queryable, rows: Candidate[]): Promise<Set<string> | "all"> {
    if (rows.length === 0) return "all";
    const cols = columns(rows);
    await tx.query("SAVEPOINT ingest_fast");
    const { rowCount } = await tx.query(
      `INSERT INTO receipts (epoch, client, session, node, bytes, signature, digest)
       SELECT e, decode(c, 'hex'), decode(s, 'hex'), decode(n, 'hex'), b, decode(g, 'hex'), decode(d, 'hex')
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
            AS t(e, c, s, n, b, g, d)
       ON CONFLICT (epoch, client, session) DO NOTHING`,
      cols,
    );
    if (rowCount === rows.length) return "all";
    await tx.query("ROLLBACK TO SAVEPOINT ingest_fast");
    const { rows: inserted } = await tx.query<{ d: string }>(
      `INSERT INTO receipts (epoch, client, session, node, bytes, signature, digest)
       SELECT e, decode(c, 'hex'), decode(s, 'hex'), decode(n, 'hex'), b, decode(g, 'hex'), decode(d, 'hex')
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
            AS t(e, c, s, n, b, g, d)
       ON CONFLICT (epoch, client, session) DO NOTHING
       RETURNING encode(digest, 'hex') AS d`,
      cols,
    );
    return new Set(inserted.map((r) => r.d));
  }

  /** Shared seal locks on the epochs (sorted); returns those already sealed. */
  private async lockEpochs(tx: Queryable, epochs: number[]): Promise<Set<number>> {
    await tx.query(
      "SELECT pg_advisory_xact_lock_shared($1::int, e::int) FROM unnest($2::bigint[]) WITH ORDINALITY AS t(e, k) ORDER BY k",
      [SEAL_LOCK_CLASS, epochs],
    );
    const { rows } = await tx.query<{ epoch: number }>(
      "SELECT epoch FROM sealed_epochs WHERE epoch = ANY($1::bigint[])",
      [epochs],
    );
    return new Set(rows.map((r) => r.epoch));
  }

  private async lockUsage(tx: Queryable, epochs: number[], clients: string[]): Promise<Map<string, number>> {
    const { rows } = await tx.query<{ epoch: number; client: string; bytes: number }>(
      `SELECT u.epoch, encode(u.client, 'hex') AS client, u.bytes
       FROM client_usage AS u
       JOIN unnest($1::bigint[], $2::text[]) AS t(e, c) ON u.epoch = t.e AND u.client = decode(t.c, 'hex')
       ORDER BY u.epoch, u.client
       FOR UPDATE OF u`,
      [epochs, clients],
    );
    const usage = new Map<string, number>();
    for (const r of rows) usage.set(`${r.epoch}:${r.client}`, r.bytes);
    return usage;
  }

  private async readStored(tx: Queryable, keys: [number, string, string][]): Promise<Map<string, Stored>> {
    const { rows } = await tx.query<{
      epoch: number;
      client: string;
      session: string;
      node: string;
      bytes: number;
      digest: string;
    }>(
      `SELECT r.epoch, encode(r.client, 'hex') AS client, encode(r.session, 'hex') AS session,
              encode(r.node, 'hex') AS node, r.bytes, encode(r.digest, 'hex') AS digest
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(e, c, s)
       JOIN receipts AS r ON r.epoch = k.e AND r.client = decode(k.c, 'hex') AND r.session = decode(k.s, 'hex')`,
      [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
    );
    const stored = new Map<string, Stored>();
    for (const r of rows) {
      stored.set(`${r.epoch}:${r.client}:${r.session}`, { node: r.node, bytes: r.bytes, digest: r.digest });
    }
    return stored;
  }

  private async writeReceipts(tx: Queryable, writes: Candidate[]): Promise<void> {
    const n = writes.length;
    const { rowCount } = await tx.query(
      `INSERT INTO receipts AS r (epoch, client, session, node, bytes, signature, digest)
       SELECT e, decode(c, 'hex'), decode(s, 'hex'), decode(n, 'hex'), b, decode(g, 'hex'), decode(d, 'hex')
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
            AS t(e, c, s, n, b, g, d)
       ON CONFLICT (epoch, client, session) DO UPDATE
         SET bytes = excluded.bytes, signature = excluded.signature, digest = excluded.digest,
             received_at = now()
         WHERE excluded.bytes > r.bytes AND excluded.node = r.node`,
      columns(writes),
    );
    if (rowCount !== n) {
      // Cannot happen while every writer holds the client_usage row lock; refuse to commit if it does.
      throw new Error(`receipt upsert wrote ${rowCount} of ${n} rows; rolled back`);
    }
  }
}

/**
 * Decides one candidate against the stored row of its key (updated as the batch goes) and the client's
 * usage; records an accepted candidate as the key's new row, to be written.
 */
function decide(c: Candidate, stored: Map<string, Stored>, usage: Map<string, number>): StoreOutcome {
  const key = `${c.epoch}:${c.client}:${c.session}`;
  const prev = stored.get(key);
  let delta = c.bytes;
  if (prev !== undefined) {
    if (prev.digest === c.digest) return "duplicate";
    if (prev.node !== c.node) return "node_mismatch";
    if (c.bytes <= prev.bytes) return "superseded";
    delta = c.bytes - prev.bytes;
  }
  const ukey = `${c.epoch}:${c.client}`;
  const used = usage.get(ukey) ?? 0;
  if (used + delta > c.quota) return "quota_exceeded";
  usage.set(ukey, used + delta);
  stored.set(key, { node: c.node, bytes: c.bytes, digest: c.digest, write: c });
  return "accepted";
}

/** The candidates as column arrays for `unnest`. */
function columns(rows: readonly Candidate[]): unknown[] {
  const n = rows.length;
  const e = new Array<number>(n);
  const c = new Array<string>(n);
  const s = new Array<string>(n);
  const nd = new Array<string>(n);
  const b = new Array<number>(n);
  const g = new Array<string>(n);
  const d = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const w = rows[i]!;
    e[i] = w.epoch;
    c[i] = w.client;
    s[i] = w.session;
    nd[i] = w.node;
    b[i] = w.bytes;
    g[i] = w.signature;
    d[i] = w.digest;
  }
  return [e, c, s, nd, b, g, d];
}

/**
 * Closes `epoch` to ingest for good: waits for every ingest transaction that may still write to it
 * (they hold the epoch's shared seal lock), then records it in `sealed_epochs`, so that from the moment
 * this resolves no receipt of the epoch can be accepted and every accepted one is committed. The epoch
 * job calls this before reading an epoch's receipts. Idempotent.
 */
export async function sealEpoch(db: Db, epoch: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [SEAL_LOCK_CLASS, epoch]);
    await tx.query("INSERT INTO sealed_epochs (epoch) VALUES ($1) ON CONFLICT DO NOTHING", [epoch]);
  });
}
