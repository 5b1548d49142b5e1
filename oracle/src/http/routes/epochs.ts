import { createReadStream } from "node:fs";
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { EpochReadService } from "../../epochJob/readApi.js";
import { AccountParams, Bytes32, Decimal, ErrorReply, Nullable, RewardsReply } from "../schemas.js";

const Status = Type.String({
  enum: ["aggregated", "computed", "signed", "pending", "accepted", "vetoed"],
  description:
    "job steps (aggregated, computed, signed) before the proposal; then the root's state on chain: pending (in its challenge window), accepted (claimable), vetoed",
});

const summaryFields = {
  epoch: Type.Integer({ minimum: 0 }),
  status: Status,
  root: Nullable(Bytes32),
  total: Nullable(Decimal),
  dataHash: Nullable({ ...Bytes32, description: "keccak256 of the bundle (proposeRoot's dataHash)" }),
  accounts: Nullable(Type.Integer({ description: "accounts with a cumulative amount (tree leaves)" })),
  txHash: Nullable(Bytes32),
  blockNumber: Nullable(Type.Integer()),
  proposedAt: Nullable(Type.Integer({ description: "unix seconds" })),
  bundle: Nullable(Type.String({ description: "path of the bundle download" })),
};
const EpochSummary = Type.Object(summaryFields);
const EpochList = Type.Object({
  epochs: Type.Array(EpochSummary, { description: "newest first" }),
  next: Nullable(Type.Integer({ description: "pass as ?before= for the next page" })),
});
const EpochDetail = Type.Object({
  ...summaryFields,
  epochStart: Type.Integer(),
  epochEnd: Type.Integer(),
  snapshotTime: Type.Integer(),
  snapshotBlock: Type.Integer(),
  receipts: Type.Object({ count: Type.Integer(), hash: Bytes32 }),
  nodes: Type.Integer({ description: "nodes with traffic and an operator at the snapshot" }),
  unownedNodes: Type.Integer({
    description: "nodes with traffic but no operator at the snapshot (not paid)",
  }),
  operators: Nullable(Type.Integer()),
  emission: Nullable(Decimal),
  carryIn: Nullable(Decimal),
  carryOut: Nullable(Decimal),
  totalWeight: Nullable(Decimal),
  boostParams: Nullable(Type.Object({ maxBoostBps: Decimal, fullStakePerNode: Decimal })),
  bundleBytes: Nullable(Type.Integer()),
  claimableAt: Nullable(
    Type.Integer({ description: "when acceptRoot may make it claimable (unix seconds)" }),
  ),
  signatures: Nullable(Type.Array(Type.String())),
});
const EpochParams = Type.Object({ n: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) });
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);

/** GET /v1/epochs, /v1/epochs/:n, /v1/epochs/:n/bundle and /v1/rewards/:account. */
export async function epochsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const read = new EpochReadService(ctx);
  const errors = { "4xx": ErrorReply, "5xx": ErrorReply };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    "/v1/epochs",
    {
      schema: {
        summary: "Epochs processed by this oracle, newest first",
        tags: ["rewards"],
        querystring: ListQuery,
        response: { 200: EpochList, ...errors },
      },
    },
    async (req) => read.list(req.query.limit ?? 100, req.query.before),
  );

  app.get<{ Params: Static<typeof EpochParams> }>(
    "/v1/epochs/:n",
    {
      schema: {
        summary: "One epoch: status, root, total, transaction, inputs and the bundle link",
        tags: ["rewards"],
        params: EpochParams,
        response: { 200: EpochDetail, ...errors },
      },
    },
    async (req) => read.detail(req.params.n),
  );

  app.get<{ Params: Static<typeof EpochParams> }>(
    "/v1/epochs/:n/bundle",
    {
      schema: {
        summary:
          "Download the epoch bundle (canonical JSON, docs/BUNDLE.md); its keccak256 is the on-chain dataHash",
        tags: ["rewards"],
        params: EpochParams,
        response: errors,
      },
    },
    async (req, reply) => {
      const b = await read.bundle(req.params.n);
      reply
        .header("content-type", "application/json")
        .header("content-length", String(b.bytes))
        .header("x-bundle-hash", b.hash)
        .header("etag", `"${b.hash}"`)
        .header("content-disposition", `attachment; filename="epoch-${req.params.n}.json"`);
      return reply.send(createReadStream(b.file));
    },
  );

  app.get<{ Params: Static<typeof AccountParams> }>(
    "/v1/rewards/:account",
    {
      schema: {
        summary: "An account's claimable cumulative amount and Merkle proof",
        description:
          "Serves the latest root accepted on chain (claimable now): claim(account, cumulativeAmount, proof) pays `claimable`. " +
          "`pending` shows a newer proposed root still in its challenge window, when it lists the account. 404 when neither lists it.",
        tags: ["rewards"],
        params: AccountParams,
        response: { 200: RewardsReply, ...errors },
      },
    },
    async (req) => read.rewards(req.params.account as `0x${string}`),
  );
}
