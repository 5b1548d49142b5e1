import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { HealthReply } from "../schemas.js";

/** GET /health: database reachable, registry state, current epoch. 503 when the database is not. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/health",
    {
      config: { rateLimit: false },
      schema: {
        summary: "Liveness and readiness",
        tags: ["operations"],
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (_req, reply) => {
      let dbOk = true;
      try {
        await ctx.db.query("SELECT 1");
      } catch {
        dbOk = false;
      }
      ctx.metrics.registryNodes.set(ctx.registry.size);
      reply.status(dbOk ? 200 : 503);
      return {
        status: dbOk ? "ok" : "unavailable",
        db: { kind: ctx.db.kind, ok: dbOk },
        registry: ctx.registry.status(),
        epoch: {
          current: ctx.epochs.epochAt(ctx.clock()),
          genesisTime: ctx.epochs.genesisTime,
          epochLength: ctx.epochs.epochLength,
        },
        chainId: ctx.runtime.chainId,
      } as const;
    },
  );
}
