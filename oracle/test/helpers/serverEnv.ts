import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../../src/db/types.js";
import { openPglite } from "../../src/db/pglite.js";
import { openPostgres } from "../../src/db/postgres.js";
import { migrate } from "../../src/db/migrate.js";
import { createTestDatabase } from "./postgres.js";
import { CHAIN_ID, STAKING } from "./world.js";

/**
 * What a server child process needs: a database (PGlite directory or fresh PostgreSQL database), a
 * nodes file, and the env to start `oracle serve` against them. `withDb` opens the same database in the
 * test process (for PGlite only while no server runs).
 */
export interface ServerSetup {
  env: Record<string, string>;
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

export async function serverSetup(
  backend: "pglite" | "postgres",
  nodes: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<ServerSetup> {
  const dir = mkdtempSync(path.join(tmpdir(), "msn-server-"));
  const nodesFile = path.join(dir, "nodes.json");
  writeFileSync(nodesFile, JSON.stringify(nodes));
  const env: Record<string, string> = {
    ORACLE_CHAIN_ID: String(CHAIN_ID),
    ORACLE_MINER_STAKING: STAKING,
    ORACLE_EPOCH_LENGTH: "3600",
    ORACLE_GRACE_SECONDS: "600",
    ORACLE_GENESIS_TIME: String(Math.floor(Date.now() / 1000) - 1000),
    ORACLE_NODES_FILE: nodesFile,
    ORACLE_VERIFY_THREADS: "1",
    ORACLE_RATE_LIMIT_MAX: "100000",
    ORACLE_DOCS_UI: "false",
    ...extraEnv,
  };
  let dropPg = async () => {};
  let open: () => Promise<Db>;
  if (backend === "pglite") {
    const dataDir = path.join(dir, "db");
    env.ORACLE_DATA_DIR = dataDir;
    open = () => openPglite(dataDir);
  } else {
    const t = await createTestDatabase("msn_ingest_srv");
    env.DATABASE_URL = t.url;
    dropPg = () => t.drop();
    open = () => openPostgres(t.url, 2);
  }
  return {
    env,
    async withDb(fn) {
      const db = await open();
      try {
        await migrate(db);
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    async cleanup() {
      await dropPg();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
