import { Type, type Static } from "@sinclair/typebox";
import { RESULTS } from "../ingest/reasons.js";

export const Address = Type.String({
  pattern: "^0x[0-9a-fA-F]{40}$",
  description: "20-byte address, 0x-prefixed hex",
  examples: ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8"],
});
export const Bytes32 = Type.String({
  pattern: "^0x[0-9a-fA-F]{64}$",
  description: "32 bytes, 0x-prefixed hex",
});
export const Signature65 = Type.String({
  pattern: "^0x[0-9a-fA-F]{130}$",
  description: "65-byte secp256k1 signature r || s || v (v 27/28 or 0/1), low-s",
});
export const Decimal = Type.String({
  pattern: "^(0|[1-9][0-9]*)$",
  description: "integer as a decimal string (wei, bytes)",
});
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
export const AccountParams = Type.Object({ account: Address });
export const SafeUint = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const ReceiptBody = Type.Object(
  {
    node: Type.String({ ...Address, description: "node key that served the bytes" }),
    client: Type.String({ ...Address, description: "client key that signed the receipt" }),
    epoch: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "epoch number" }),
    session: Type.String({ ...Bytes32, description: "client-chosen session id" }),
    bytesServed: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "cumulative bytes of the session in this epoch",
    }),
    signature: Signature65,
  },
  {
    additionalProperties: false,
    description:
      "EIP-712 BandwidthReceipt(address node,address client,uint64 epoch,bytes32 session,uint64 bytesServed), domain {name: 'MSN Bandwidth', version: '1', chainId, verifyingContract: MinerStaking}, signed by the client",
  },
);

export function receiptBatchBody(maxBatch: number) {
  return Type.Object(
    { receipts: Type.Array(ReceiptBody, { minItems: 1, maxItems: maxBatch }) },
    { additionalProperties: false },
  );
}
export type ReceiptBatchBody = Static<ReturnType<typeof receiptBatchBody>>;

export const ResultCode = Type.String({
  enum: [...RESULTS],
  description: "accepted, or the reason the receipt was rejected",
});

export const ReceiptBatchReply = Type.Object({
  accepted: Type.Integer({ description: "receipts accepted (durably stored)" }),
  rejected: Type.Integer(),
  results: Type.Array(ResultCode, { description: "one entry per receipt, in request order" }),
});

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  code: Type.String(),
  message: Type.String(),
});

export const HealthReply = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
  db: Type.Object({ kind: Type.String(), ok: Type.Boolean() }),
  registry: Type.Object(
    {
      source: Type.String(),
      nodes: Type.Integer(),
      indexedBlock: Type.Optional(Type.Integer()),
      headBlock: Type.Optional(Type.Integer()),
      lastError: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  epoch: Type.Object({ current: Type.Integer(), genesisTime: Type.Integer(), epochLength: Type.Integer() }),
  chainId: Type.Integer(),
});

// ---- What the miners' web app reads. The page imports the types below (types only: nothing of this module
// ends up in its bundle), so the answers and the page cannot drift apart.

const ProofFields = {
  epoch: Type.Integer(),
  root: Bytes32,
  cumulativeAmount: Decimal,
  proof: Type.Array(Bytes32),
};

/** GET /v1/rewards/:account */
export const RewardsReply = Type.Object({
  account: Address,
  epoch: Nullable(Type.Integer({ description: "the accepted epoch whose root this proof is for" })),
  root: Nullable(Bytes32),
  cumulativeAmount: { ...Decimal, description: "claim(account, cumulativeAmount, proof) with these values" },
  claimed: { ...Decimal, description: "RewardsDistributor.claimed(account) (cached a few seconds)" },
  claimable: { ...Decimal, description: "cumulativeAmount - claimed: what a claim pays now" },
  proof: Type.Array(Bytes32),
  pending: Nullable(
    Type.Object(
      { ...ProofFields, claimableAt: Type.Integer({ description: "unix seconds" }) },
      {
        description:
          "a newer root in its challenge window that lists the account: claimable after claimableAt",
      },
    ),
  ),
});
export type RewardsJson = Static<typeof RewardsReply>;

const MaybeAddress = Nullable(Address);

/** GET /v1/config: the deployment this oracle serves. */
export const PublicConfigReply = Type.Object({
  chainId: Type.Integer(),
  rpcUrl: Nullable(
    Type.String({
      description: "public JSON-RPC URL for wallet_addEthereumChain (ORACLE_WEB_RPC_URL, never RPC_URL)",
    }),
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
export type PublicConfigJson = Static<typeof PublicConfigReply>;

/** GET /v1/overview: the network as a whole (amounts in wei). */
export const NetworkOverviewReply = Type.Object({
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
    emittedThisYear: { ...Decimal, description: "emitted since this schedule year began, up to now" },
    totalMinted: Decimal,
  }),
  staking: Type.Object({ totalActive: Decimal, totalUnbonding: Decimal }),
  lastRoot: Nullable(
    Type.Object(
      {
        epoch: Type.Integer(),
        status: Type.String({ enum: ["none", "pending", "accepted", "vetoed"] }),
        root: Bytes32,
        total: Decimal,
        claimableAt: Type.Integer(),
      },
      { description: "the newest proposed root" },
    ),
  ),
  acceptedEpoch: Nullable(Type.Integer({ description: "the epoch of the latest accepted root" })),
});
export type NetworkOverviewJson = Static<typeof NetworkOverviewReply>;
