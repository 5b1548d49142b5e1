import { existsSync } from "node:fs";
import http from "node:http";
import type { OracleConfig } from "../config/schema.js";
import { openAndMigrate } from "../db/open.js";
import { adminSocketPath } from "../http/admin.js";
import { InputError, OracleError } from "../lib/errors.js";
import { ClientsRepository, type Client } from "../registry/clients.js";

/** What the `clients` commands need, either straight on the database or through a running server. */
export interface ClientsAdmin {
  /** "database", or "server" when a running server on the embedded database does the work. */
  readonly via: "database" | "server";
  add(input: { address: string; operator: string; quotaBytes: number }): Promise<Client>;
  list(): Promise<Client[]>;
  setDisabled(address: string, disabled: boolean): Promise<boolean>;
  setQuota(address: string, quotaBytes: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens the configured database for the clients commands. When the embedded database is held by a
 * running server, talks to that server over its admin socket instead (see http/admin.ts).
 */
export async function openClientsAdmin(config: OracleConfig): Promise<ClientsAdmin> {
  try {
    const { db } = await openAndMigrate(config);
    const repo = new ClientsRepository(db);
    return {
      via: "database",
      add: (input) => repo.add(input),
      list: () => repo.list(),
      setDisabled: (a, d) => repo.setDisabled(a, d),
      setQuota: (a, q) => repo.setQuota(a, q),
      close: () => db.close(),
    };
  } catch (err) {
    const socket = adminSocketPath(config.dataDir);
    if (err instanceof OracleError && err.code === "db_locked" && existsSync(socket))
      return remoteAdmin(socket);
    throw err;
  }
}

function remoteAdmin(socketPath: string): ClientsAdmin {
  const call = (method: string, path: string, body?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          socketPath,
          method,
          path,
          headers: payload === undefined ? {} : { "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            let json: { message?: string } | undefined;
            try {
              json = JSON.parse(text) as { message?: string };
            } catch {
              json = undefined;
            }
            if (res.statusCode === 200) resolve(json);
            else if (res.statusCode === 400) reject(new InputError(json?.message ?? text));
            else
              reject(
                new OracleError(
                  "admin_failed",
                  `the running server answered ${res.statusCode}: ${json?.message ?? text}`,
                ),
              );
          });
        },
      );
      req.on("error", (e) =>
        reject(
          new OracleError(
            "admin_unreachable",
            `cannot reach the running server at ${socketPath}: ${e.message}`,
          ),
        ),
      );
      req.end(payload);
    });
  const toClient = (c: Record<string, unknown>): Client =>
    ({
      ...c,
      createdAt: new Date(c.createdAt as string),
      updatedAt: new Date(c.updatedAt as string),
    }) as Client;
  const enc = encodeURIComponent;
  return {
    via: "server",
    add: async (input) => toClient((await call("POST", "/admin/clients", input)) as Record<string, unknown>),
    list: async () => ((await call("GET", "/admin/clients")) as Record<string, unknown>[]).map(toClient),
    setDisabled: async (a, disabled) =>
      ((await call("PUT", `/admin/clients/${enc(a)}/disabled`, { disabled })) as { found: boolean }).found,
    setQuota: async (a, quotaBytes) =>
      ((await call("PUT", `/admin/clients/${enc(a)}/quota`, { quotaBytes })) as { found: boolean }).found,
    close: async () => {},
  };
}
