import type { PublicClient } from "viem";
import type { Hex } from "../lib/hex.js";
import { minerStakingAbi } from "./abi.js";

export interface NodeEvent {
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
  node: Hex;
  operator: Hex;
  registered: boolean;
}

const events = minerStakingAbi.filter((x) => x.type === "event");

/** `NodeRegistered` / `NodeDeregistered` logs of `minerStaking` in [fromBlock, toBlock], in chain order. */
export async function fetchNodeEvents(
  client: PublicClient,
  minerStaking: Hex,
  fromBlock: number,
  toBlock: number,
): Promise<NodeEvent[]> {
  const logs = await client.getLogs({
    address: minerStaking,
    events,
    fromBlock: BigInt(fromBlock),
    toBlock: BigInt(toBlock),
    strict: true,
  });
  const out: NodeEvent[] = [];
  for (const log of logs) {
    if (log.blockNumber === null || log.logIndex === null || log.transactionHash === null) continue; // pending
    if (log.eventName !== "NodeRegistered" && log.eventName !== "NodeDeregistered") continue;
    const args = log.args as { node: Hex; operator: Hex };
    out.push({
      blockNumber: Number(log.blockNumber),
      logIndex: log.logIndex,
      txHash: log.transactionHash,
      node: args.node.toLowerCase() as Hex,
      operator: args.operator.toLowerCase() as Hex,
      registered: log.eventName === "NodeRegistered",
    });
  }
  out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  return out;
}
