import type { PublicClient } from "viem";

/**
 * The number of the last block whose timestamp is <= `t` (block timestamps never decrease), searched by
 * bisection between `low` and `high` (inclusive; `high` must be a block whose timestamp is > `t`, e.g. a head
 * past the epoch end). -1 if even `low` is after `t`. About log2(high − low) `eth_getBlockByNumber` calls.
 */
export async function findBlockAtTime(
  client: PublicClient,
  t: number,
  low: number,
  high: number,
): Promise<number> {
  const timeOf = async (n: number) => Number((await client.getBlock({ blockNumber: BigInt(n) })).timestamp);
  if ((await timeOf(low)) > t) return low === 0 ? -1 : findBlockAtTime(client, t, 0, low);
  // Invariant: time(lo) <= t < time(hi).
  let lo = low;
  let hi = high;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if ((await timeOf(mid)) <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}
