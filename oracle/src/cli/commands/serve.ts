import type { Command } from "commander";
import { configFrom, type CommandModule } from "../shared.js";

export const serveCommand: CommandModule = (program: Command) => {
  program
    .command("serve")
    .description(
      "run the HTTP API (receipts, rewards, epochs, health, metrics, OpenAPI) and the epoch job when due",
    )
    .option("--host <host>", "bind address (ORACLE_HOST)")
    .option("--port <port>", "port (ORACLE_PORT)")
    .action(async (opts: { host?: string; port?: string }, cmd: Command) => {
      const config = configFrom(cmd, { host: opts.host, port: opts.port });
      // Loaded on demand: the other commands start faster without the HTTP stack.
      const { serve } = await import("../../http/server.js");
      await serve(config);
    });
};
