/** The Hardhat node's default accounts (the well-known test mnemonic): never hold real funds with them. */
import { toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { Hex } from "../src/lib/hex.js";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat default account #`index`: address and private key. */
export function hardhatAccount(index: number): { address: Hex; key: Hex } {
  const account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
  return { address: account.address, key: toHex(account.getHdKey().privateKey!) };
}

export function hardhatKey(index: number): Hex {
  return hardhatAccount(index).key;
}
