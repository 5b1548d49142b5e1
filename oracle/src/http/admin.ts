import { chmodSync, rmSync } from "node:fs";
import path from "node:path";
import { STATUS_CODES } from "node:http";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { AppContext } from "../context.js";
import { InputError } from "../lib/errors.js";
import { validatorCompiler } from "./validator.js";
import { SafeUint } from "./schemas.js";
import { epochAdminRoutes } from "../epochJob/admin.js";

/** Unix sockets have a short path limit (108 bytes on Linux, including the terminating zero). */
const MAX_SOCKET_PATH = 107;

/** Where a server on the embedded database listens for administration (the clients CLI). */
export function adminSocketPath(dataDir: string): string {
  return path.resolve(dataDir, "admin.sock");
}

/**
 * With the embedded database only the server process can open the data directory, so it also serves
 * the clients commands of the CLI on a Unix socket inside that directory (mode 0600: only the user
 * running the oracle can connect). Never on TCP. Returns undefined on PostgreSQL (the CLI uses the
 * database directly there) or when the socket path would be too long.
 */
export async function startAdminServer(ctx: AppContext): Promise<FastifyInstance | undefined> {
  if (ctx.db.kind !== "pglite") return undefined;
  const socket = adminSocketPath(ctx.config.dataDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    ctx.logger.warn(
      { socket },
      "data directory path too long for the admin socket; the clients CLI needs the server stopped",
    );
    return undefined;
  }
  const app = Fastify({ loggerInstance: ctx.logger.child({ admin: true }) }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err instanceof InputError ? 400 : (err.statusCode ?? 500);
    if (status >= 500) req.log.error({ err }, "admin request failed");
    // The socket is local and owner-only: the CLI behind it shows the error as the command's own.
    reply.status(status).send({
      statusCode: status,
      error: STATUS_CODES[status] ?? "Error",
      code: (err as { code?: string }).code ?? "error",
      message: err.message,
    });
  });

  const byAddress = { params: Type.Object({ address: Type.String() }) };
  app.get("/admin/clients", async () => ctx.clients.list());
  app.post(
    "/admin/clients",
    {
      schema: {
        body: Type.Object(
          { address: Type.String(), operator: Type.String(), quotaBytes: SafeUint },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => ctx.clients.add(req.body as { address: string; operator: string; quotaBytes: number }),
  );
  app.put(
    "/admin/clients/:address/disabled",
    {
      schema: {
        ...byAddress,
        body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const { address } = req.params as { address: string };
      return { found: await ctx.clients.setDisabled(address, (req.body as { disabled: boolean }).disabled) };
    },
  );
  app.put(
    "/admin/clients/:address/quota",
    {
      schema: { ...byAddress, body: Type.Object({ quotaBytes: SafeUint }, { additionalProperties: false }) },
    },
    async (req) => {
      const { address } = req.params as { address: string };
      return { found: await ctx.clients.setQuota(address, (req.body as { quotaBytes: number }).quotaBytes) };
    },
  );

  await epochAdminRoutes(app, ctx);

  // We hold the data directory's lock, so a socket file left here belongs to a dead server.
  rmSync(socket, { force: true });
  app.addHook("onClose", async () => rmSync(socket, { force: true }));
  await app.listen({ path: socket });
  chmodSync(socket, 0o600);
  return app;
}
