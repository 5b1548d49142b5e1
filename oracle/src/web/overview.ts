/**
 * What the web app (and anyone else) shows about the network as a whole: the epoch clock, this year's
 * emission, total stake and the newest root. Read from the chain, cached for `chainCacheMs` so that many
 * open pages cost a handful of RPC calls.
 */
import type { PublicClient } from "viem";
import { emissionMinterAbi, minerStakingAbi, rewardsDistributorAbi } from "../chain/abi.js";
import type { AppContext } from "../context.js";
import type { Hex } from "../lib/hex.js";
import { ApiError } from "../lib/errors.js";
import { readEpochRoot, readNextEpochs } from "../epochJob/publish.js";
import type { NetworkOverview } from "./types.js";

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
  private cache: { at: number; value: Promise<NetworkOverview> } | undefined;

  constructor(private readonly ctx: AppContext) {}

  private requireChain(): { chain: PublicClient; minter: Hex; staking: Hex; distributor: Hex } {
    const { chain, runtime } = this.ctx;
    if (
      chain === undefined ||
      runtime.emissionMinter === undefined ||
      runtime.rewardsDistributor === undefined
    ) {
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
      distributor: runtime.rewardsDistributor,
    };
  }

  overview(): Promise<NetworkOverview> {
    const ttl = this.ctx.config.chainCacheMs;
    if (this.cache !== undefined && Date.now() - this.cache.at < ttl) return this.cache.value;
    const fresh = { at: Date.now(), value: this.load() };
    fresh.value.catch(() => {
      if (this.cache === fresh) this.cache = undefined; // a failed read is not cached
    });
    this.cache = fresh;
    return fresh.value;
  }

  private async load(): Promise<NetworkOverview> {
    const { chain, minter, staking, distributor } = this.requireChain();
    const { epochs } = this.ctx;
    const now = this.ctx.clock();
    const current = Math.max(0, epochs.epochAt(now));
    const { year, yearStart } = scheduleYear(now, epochs.genesisTime);
    const inSchedule = year !== null && year < SCHEDULE_YEARS;
    const [rate, budget, emittedNow, emittedAtYearStart, totalMinted, totalActive, totalUnbonding, next] =
      await Promise.all([
        inSchedule
          ? chain.readContract({
              address: minter,
              abi: emissionMinterAbi,
              functionName: "rateBps",
              args: [BigInt(year)],
            })
          : 0n,
        inSchedule
          ? chain.readContract({
              address: minter,
              abi: emissionMinterAbi,
              functionName: "yearBudget",
              args: [BigInt(year)],
            })
          : 0n,
        chain.readContract({
          address: minter,
          abi: emissionMinterAbi,
          functionName: "emitted",
          args: [BigInt(now)],
        }),
        chain.readContract({
          address: minter,
          abi: emissionMinterAbi,
          functionName: "emitted",
          args: [BigInt(yearStart)],
        }),
        chain.readContract({ address: minter, abi: emissionMinterAbi, functionName: "totalMinted" }),
        chain.readContract({ address: staking, abi: minerStakingAbi, functionName: "totalActiveStake" }),
        chain.readContract({ address: staking, abi: minerStakingAbi, functionName: "totalUnbonding" }),
        readNextEpochs(chain, distributor),
      ]);
    const newest = next.nextToPropose - 1;
    let lastRoot: NetworkOverview["lastRoot"] = null;
    if (newest >= 0) {
      const info = await readEpochRoot(chain, distributor, newest);
      lastRoot = {
        epoch: newest,
        status: info.status,
        root: info.root,
        total: info.total.toString(),
        claimableAt: info.claimableAt,
      };
    }
    const [acceptedEpoch, acceptedRoot] = await chain.readContract({
      address: distributor,
      abi: rewardsDistributorAbi,
      functionName: "currentRoot",
    });
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
      lastRoot,
      acceptedEpoch: /^0x0+$/.test(acceptedRoot) ? null : Number(acceptedEpoch),
    };
  }
}
