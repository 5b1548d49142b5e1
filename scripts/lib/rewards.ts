import type { TypedDataDomain, TypedDataField } from "ethers";

/** The RewardsDistributor's EIP-712 domain name and version (docs/ARCHITECTURE.md). */
export const REWARDS_DOMAIN_NAME = "MSN Rewards";
export const REWARDS_DOMAIN_VERSION = "1";

export const EPOCH_ROOT_TYPES: Record<string, TypedDataField[]> = {
  EpochRoot: [
    { name: "epoch", type: "uint64" },
    { name: "root", type: "bytes32" },
    { name: "total", type: "uint256" },
    { name: "dataHash", type: "bytes32" },
  ],
};

export const CLAIM_AND_STAKE_TYPES: Record<string, TypedDataField[]> = {
  ClaimAndStake: [
    { name: "account", type: "address" },
    { name: "cumulativeAmount", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface EpochRootMessage {
  epoch: bigint | number;
  root: string;
  total: bigint;
  dataHash: string;
}

/** Anything that signs EIP-712 typed data with a known address (ethers Wallet or Hardhat signer). */
export interface TypedDataSigner {
  readonly address: string;
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

export function rewardsDomain(chainId: bigint | number, distributor: string): TypedDataDomain {
  return {
    name: REWARDS_DOMAIN_NAME,
    version: REWARDS_DOMAIN_VERSION,
    chainId,
    verifyingContract: distributor,
  };
}

/**
 * The oracles' signatures over an `EpochRoot`, ordered by signer address ascending, as `proposeRoot`
 * requires (the order proves the signers distinct).
 */
export async function signEpochRoot(
  signers: readonly TypedDataSigner[],
  domain: TypedDataDomain,
  message: EpochRootMessage,
): Promise<string[]> {
  const sorted = [...signers].sort((a, b) => {
    const x = BigInt(a.address);
    const y = BigInt(b.address);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const value = { ...message };
  return Promise.all(sorted.map((s) => s.signTypedData(domain, EPOCH_ROOT_TYPES, value)));
}
