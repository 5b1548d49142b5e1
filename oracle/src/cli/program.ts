import { Command } from "commander";
import { clientsCommand } from "./commands/clients.js";
import { migrateCommand } from "./commands/migrate.js";
import { serveCommand } from "./commands/serve.js";
import { epochCommand } from "./commands/epoch.js";
import { verifyEpochCommand } from "./commands/verifyEpoch.js";
import type { CommandModule } from "./shared.js";

/** The CLI's commands. Later commands (epoch job, verify-epoch) are added to this list. */
export const commandModules: CommandModule[] = [
  serveCommand,
  migrateCommand,
  clientsCommand,
  epochCommand,
  verifyEpochCommand,
];

export function buildProgram(modules: CommandModule[] = commandModules): Command {
  const program = new Command("oracle")
    .description("MSN oracle: receipt ingest, the epoch job and the rewards read API")
    .option("-c, --config <file>", "JSON config file (default: ORACLE_CONFIG); env vars override it")
    .showHelpAfterError(false);
  for (const add of modules) add(program);
  return program;
}
