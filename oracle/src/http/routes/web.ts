import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { ApiError } from "../../lib/errors.js";
import type { Hex } from "../../lib/hex.js";
import { DistributorView } from "../../epochJob/chainView.js";
import { OverviewService } from "../../web/overview.js";
import {
  AccountParams,
  Address,
  ErrorReply,
  NetworkOverviewReply,
  Nullable,
  PublicConfigReply,
  type PublicConfigJson,
} from "../schemas.js";

/** Where `npm run build:web` writes the page (oracle/web/dist). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

const NodesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
  { additionalProperties: false },
);
const NodesReply = Type.Object({
  operator: Address,
  nodes: Type.Array(Address, { description: "registered nodes, sorted; at most `limit`" }),
  indexedBlock: Nullable(Type.Integer({ description: "the registry reflects every block up to this one" })),
});

/**
 * The miners' web app: the page itself at `/` (built by `npm run build:web`), and what it reads from the
 * oracle besides the rewards API: the deployment it talks to, a network overview and an operator's nodes.
 */
export async function webRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const errors = { "4xx": ErrorReply, "5xx": ErrorReply };
  const { chain, runtime } = ctx;
  // One view of the distributor for both endpoints (cached for ORACLE_CHAIN_CACHE_MS; the token for good).
  const distributor =
    chain !== undefined && runtime.rewardsDistributor !== undefined
      ? new DistributorView(chain, runtime.rewardsDistributor, ctx.config.chainCacheMs)
      : undefined;
  const overview = new OverviewService(ctx, distributor);

  app.get(
    "/v1/config",
    {
      schema: {
        summary: "The deployment this oracle serves: chain, contracts, epoch clock",
        tags: ["web"],
        response: { 200: PublicConfigReply, ...errors },
      },
    },
    async (): Promise<PublicConfigJson> => {
      const { epochs, config } = ctx;
      const [token, challengeWindow] =
        distributor === undefined
          ? [null, null]
          : await Promise.all([distributor.token(), distributor.challengeWindow()]).catch((err: unknown) => {
              // The RPC error may name the (secret) RPC URL: logged by the error handler, not sent.
              throw new ApiError(
                503,
                "unavailable",
                `could not read the distributor: ${(err as Error).message}`,
                {
                  cause: err,
                },
              );
            });
      return {
        chainId: runtime.chainId,
        rpcUrl: config.webRpcUrl ?? null,
        deploymentBlock: runtime.deploymentBlock ?? null,
        epochLength: epochs.epochLength,
        genesisTime: epochs.genesisTime,
        challengeWindow,
        token: { address: token, symbol: "MSN", decimals: 18 },
        contracts: {
          MSNToken: token,
          MinerStaking: runtime.minerStaking,
          RewardsDistributor: runtime.rewardsDistributor ?? null,
          EmissionMinter: runtime.emissionMinter ?? null,
        },
      };
    },
  );

  app.get(
    "/v1/overview",
    {
      schema: {
        summary: "Network overview: epoch clock, this year's emission, total stake, newest root",
        tags: ["web"],
        response: { 200: NetworkOverviewReply, ...errors },
      },
    },
    async () => overview.overview(),
  );

  app.get<{ Params: Static<typeof AccountParams>; Querystring: Static<typeof NodesQuery> }>(
    "/v1/operators/:account/nodes",
    {
      schema: {
        summary: "The nodes an operator has registered (from the oracle's node registry)",
        tags: ["web"],
        params: AccountParams,
        querystring: NodesQuery,
        response: { 200: NodesReply, ...errors },
      },
    },
    async (req) => {
      const operator = req.params.account.toLowerCase() as Hex;
      const nodes = await ctx.registry.nodesOf(operator, req.query.limit ?? 100);
      return { operator, nodes, indexedBlock: ctx.registry.status().indexedBlock ?? null };
    },
  );

  const root = path.resolve(ctx.config.webDir ?? DEFAULT_WEB_DIR);
  if (existsSync(path.join(root, "index.html"))) {
    // preCompressed: the build writes .br and .gz copies; browsers that accept them get those. `/` is routed
    // by hand: @fastify/static's own index route answers 404 to a compressed request (v10.1).
    await app.register(fastifyStatic, { root, wildcard: false, index: false, preCompressed: true });
    app.get("/", { schema: { hide: true } }, (_req, reply) => reply.sendFile("index.html"));
  } else {
    ctx.logger.warn({ webDir: root }, "web app not built: run npm run build:web to serve it at /");
    app.get("/", { schema: { hide: true } }, async () => {
      throw new ApiError(
        503,
        "web_app_not_built",
        "the web app is not built: run npm run build:web (or point ORACLE_WEB_DIR at a built one)",
        { expose: true },
      );
    });
  }
}
