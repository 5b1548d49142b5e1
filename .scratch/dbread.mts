import { openPglite } from "../oracle/src/db/pglite.js";
import { openPostgres } from "../oracle/src/db/postgres.js";
import { createTestDatabase } from "../oracle/test/helpers/postgres.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
const N = Number(process.argv[3] ?? 1_000_000);
const kind = process.argv[2] ?? "postgres";
let db, cleanup;
if (kind === "pglite") { const dir = mkdtempSync(path.join(tmpdir(), "scr-")); db = await openPglite(dir); cleanup = async()=>{await db.close(); rmSync(dir,{recursive:true,force:true});}; }
else { const t = await createTestDatabase("msn_scratch"); db = await openPostgres(t.url, 4); cleanup = async()=>{await db.close(); await t.drop();}; }
const t = (l: string, s: number) => console.log(kind, l, ((performance.now()-s)/1000).toFixed(2), "s", "rss", (process.memoryUsage().rss/2**20).toFixed(0));
let s = performance.now();
await db.exec(`CREATE TABLE en (epoch bigint, node bytea, operator bytea, bytes numeric, PRIMARY KEY(epoch,node))`);
await db.query(`INSERT INTO en SELECT 1, substring(sha256(int4send(i)) from 1 for 20), substring(sha256(int4send(i+100000000)) from 1 for 20), (i*1000)::numeric FROM generate_series(1,$1) i`, [N]);
t("fill", s);
s = performance.now();
const r1 = await db.query(`SELECT encode(node,'hex') n, encode(operator,'hex') o, bytes::text b FROM en WHERE epoch=1 ORDER BY node`);
t(`rows3 ${r1.rows.length}`, s);
s = performance.now();
const r2 = await db.query(`SELECT string_agg(encode(node,'hex') || encode(operator,'hex') || bytes::text, ',' ORDER BY node) AS t FROM en WHERE epoch=1 GROUP BY (get_byte(node,0))`);
t(`agg ${r2.rows.length}`, s);
s = performance.now();
const r3 = await db.query(`SELECT node, operator, bytes::text b FROM en WHERE epoch=1`);
t(`rowsbin ${r3.rows.length}`, s);
// bytea chunk write
s = performance.now();
await db.exec(`CREATE TABLE ch (epoch bigint, idx int, data bytea, PRIMARY KEY(epoch, idx)); ALTER TABLE ch ALTER COLUMN data SET STORAGE EXTERNAL`);
const buf = Buffer.alloc(1<<20, 7);
for (let i = 0; i < 64; i++) await db.query(`INSERT INTO ch VALUES (1, $1, $2)`, [i, buf]);
t("write 64MB chunks", s);
s = performance.now();
for (let i = 0; i < 100; i++) await db.query(`SELECT substring(data from $2 for 32) FROM ch WHERE epoch=1 AND idx=$1`, [i%64, 1000*i+1]);
t("100 substring reads", s);
s = performance.now();
const rr = await db.query(`SELECT data FROM ch WHERE epoch=1 ORDER BY idx`);
t("read 64MB", s);
await cleanup();
