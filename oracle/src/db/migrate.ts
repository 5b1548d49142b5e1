import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OracleError } from "../lib/errors.js";
import type { Db } from "./types.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations in `dir`: files `NNN_name.sql`, applied in version order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".sql")) continue;
    const m = /^(\d{3,})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new OracleError("bad_migration", `migration file ${file} is not named NNN_name.sql`);
    const sql = readFileSync(`${dir}/${file}`, "utf8");
    out.push({
      version: Number(m[1]),
      name: file,
      sql,
      checksum: createHash("sha256").update(sql).digest("hex"),
    });
  }
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.version === out[i - 1]!.version) {
      throw new OracleError("bad_migration", `two migrations with version ${out[i]!.version}`);
    }
  }
  return out;
}

/** Lock key taken while migrating, so replicas starting together migrate once. */
const MIGRATION_LOCK = 0x4d534e00;

/**
 * Applies pending migrations in one transaction under an advisory lock, recording each in
 * `schema_migrations`. Refuses to run when an applied migration's file has changed since.
 * Returns the names applied now.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = listMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
    );
    const applied = new Map(rows.map((r) => [r.version, r]));
    const done: string[] = [];
    for (const m of migrations) {
      const prev = applied.get(m.version);
      if (prev !== undefined) {
        if (prev.checksum !== m.checksum) {
          throw new OracleError(
            "migration_changed",
            `migration ${m.name} was changed after it was applied (checksum differs); add a new migration instead`,
          );
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        m.version,
        m.name,
        m.checksum,
      ]);
      done.push(m.name);
    }
    return done;
  });
}
