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

export type StoreOutcome = "accepted" | "duplicate" | "node_mismatch" | "superseded" | "quota_exceeded" | "epoch_closed";

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
      const stored = await this.readStored(tx, [...receiptKeys.values()]);

      const out: StoreOutcome[] = new Array(cands.length);
      for (let i = 0; i < cands.length; i++) {
        const c = cands[i]!;
        if (sealed.has(c.epoch)) {
          out[i] = "epoch_closed";
          continue;
        }
        const key = `${c.epoch}:${c.client}:${c.session}`;
        const prev = stored.get(key);
        let delta = c.bytes;
        if (prev !== undefined) {
          if (prev.digest === c.digest) {
            out[i] = "duplicate";
            continue;
          }
          if (prev.node !== c.node) {
            out[i] = "node_mismatch";
            continue;
          }
          if (c.bytes <= prev.bytes) {
            out[i] = "superseded";
            continue;
          }
          delta = c.bytes - prev.bytes;
        }
        const ukey = `${c.epoch}:${c.client}`;
        const used = usage.get(ukey) ?? 0;
        if (used + delta > c.quota) {
          out[i] = "quota_exceeded";
          continue;
        }
        usage.set(ukey, used + delta);
        stored.set(key, { node: c.node, bytes: c.bytes, digest: c.digest, write: c });
        out[i] = "accepted";
      }

      const writes: Candidate[] = [];
      for (const s of stored.values()) if (s.write !== undefined) writes.push(s.write);
      if (writes.length > 0) {
        await this.writeReceipts(tx, writes);
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
    const { rows } = await tx.query<{ epoch: number; client: string; session: string; node: string; bytes: number; digest: string }>(
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
    const e = new Array<number>(n);
    const c = new Array<string>(n);
    const s = new Array<string>(n);
    const nd = new Array<string>(n);
    const b = new Array<number>(n);
    const sig = new Array<string>(n);
    const d = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const w = writes[i]!;
      e[i] = w.epoch;
      c[i] = w.client;
      s[i] = w.session;
      nd[i] = w.node;
      b[i] = w.bytes;
      sig[i] = w.signature;
      d[i] = w.digest;
    }
    const { rowCount } = await tx.query(
      `INSERT INTO receipts AS r (epoch, client, session, node, bytes, signature, digest)
       SELECT e, decode(c, 'hex'), decode(s, 'hex'), decode(n, 'hex'), b, decode(g, 'hex'), decode(d, 'hex')
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
            AS t(e, c, s, n, b, g, d)
       ON CONFLICT (epoch, client, session) DO UPDATE
         SET bytes = excluded.bytes, signature = excluded.signature, digest = excluded.digest,
             received_at = now()
         WHERE excluded.bytes > r.bytes AND excluded.node = r.node`,
      [e, c, s, nd, b, sig, d],
    );
    if (rowCount !== n) {
      // Cannot happen while every writer holds the client_usage row lock; refuse to commit if it does.
      throw new Error(`receipt upsert wrote ${rowCount} of ${n} rows; rolled back`);
    }
  }
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
