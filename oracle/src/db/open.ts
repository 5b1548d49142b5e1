import type { OracleConfig } from "../config/schema.js";
import { OracleError } from "../lib/errors.js";
import { migrate } from "./migrate.js";
import type { Db } from "./types.js";

/** Opens PostgreSQL when `databaseUrl` is set, else embedded PGlite on `dataDir`. */
export async function openDb(
  config: Pick<OracleConfig, "databaseUrl" | "dataDir" | "dbPoolSize">,
): Promise<Db> {
  try {
    // Each back end is loaded only when used (PGlite's WASM module is large).
    if (config.databaseUrl !== undefined) {
      const { openPostgres } = await import("./postgres.js");
      return await openPostgres(config.databaseUrl, config.dbPoolSize);
    }
    const { openPglite } = await import("./pglite.js");
    return await openPglite(config.dataDir);
  } catch (err) {
    const where =
      config.databaseUrl !== undefined ? "PostgreSQL (DATABASE_URL)" : `PGlite at ${config.dataDir}`;
    const locked = err instanceof OracleError && err.code === "db_locked";
    throw new OracleError(
      locked ? "db_locked" : "db_unavailable",
      `cannot open the database, ${where}: ${(err as Error).message}`,
      { cause: err, retryable: !locked },
    );
  }
}

/** Opens the database and applies pending migrations. */
export async function openAndMigrate(
  config: Pick<OracleConfig, "databaseUrl" | "dataDir" | "dbPoolSize">,
): Promise<{ db: Db; applied: string[] }> {
  const db = await openDb(config);
  try {
    const applied = await migrate(db);
    return { db, applied };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * Binds the database to one deployment: records chain id and MinerStaking on first use and refuses a
 * database that holds another deployment's receipts.
 */
export async function checkDeploymentMeta(db: Db, chainId: number, minerStaking: string): Promise<void> {
  const want: Record<string, string> = {
    chain_id: String(chainId),
    miner_staking: minerStaking.toLowerCase(),
  };
  await db.transaction(async (tx) => {
    for (const [key, value] of Object.entries(want)) {
      await tx.query("INSERT INTO oracle_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
        key,
        value,
      ]);
      const { rows } = await tx.query<{ value: string }>("SELECT value FROM oracle_meta WHERE key = $1", [
        key,
      ]);
      if (rows[0]!.value !== value) {
        throw new OracleError(
          "wrong_database",
          `this database belongs to another deployment: ${key} is ${rows[0]!.value} in the database, ${value} in the config`,
        );
      }
    }
  });
}

/**
 * Settings that would let an acknowledged receipt be lost in a crash. The oracle answers 2xx only
 * after COMMIT, which is durable only with `synchronous_commit` on (and, on a PostgreSQL server,
 * `fsync` on). Returns one message per problem (logged as warnings at start-up).
 */
export async function durabilityWarnings(db: Db): Promise<string[]> {
  const out: string[] = [];
  const { rows } = await db.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync')",
  );
  const setting = new Map(rows.map((r) => [r.name, r.setting]));
  if (setting.get("synchronous_commit") !== "on") {
    out.push(
      `synchronous_commit is ${setting.get("synchronous_commit")}: a crash can lose receipts already acknowledged`,
    );
  }
  // PGlite always runs with fsync off (its file system cannot fsync); see pglite.ts.
  if (db.kind === "postgres" && setting.get("fsync") !== "on") {
    out.push("fsync is off on the PostgreSQL server: an OS crash can lose receipts already acknowledged");
  }
  return out;
}
