import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";

/** GET /metrics: Prometheus text format. */
export async function metricsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/metrics",
    { schema: { summary: "Prometheus metrics", tags: ["operations"], hide: false } },
    async (_req, reply) => {
      ctx.metrics.registryNodes.set(ctx.registry.size);
      reply.header("content-type", ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
