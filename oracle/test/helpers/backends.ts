import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../../src/db/types.js";
import { openPglite } from "../../src/db/pglite.js";
import { openPostgres } from "../../src/db/postgres.js";
import { migrate } from "../../src/db/migrate.js";
import { createTestDatabase } from "./postgres.js";

/** One storage back end under test: opens a fresh, migrated database; cleanup() removes it. */
export interface Backend {
  name: "pglite" | "postgres";
  open(): Promise<{ db: Db; cleanup(): Promise<void> }>;
}

export const pgliteBackend: Backend = {
  name: "pglite",
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), "msn-pglite-"));
    const db = await openPglite(dir);
    await migrate(db);
    return {
      db,
      async cleanup() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: Backend = {
  name: "postgres",
  async open() {
    const t = await createTestDatabase();
    const db = await openPostgres(t.url, 8);
    await migrate(db);
    return {
      db,
      async cleanup() {
        await db.close();
        await t.drop();
      },
    };
  },
};

export const backends: Backend[] = [pgliteBackend, postgresBackend];

/** Empties every table the ingest writes (between tests on a shared database). */
export async function truncateAll(db: Db): Promise<void> {
  await db.exec(
    "TRUNCATE receipts, client_usage, clients, nodes, node_events, chain_cursors, sealed_epochs, oracle_meta",
  );
}
