import { STATUS_CODES } from "node:http";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { AppContext } from "../context.js";
import { ApiError, OracleError } from "../lib/errors.js";
import { routeModules, type RouteModule } from "./routes/index.js";
import { RequestValidationError, validatorCompiler } from "./validator.js";

export interface BuildAppOptions {
  /** Route modules to register (default: all of routes/index.ts). */
  routes?: RouteModule[];
}

/**
 * Builds the HTTP app from a context. Never listens: server.ts (or a test with `app.inject`) does.
 */
export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    loggerInstance: ctx.logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "MSN oracle",
        description:
          "Ingest of signed bandwidth receipts and the rewards read API (SPEC section 6). See docs/oracle-ingest.md and docs/oracle-epoch-job.md.",
        version: "1.0.0",
      },
      tags: [
        { name: "receipts", description: "bandwidth receipts" },
        { name: "rewards", description: "epochs, roots, bundles and claimable rewards" },
        { name: "operations", description: "health and metrics" },
        { name: "web", description: "what the miners' web app at / reads: deployment, overview, nodes" },
      ],
    },
  });
  if (config.docsUi) await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(rateLimit, {
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: (req) => req.ip,
  });

  app.get("/openapi.json", { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );

  app.addHook("onResponse", async (req, reply) => {
    ctx.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // One error handler: 4xx say what is wrong; 5xx never leak internals (they are logged instead).
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation || err instanceof RequestValidationError || err.code === "FST_ERR_VALIDATION") {
      return reply.status(400).send({
        statusCode: 400,
        error: STATUS_CODES[400],
        code: "invalid_request",
        message: err.message,
      });
    }
    const status = err.statusCode ?? 500;
    if ((status >= 400 && status < 500) || (err instanceof ApiError && err.expose)) {
      return reply.status(status).send({
        statusCode: status,
        error: STATUS_CODES[status] ?? "Client Error",
        code: err.code ?? "bad_request",
        message: err.message,
      });
    }
    req.log.error({ err }, "request failed");
    const retryable = err instanceof OracleError && err.retryable;
    const code = retryable ? 503 : 500;
    return reply.status(code).send({
      statusCode: code,
      error: STATUS_CODES[code]!,
      code: retryable ? "unavailable" : "internal",
      message: retryable ? "temporarily unavailable, retry later" : "internal error",
    });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({
      statusCode: 404,
      error: STATUS_CODES[404],
      code: "not_found",
      message: `no route ${req.method} ${req.url.split("?")[0]}`,
    });
  });

  for (const route of opts.routes ?? routeModules) await route(app, ctx);
  return app;
}
