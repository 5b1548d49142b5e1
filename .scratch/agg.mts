import { openPostgres } from "../oracle/src/db/postgres.js";
import { migrate } from "../oracle/src/db/migrate.js";
import { createTestDatabase } from "../oracle/test/helpers/postgres.js";
import { hashReceipts } from "../oracle/src/epochJob/aggregate.js";
const N = 200_000, R = 2_000_000;
const t = await createTestDatabase("msn_scratch_agg");
const db = await openPostgres(t.url, 4);
await migrate(db);
const NODE = "substring(sha256(convert_to('node:' || i, 'UTF8')) from 1 for 20)";
await db.query(`INSERT INTO nodes (node, operator, block_number, log_index, seq) SELECT ${NODE}, substring(sha256(convert_to('op:' || i, 'UTF8')) from 1 for 20), 1, 0, i FROM generate_series(1,$1) i`, [N]);
await db.query(`INSERT INTO receipts (epoch, client, session, node, bytes, signature, digest) SELECT 0, substring(sha256(convert_to('c:' || (r%100), 'UTF8')) from 1 for 20), sha256(convert_to('s:' || r, 'UTF8')), substring(sha256(convert_to('node:' || (1 + r % $2), 'UTF8')) from 1 for 20), 1000 + r % 100000, decode(repeat('00',65),'hex'), sha256(convert_to('d:' || r, 'UTF8')) FROM generate_series(0, $1 - 1) r`, [R, N]);
await db.query("ANALYZE");
const time = async (label: string, fn: () => Promise<unknown>) => { const s = performance.now(); await fn(); console.log(label, ((performance.now() - s) / 1000).toFixed(2), "s"); };
await time("hash (window+cursor)", () => hashReceipts(db, 0));
await time("group by only", () => db.query("SELECT count(*) FROM (SELECT node, sum(bytes) FROM receipts WHERE epoch=0 GROUP BY node) t"));
await time("sort digests only", () => db.query("SELECT count(*) FROM (SELECT digest FROM receipts WHERE epoch=0 ORDER BY digest) t"));
await time("window only", () => db.query("SELECT count(*) FROM (SELECT digest, row_number() over (order by digest) FROM receipts WHERE epoch=0) t"));
await time("one-statement mapping", () => db.transaction(async (tx) => {
  const r = await tx.query(`WITH agg AS (SELECT node, sum(bytes) AS bytes FROM receipts WHERE epoch = 0 GROUP BY node),
  mapped AS (SELECT a.node, a.bytes, CASE WHEN n.block_number <= 100 THEN n.operator ELSE (SELECT CASE WHEN e.registered THEN e.operator END FROM node_events e WHERE e.node = a.node AND e.block_number <= 100 ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1) END AS operator FROM agg a LEFT JOIN nodes n ON n.node = a.node),
  ins AS (INSERT INTO epoch_nodes (epoch, node, operator, bytes) SELECT 0, node, operator, bytes FROM mapped WHERE operator IS NOT NULL RETURNING 1)
  SELECT (SELECT count(*) FROM ins)::int AS inserted, count(*) FILTER (WHERE operator IS NULL)::int AS n, coalesce(sum(bytes) FILTER (WHERE operator IS NULL), 0)::text AS b FROM mapped`);
  console.log(r.rows); throw new Error("rollback");
}).catch(() => {}));
await db.close(); await t.drop();
