import { hashTypedData, type LocalAccount } from "viem";
import type { Hex } from "../lib/hex.js";

export const EPOCH_ROOT_TYPES = {
  EpochRoot: [
    { name: "epoch", type: "uint64" },
    { name: "root", type: "bytes32" },
    { name: "total", type: "uint256" },
    { name: "dataHash", type: "bytes32" },
  ],
} as const;

export interface EpochRootMessage {
  epoch: number;
  root: Hex;
  total: bigint;
  dataHash: Hex;
}

/** The "MSN Rewards" v1 EIP-712 domain of a RewardsDistributor (docs/ARCHITECTURE.md). */
export function rewardsDomain(chainId: number, distributor: Hex) {
  return { name: "MSN Rewards", version: "1", chainId, verifyingContract: distributor } as const;
}

/** The digest the oracles sign (equal to the distributor's `hashEpochRoot`). */
export function epochRootDigest(chainId: number, distributor: Hex, m: EpochRootMessage): Hex {
  return hashTypedData({
    domain: rewardsDomain(chainId, distributor),
    types: EPOCH_ROOT_TYPES,
    primaryType: "EpochRoot",
    message: { epoch: BigInt(m.epoch), root: m.root, total: m.total, dataHash: m.dataHash },
  });
}

/**
 * Every signer's EIP-712 `EpochRoot` signature (deterministic, RFC 6979), sorted by signer address
 * ascending as `proposeRoot` requires.
 */
export async function signEpochRoot(
  signers: readonly LocalAccount[],
  chainId: number,
  distributor: Hex,
  m: EpochRootMessage,
): Promise<{ signer: Hex; signature: Hex }[]> {
  const out: { signer: Hex; signature: Hex }[] = [];
  for (const account of signers) {
    const signature = await account.signTypedData({
      domain: rewardsDomain(chainId, distributor),
      types: EPOCH_ROOT_TYPES,
      primaryType: "EpochRoot",
      message: { epoch: BigInt(m.epoch), root: m.root, total: m.total, dataHash: m.dataHash },
    });
    out.push({ signer: account.address.toLowerCase() as Hex, signature });
  }
  out.sort((a, b) => (a.signer < b.signer ? -1 : a.signer > b.signer ? 1 : 0));
  return out;
}
