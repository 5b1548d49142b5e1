import type { PublicClient } from "viem";
import type { Hex } from "../lib/hex.js";
import { emissionMinterAbi } from "./abi.js";

/** `EmissionMinter.EPOCH_LENGTH()` and `GENESIS_TIME()`, as safe integers (seconds). */
export async function readEpochParams(
  client: PublicClient,
  emissionMinter: Hex,
): Promise<{ epochLength: number; genesisTime: number }> {
  const [len, genesis] = await Promise.all([
    client.readContract({ address: emissionMinter, abi: emissionMinterAbi, functionName: "EPOCH_LENGTH" }),
    client.readContract({ address: emissionMinter, abi: emissionMinterAbi, functionName: "GENESIS_TIME" }),
  ]);
  return { epochLength: Number(len), genesisTime: Number(genesis) };
}
