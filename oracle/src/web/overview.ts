/**
 * What the web app (and anyone else) shows about the network as a whole: the epoch clock, this year's
 * emission, total stake and the newest root. Read from the chain, cached for `chainCacheMs` so that many
 * open pages cost a handful of RPC calls.
 */
import type { PublicClient } from "viem";
import { emissionMinterAbi, minerStakingAbi } from "../chain/abi.js";
import type { AppContext } from "../context.js";
import type { DistributorView } from "../epochJob/chainView.js";
import type { NetworkOverviewJson as NetworkOverview } from "../http/schemas.js";
import { ApiError } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import { reuseOrLoad, type Cached } from "../lib/ttlCache.js";

export type { NetworkOverview };

/** EmissionMinter.YEAR: the schedule's year is 365 days from the genesis time. */
export const YEAR_SECONDS = 365 * 86_400;
/** EmissionMinter's schedule length: nothing is minted after year 10. */
export const SCHEDULE_YEARS = 10;

/** The pure part: which schedule year `now` falls in and where that year starts. */
export function scheduleYear(now: number, genesisTime: number): { year: number | null; yearStart: number } {
  if (now < genesisTime) return { year: null, yearStart: genesisTime };
  const year = Math.floor((now - genesisTime) / YEAR_SECONDS);
  return { year, yearStart: genesisTime + year * YEAR_SECONDS };
}

export class OverviewService {
  private cache: Cached<NetworkOverview> | undefined;

  /** `distributor`: the view the read API's routes share (undefined without a chain or distributor). */
  constructor(
    private readonly ctx: AppContext,
    private readonly distributor: DistributorView | undefined,
  ) {}

  private requireChain(): { chain: PublicClient; minter: Hex; staking: Hex; distributor: DistributorView } {
    const { chain, runtime } = this.ctx;
    if (chain === undefined || runtime.emissionMinter === undefined || this.distributor === undefined) {
      throw new ApiError(
        503,
        "no_chain",
        "the network overview needs RPC_URL and the deployment's EmissionMinter and RewardsDistributor",
        { expose: true },
      );
    }
    return {
      chain,
      minter: runtime.emissionMinter,
      staking: runtime.minerStaking,
      distributor: this.distributor,
    };
  }

  overview(): Promise<NetworkOverview> {
    this.cache = reuseOrLoad(this.cache, this.ctx.config.chainCacheMs, () => this.load());
    return this.cache.value;
  }

  private async load(): Promise<NetworkOverview> {
    const { chain, minter, staking, distributor } = this.requireChain();
    const { epochs } = this.ctx;
    const now = this.ctx.clock();
    const current = Math.max(0, epochs.epochAt(now));
    const { year, yearStart } = scheduleYear(now, epochs.genesisTime);
    const inSchedule = year !== null && year < SCHEDULE_YEARS;
    const minterRead = (functionName: "rateBps" | "yearBudget" | "emitted", arg: number): Promise<bigint> =>
      chain.readContract({ address: minter, abi: emissionMinterAbi, functionName, args: [BigInt(arg)] });
    const [rate, budget, emittedNow, emittedAtYearStart, totalMinted, totalActive, totalUnbonding, state] =
      await Promise.all([
        inSchedule ? minterRead("rateBps", year) : 0n,
        inSchedule ? minterRead("yearBudget", year) : 0n,
        minterRead("emitted", now),
        minterRead("emitted", yearStart),
        chain.readContract({ address: minter, abi: emissionMinterAbi, functionName: "totalMinted" }),
        chain.readContract({ address: staking, abi: minerStakingAbi, functionName: "totalActiveStake" }),
        chain.readContract({ address: staking, abi: minerStakingAbi, functionName: "totalUnbonding" }),
        distributor.state(),
      ]);
    const newest = state.nextToPropose - 1;
    const info = newest >= 0 ? await distributor.epochRoot(newest) : undefined;
    return {
      now,
      epoch: {
        current,
        start: epochs.epochStart(current),
        end: epochs.epochEnd(current),
        length: epochs.epochLength,
        genesisTime: epochs.genesisTime,
      },
      emission: {
        year,
        rateBps: Number(rate),
        yearBudget: budget.toString(),
        emittedThisYear: (emittedNow - emittedAtYearStart).toString(),
        totalMinted: totalMinted.toString(),
      },
      staking: { totalActive: totalActive.toString(), totalUnbonding: totalUnbonding.toString() },
      lastRoot:
        info === undefined
          ? null
          : {
              epoch: newest,
              status: info.status,
              root: info.root,
              total: info.total.toString(),
              claimableAt: info.claimableAt,
            },
      acceptedEpoch: state.current?.epoch ?? null,
    };
  }
}
