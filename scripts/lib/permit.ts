import { Signature, type Signer, type TypedDataDomain } from "ethers";
import type { MSNToken } from "../../typechain-types";

/**
 * EIP-2612 `Permit`, the struct `MSNToken` (OpenZeppelin ERC20Permit) checks. The oracle (ES modules) keeps
 * the same struct in oracle/src/chain/permit.ts: Hardhat's CommonJS loader cannot require it from there.
 */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface PermitFields {
  owner: string;
  spender: string;
  value: bigint;
  deadline: bigint | number;
}

/**
 * `signer`'s ERC-2612 permit over `owner`'s tokens, with the owner's current nonce. The domain is the one the
 * token reports (ERC-5267 `eip712Domain`) unless given: tests pass the expected one to check the token's.
 */
export async function signPermit(
  token: MSNToken,
  signer: Signer,
  permit: PermitFields,
  domain?: TypedDataDomain,
): Promise<Signature> {
  let d = domain;
  if (d === undefined) {
    const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
    d = { name, version, chainId, verifyingContract };
  }
  const nonce = await token.nonces(permit.owner);
  return Signature.from(await signer.signTypedData(d, PERMIT_TYPES, { ...permit, nonce }));
}
