import type { PublicClient } from "viem";
import { rewardsDistributorAbi } from "../chain/abi.js";
import type { Hash } from "../epoch/index.js";
import type { Hex } from "../lib/hex.js";
import { reuseOrLoad, type Cached } from "../lib/ttlCache.js";
import { readEpochRoot, readNextEpochs, type OnChainRoot } from "./publish.js";

export interface DistributorState {
  /** The latest accepted root (claims prove against it), or undefined before the first acceptance. */
  current: { epoch: number; root: Hash } | undefined;
  nextToPropose: number;
  nextToAccept: number;
}

const MAX_CLAIMED_ENTRIES = 10_000;

/**
 * The distributor's state for the read API and the web app, cached for `ttlMs` (a few seconds: a claim or a new root shows up
 * that much later at most), so that a burst of wallet requests costs a handful of RPC calls.
 */
export class DistributorView {
  private stateCache: Cached<DistributorState> | undefined;
  private readonly roots = new Map<number, Cached<OnChainRoot>>();
  private readonly claimedCache = new Map<string, Cached<bigint>>();
  private tokenCache: Cached<Hex> | undefined;
  private windowCache: Cached<number> | undefined;

  constructor(
    private readonly chain: PublicClient,
    private readonly distributor: Hex,
    private readonly ttlMs = 3000,
  ) {}

  private cached<T>(entry: Cached<T> | undefined, load: () => Promise<T>): Cached<T> {
    return reuseOrLoad(entry, this.ttlMs, load);
  }

  /** The token it pays out (immutable: read once). */
  token(): Promise<Hex> {
    this.tokenCache = reuseOrLoad(this.tokenCache, Infinity, async () => {
      const token = await this.chain.readContract({
        address: this.distributor,
        abi: rewardsDistributorAbi,
        functionName: "TOKEN",
      });
      return token.toLowerCase() as Hex;
    });
    return this.tokenCache.value;
  }

  /** Seconds a proposed root waits before it can be accepted (governance may change it). */
  challengeWindow(): Promise<number> {
    this.windowCache = this.cached(this.windowCache, async () =>
      Number(
        await this.chain.readContract({
          address: this.distributor,
          abi: rewardsDistributorAbi,
          functionName: "challengeWindow",
        }),
      ),
    );
    return this.windowCache.value;
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
