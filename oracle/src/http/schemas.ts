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
