import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { healthRoutes } from "./health.js";
import { metricsRoutes } from "./metrics.js";
import { receiptsRoutes } from "./receipts.js";
import { epochsRoutes } from "./epochs.js";
import { webRoutes } from "./web.js";

/** A route module: registers its routes on the app, taking what it needs from the context. */
export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** The oracle's routes. */
export const routeModules: RouteModule[] = [
  healthRoutes,
  metricsRoutes,
  receiptsRoutes,
  epochsRoutes,
  webRoutes,
];
