import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { rewardsDistributorAbi } from "../../chain/abi.js";
import type { AppContext } from "../../context.js";
import { ApiError } from "../../lib/errors.js";
import type { Hex } from "../../lib/hex.js";
import { OverviewService } from "../../web/overview.js";
import type { PublicConfig as PublicConfigReply } from "../../web/types.js";
import { Address, ErrorReply } from "../schemas.js";

/** Where `npm run build:web` writes the page (oracle/web/dist). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

const Decimal = Type.String({
  pattern: "^(0|[1-9][0-9]*)$",
  description: "integer as a decimal string (wei)",
});
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const MaybeAddress = Nullable(Address);

const PublicConfig = Type.Object({
  chainId: Type.Integer(),
  rpcUrl: Nullable(
    Type.String({ description: "public JSON-RPC URL for wallet_addEthereumChain (ORACLE_WEB_RPC_URL)" }),
  ),
  deploymentBlock: Nullable(Type.Integer()),
  epochLength: Type.Integer(),
  genesisTime: Type.Integer(),
  challengeWindow: Nullable(
    Type.Integer({ description: "seconds a proposed root waits before it is claimable" }),
  ),
  token: Type.Object({ address: MaybeAddress, symbol: Type.String(), decimals: Type.Integer() }),
  contracts: Type.Object({
    MSNToken: MaybeAddress,
    MinerStaking: Address,
    RewardsDistributor: MaybeAddress,
    EmissionMinter: MaybeAddress,
  }),
});

const Overview = Type.Object({
  now: Type.Integer({ description: "the oracle's clock (unix seconds; the chain's time on a devnet)" }),
  epoch: Type.Object({
    current: Type.Integer(),
    start: Type.Integer(),
    end: Type.Integer(),
    length: Type.Integer(),
    genesisTime: Type.Integer(),
  }),
  emission: Type.Object({
    year: Nullable(Type.Integer({ description: "0-based schedule year; null before the genesis time" })),
    rateBps: Type.Integer(),
    yearBudget: Decimal,
    emittedThisYear: Decimal,
    totalMinted: Decimal,
  }),
  staking: Type.Object({ totalActive: Decimal, totalUnbonding: Decimal }),
  lastRoot: Nullable(
    Type.Object({
      epoch: Type.Integer(),
      status: Type.String({ enum: ["none", "pending", "accepted", "vetoed"] }),
      root: Type.String(),
      total: Decimal,
      claimableAt: Type.Integer(),
    }),
  ),
  acceptedEpoch: Nullable(Type.Integer()),
});

const AccountParams = Type.Object({ account: Address });
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
  const overview = new OverviewService(ctx);
  let chainFacts: Promise<{ token: Hex | null; challengeWindow: number | null }> | undefined;

  const readChainFacts = async () => {
    const { chain, runtime } = ctx;
    if (chain === undefined || runtime.rewardsDistributor === undefined)
      return { token: null, challengeWindow: null };
    const [token, window] = await Promise.all([
      chain.readContract({
        address: runtime.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "TOKEN",
      }),
      chain.readContract({
        address: runtime.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "challengeWindow",
      }),
    ]);
    return { token: token.toLowerCase() as Hex, challengeWindow: Number(window) };
  };

  app.get(
    "/v1/config",
    {
      schema: {
        summary: "The deployment this oracle serves: chain, contracts, epoch clock",
        tags: ["web"],
        response: { 200: PublicConfig, ...errors },
      },
    },
    async (): Promise<PublicConfigReply> => {
      const { runtime, epochs, config } = ctx;
      // The token address never changes; read it once (again after a failure).
      chainFacts ??= readChainFacts();
      const facts = await chainFacts.catch((err: unknown) => {
        chainFacts = undefined;
        // The RPC error may name the (secret) RPC URL: logged by the error handler, not sent.
        throw new ApiError(503, "unavailable", `could not read the distributor: ${(err as Error).message}`, {
          cause: err,
        });
      });
      return {
        chainId: runtime.chainId,
        rpcUrl: config.webRpcUrl ?? null,
        deploymentBlock: runtime.deploymentBlock ?? null,
        epochLength: epochs.epochLength,
        genesisTime: epochs.genesisTime,
        challengeWindow: facts.challengeWindow,
        token: { address: facts.token, symbol: "MSN", decimals: 18 },
        contracts: {
          MSNToken: facts.token,
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
        response: { 200: Overview, ...errors },
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
