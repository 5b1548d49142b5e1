import type { Hex } from "../lib/hex.js";

/** The EIP-712 domain of bandwidth receipts: {name "MSN Bandwidth", version "1", chainId, MinerStaking}. */
export interface ReceiptDomain {
  chainId: number;
  /** The MinerStaking contract. */
  verifyingContract: Hex;
}

/**
 * `BandwidthReceipt(address node,address client,uint64 epoch,bytes32 session,uint64 bytesServed)`:
 * the client says the node delivered `bytesServed` bytes to it in `session` during `epoch`. Within a
 * session the client signs increasing cumulative counts; the latest supersedes the earlier ones.
 * `epoch` and `bytesServed` are JavaScript numbers (safe integers, <= 2^53 - 1): a uint64 above that
 * could never pass the link-capacity check.
 */
export interface Receipt {
  node: Hex;
  client: Hex;
  epoch: number;
  session: Hex;
  bytesServed: number;
}

export interface SignedReceipt extends Receipt {
  /** 65 bytes r || s || v, v in {27, 28} (0 and 1 are accepted too). */
  signature: Hex;
}

export const RECEIPT_DOMAIN_NAME = "MSN Bandwidth";
export const RECEIPT_DOMAIN_VERSION = "1";
export const RECEIPT_TYPE =
  "BandwidthReceipt(address node,address client,uint64 epoch,bytes32 session,uint64 bytesServed)";
export const EIP712_DOMAIN_TYPE =
  "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

/** The typed-data description, for viem / ethers / wallets (`signTypedData`). */
export const RECEIPT_TYPES = {
  BandwidthReceipt: [
    { name: "node", type: "address" },
    { name: "client", type: "address" },
    { name: "epoch", type: "uint64" },
    { name: "session", type: "bytes32" },
    { name: "bytesServed", type: "uint64" },
  ],
} as const;

export function typedDataDomain(domain: ReceiptDomain) {
  return {
    name: RECEIPT_DOMAIN_NAME,
    version: RECEIPT_DOMAIN_VERSION,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  } as const;
}
