import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import type { OracleConfig } from "../config/schema.js";
import { openAndMigrate } from "../db/open.js";
import type { Db } from "../db/types.js";

/** Options every command shares (declared on the root program). */
export interface GlobalOptions {
  config?: string;
}

export function configFrom(
  cmd: Command,
  overrides: Partial<Record<keyof OracleConfig, unknown>> = {},
): OracleConfig {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  return loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides });
}

/** Opens (and migrates) the configured database, runs `fn`, closes the database. */
export async function withDb<T>(config: OracleConfig, fn: (db: Db) => Promise<T>): Promise<T> {
  const { db } = await openAndMigrate(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A command's registration function: adds itself (and its subcommands) to the program. */
export type CommandModule = (program: Command) => void;
