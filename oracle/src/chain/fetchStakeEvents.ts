import type { PublicClient } from "viem";
import type { Hex } from "../lib/hex.js";
import { minerStakingAbi } from "./abi.js";

export interface StakeEvent {
  blockNumber: number;
  logIndex: number;
  operator: Hex;
  /** The operator's active stake from `timestamp` on (wei). */
  stake: bigint;
  /** The block time of the change (the event's own `timestamp` argument). */
  timestamp: number;
}

const event = minerStakingAbi.find((x) => x.type === "event" && x.name === "ActiveStakeUpdated")!;

/** `ActiveStakeUpdated` logs of `minerStaking` in [fromBlock, toBlock], in chain order. */
export async function fetchStakeEvents(
  client: PublicClient,
  minerStaking: Hex,
  fromBlock: number,
  toBlock: number,
): Promise<StakeEvent[]> {
  const logs = await client.getLogs({
    address: minerStaking,
    event: event as Extract<(typeof minerStakingAbi)[number], { name: "ActiveStakeUpdated" }>,
    fromBlock: BigInt(fromBlock),
    toBlock: BigInt(toBlock),
    strict: true,
  });
  const out: StakeEvent[] = [];
  for (const log of logs) {
    if (log.blockNumber === null || log.logIndex === null) continue; // pending
    out.push({
      blockNumber: Number(log.blockNumber),
      logIndex: log.logIndex,
      operator: log.args.operator.toLowerCase() as Hex,
      stake: log.args.activeStake,
      timestamp: Number(log.args.timestamp),
    });
  }
  out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  return out;
}
