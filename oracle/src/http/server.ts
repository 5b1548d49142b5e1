import type { FastifyInstance } from "fastify";
import type { OracleConfig } from "../config/schema.js";
import { closeContext, createContext, type AppContext, type ContextOverrides } from "../context.js";
import { buildApp } from "./app.js";
import { startAdminServer } from "./admin.js";
import { EpochScheduler } from "../epochJob/scheduler.js";

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  /** e.g. http://127.0.0.1:8787 */
  url: string;
  /** Stops accepting, finishes in-flight requests, then stops the registry, threads and database. */
  close(): Promise<void>;
}

/** Builds the context and the app and listens on config.host:config.port. */
export async function startServer(
  config: OracleConfig,
  overrides: ContextOverrides = {},
): Promise<RunningServer> {
  const ctx = await createContext(config, overrides);
  let app: FastifyInstance | undefined;
  let admin: FastifyInstance | undefined;
  let scheduler: EpochScheduler | undefined;
  try {
    app = await buildApp(ctx);
    await app.listen({ host: config.host, port: config.port });
    admin = await startAdminServer(ctx);
    // The epoch job after each epoch end + grace, and acceptRoot when due (when a signer is configured).
    scheduler = EpochScheduler.maybeStart(ctx);
  } catch (err) {
    await app?.close().catch(() => {});
    await closeContext(ctx);
    throw err;
  }
  const server = app;
  const addr = server.server.address();
  const url = typeof addr === "object" && addr !== null ? `http://${config.host}:${addr.port}` : String(addr);
  let closing: Promise<void> | undefined;
  return {
    app: server,
    ctx,
    url,
    close() {
      closing ??= (async () => {
        await server.close();
        await scheduler?.stop();
        await admin?.close();
        await closeContext(ctx);
      })();
      return closing;
    },
  };
}

/**
 * `oracle serve`: starts the server and shuts it down gracefully on SIGTERM / SIGINT (in-flight
 * batches finish and commit; a second signal, or 15 s, forces the exit).
 */
export async function serve(config: OracleConfig): Promise<RunningServer> {
  const server = await startServer(config);
  const { logger } = server.ctx;
  logger.info({ url: server.url, db: server.ctx.db.kind }, "oracle listening");
  // Tests and the benchmark read this line to find the port.
  process.stdout.write(`oracle listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, 15_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  return server;
}
