import type { PublicClient } from "viem";
import { rewardsDistributorAbi } from "../chain/abi.js";
import type { Hash } from "../epoch/index.js";
import type { Hex } from "../lib/hex.js";
import { readEpochRoot, readNextEpochs, type OnChainRoot } from "./publish.js";

export interface DistributorState {
  /** The latest accepted root (claims prove against it), or undefined before the first acceptance. */
  current: { epoch: number; root: Hash } | undefined;
  nextToPropose: number;
  nextToAccept: number;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

const MAX_CLAIMED_ENTRIES = 10_000;

/**
 * The distributor's state for the read API, cached for `ttlMs` (a few seconds: a claim or a new root shows up
 * that much later at most), so that a burst of wallet requests costs a handful of RPC calls.
 */
export class DistributorView {
  private stateCache: Cached<DistributorState> | undefined;
  private readonly roots = new Map<number, Cached<OnChainRoot>>();
  private readonly claimedCache = new Map<string, Cached<bigint>>();

  constructor(
    private readonly chain: PublicClient,
    private readonly distributor: Hex,
    private readonly ttlMs = 3000,
  ) {}

  private cached<T>(entry: Cached<T> | undefined, load: () => Promise<T>): Cached<T> {
    if (entry !== undefined && Date.now() - entry.at < this.ttlMs) return entry;
    const fresh = { at: Date.now(), value: load() };
    // A failed read is not cached.
    fresh.value.catch(() => {
      fresh.at = 0;
    });
    return fresh;
  }

  state(): Promise<DistributorState> {
    this.stateCache = this.cached(this.stateCache, async () => {
      const [next, current] = await Promise.all([
        readNextEpochs(this.chain, this.distributor),
        this.chain.readContract({
          address: this.distributor,
          abi: rewardsDistributorAbi,
          functionName: "currentRoot",
        }),
      ]);
      const [epoch, root] = current;
      return {
        current: /^0x0+$/.test(root) ? undefined : { epoch: Number(epoch), root: root.toLowerCase() as Hash },
        ...next,
      };
    });
    return this.stateCache.value;
  }

  epochRoot(epoch: number): Promise<OnChainRoot> {
    const entry = this.cached(this.roots.get(epoch), () =>
      readEpochRoot(this.chain, this.distributor, epoch),
    );
    this.roots.set(epoch, entry);
    return entry.value;
  }

  claimed(account: Hex): Promise<bigint> {
    const key = account.toLowerCase();
    if (this.claimedCache.size > MAX_CLAIMED_ENTRIES) this.claimedCache.clear();
    const entry = this.cached(this.claimedCache.get(key), () =>
      this.chain.readContract({
        address: this.distributor,
        abi: rewardsDistributorAbi,
        functionName: "claimed",
        args: [account],
      }),
    );
    this.claimedCache.set(key, entry);
    return entry.value;
  }
}
