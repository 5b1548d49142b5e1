import type { Command } from "commander";
import { InputError } from "../../lib/errors.js";
import { formatBytes, parseBytes } from "../../lib/units.js";
import type { Client } from "../../registry/clients.js";
import type { OracleConfig } from "../../config/schema.js";
import { openClientsAdmin, type ClientsAdmin } from "../clientsAdmin.js";
import { configFrom, type CommandModule } from "../shared.js";

async function withClients<T>(config: OracleConfig, fn: (admin: ClientsAdmin) => Promise<T>): Promise<T> {
  const admin = await openClientsAdmin(config);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

function quotaArg(text: string): number {
  const n = parseBytes(text);
  if (n === undefined) {
    throw new InputError(`quota must be a byte count such as 1000000, 500GB or 10TiB, got "${text}"`);
  }
  return n;
}

function table(clients: Client[]): string {
  const head = ["ADDRESS", "OPERATOR", "QUOTA/EPOCH", "STATUS", "ADDED"];
  const rows = clients.map((c) => [
    c.address,
    c.operator,
    `${formatBytes(c.quotaBytes)}`,
    c.disabled ? "disabled" : "active",
    c.createdAt.toISOString().replace(/\.\d+Z$/, "Z"),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}

export const clientsCommand: CommandModule = (program: Command) => {
  const clients = program
    .command("clients")
    .description("manage the clients (consumer keys) allowed to sign receipts");

  clients
    .command("add <address>")
    .description("register a client key")
    .requiredOption(
      "--operator <address>",
      "operator the client belongs to (its receipts for that operator's nodes are refused)",
    )
    .option("--quota <bytes>", "bytes per epoch (e.g. 500GB, 10TiB; default ORACLE_DEFAULT_QUOTA_BYTES)")
    .action(async (address: string, opts: { operator: string; quota?: string }, cmd: Command) => {
      const config = configFrom(cmd);
      const quotaBytes = opts.quota !== undefined ? quotaArg(opts.quota) : config.defaultQuotaBytes;
      await withClients(config, async (admin) => {
        const c = await admin.add({ address, operator: opts.operator, quotaBytes });
        console.log(
          `added client ${c.address} (operator ${c.operator}, quota ${formatBytes(c.quotaBytes)} per epoch)`,
        );
      });
    });

  clients
    .command("list")
    .description("list the clients")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withClients(configFrom(cmd), async (admin) => {
        const list = await admin.list();
        if (opts.json) console.log(JSON.stringify(list, null, 2));
        else if (list.length === 0) console.log("no clients");
        else console.log(table(list));
      });
    });

  for (const [name, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    clients
      .command(`${name} <address>`)
      .description(
        disabled ? "refuse the client's receipts from now on" : "accept the client's receipts again",
      )
      .action(async (address: string, _opts: unknown, cmd: Command) => {
        await withClients(configFrom(cmd), async (admin) => {
          const found = await admin.setDisabled(address, disabled);
          if (!found) throw new InputError(`no client ${address.toLowerCase()}`);
          console.log(`${disabled ? "disabled" : "enabled"} client ${address.toLowerCase()}`);
        });
      });
  }

  clients
    .command("set-quota <address> <bytes>")
    .description("change a client's per-epoch byte quota")
    .action(async (address: string, bytes: string, _opts: unknown, cmd: Command) => {
      const quota = quotaArg(bytes);
      await withClients(configFrom(cmd), async (admin) => {
        const found = await admin.setQuota(address, quota);
        if (!found) throw new InputError(`no client ${address.toLowerCase()}`);
        console.log(`client ${address.toLowerCase()}: quota ${formatBytes(quota)} per epoch`);
      });
    });
};
