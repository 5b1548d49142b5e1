/**
 * The SPEC §4 stake boost, computed exactly as `IMinerStaking.boostBps` computes it on chain:
 * `10000 + (maxBoostBps - 10000) * min(s, full * n) / (full * n)` with floor division, and 10000 when
 * n = 0 (an operator without nodes that carried traffic gets no boost and no reward anyway).
 */
import { EpochInputError, MAX_UINT256 } from "./encoding.js";

/** 1x in basis points. */
export const BPS = 10_000n;

/** Boost parameters in effect at the stake snapshot (`boostParamsAt(epochEnd - 1)`). */
export interface BoostParams {
  /** Boost at full stake, in basis points (20000 = 2x). At least 10000. */
  maxBoostBps: bigint;
  /** Stake (wei) per node with traffic that earns the full boost. Greater than 0. */
  fullStakePerNode: bigint;
}

/** Throws unless the parameters are ones the chain can hold and evaluate. */
export function checkBoostParams(params: BoostParams): void {
  const { maxBoostBps, fullStakePerNode } = params;
  if (typeof maxBoostBps !== "bigint" || maxBoostBps < BPS || maxBoostBps > MAX_UINT256) {
    throw new EpochInputError(
      `boost params: maxBoostBps must be a bigint >= 10000, got ${String(maxBoostBps)}`,
    );
  }
  if (typeof fullStakePerNode !== "bigint" || fullStakePerNode <= 0n || fullStakePerNode > MAX_UINT256) {
    throw new EpochInputError(
      `boost params: fullStakePerNode must be a bigint > 0, got ${String(fullStakePerNode)}`,
    );
  }
}

/**
 * Boost in basis points for an operator with stake `stake` (wei, at the snapshot) and `nodeCount` nodes
 * that carried traffic in the epoch. Pure integer arithmetic, identical to the on-chain view.
 */
export function boostBps(stake: bigint, nodeCount: bigint | number, params: BoostParams): bigint {
  checkBoostParams(params);
  if (typeof stake !== "bigint" || stake < 0n)
    throw new EpochInputError(`boostBps: stake must be a bigint >= 0`);
  const n = typeof nodeCount === "bigint" ? nodeCount : BigInt(nodeCount);
  if (n < 0n) throw new EpochInputError(`boostBps: nodeCount must be >= 0, got ${n}`);
  if (n === 0n) return BPS;
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    // Beyond any real node count; evaluate the formula literally.
    const full = params.fullStakePerNode * n;
    return BPS + ((params.maxBoostBps - BPS) * (stake < full ? stake : full)) / full;
  }
  return boostBpsUnchecked(stake, Number(n), params.maxBoostBps, params.fullStakePerNode);
}

/** {@link boostBps} without argument checks, for hot loops whose inputs were validated once. */
export function boostBpsUnchecked(
  stake: bigint,
  n: number,
  maxBoostBps: bigint,
  fullStakePerNode: bigint,
): bigint {
  if (n === 0 || stake === 0n) return BPS;
  const full = n === 1 ? fullStakePerNode : fullStakePerNode * BigInt(n);
  if (stake >= full) return maxBoostBps;
  return BPS + ((maxBoostBps - BPS) * stake) / full;
}
