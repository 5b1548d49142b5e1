import type { Command } from "commander";
import { configFrom, withDb, type CommandModule } from "../shared.js";
import { migrate } from "../../db/migrate.js";

export const migrateCommand: CommandModule = (program: Command) => {
  program
    .command("migrate")
    .description("apply pending database migrations (serve also does this at start-up)")
    .action(async (_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd);
      await withDb(config, async (db) => {
        const applied = await migrate(db); // already applied by openAndMigrate: reports nothing new
        const { rows } = await db.query<{ name: string }>(
          "SELECT name FROM schema_migrations ORDER BY version",
        );
        console.log(
          `database ${db.kind}: ${rows.length} migrations applied (${rows.map((r) => r.name).join(", ")})`,
        );
        if (applied.length > 0) console.log(`applied now: ${applied.join(", ")}`);
      });
    });
};
