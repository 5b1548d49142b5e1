import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import pg from "pg";

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function canConnect(): Promise<boolean> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Starts the local PostgreSQL cluster when it is down (the brief's pg_ctlcluster command). */
export async function ensurePostgres(): Promise<void> {
  if (await canConnect()) return;
  const version = readdirSync("/etc/postgresql")[0]!;
  execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"], { stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    if (await canConnect()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("PostgreSQL did not start");
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh database on the local server, unique to this run; drop() removes it. */
export async function createTestDatabase(prefix = "msn_ingest"): Promise<TestDatabase> {
  await ensurePostgres();
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    name,
    url,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
