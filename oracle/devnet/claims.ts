/**
 * Every operator claims what the oracle's read API says it earned: with its own `claim`, with
 * `claimAndStake` (the payout goes straight into its stake), or through a relayer's `claimMany` (claims
 * are permissionless; tokens only ever go to the account). Balances and stakes are read before and after.
 */
import { decodeEventLog, type TransactionReceipt } from "viem";
import type { Hex } from "../src/lib/hex.js";
import { distributorAbi, stakingAbi, tokenAbi } from "./abi.js";
import { latestTimestamp, mapLimit, sendTx, type DevChain } from "./chain.js";
import type { RewardsAnswers } from "./observe.js";
import type { RewardsAnswer } from "./oracleHost.js";
import type { Fault } from "./options.js";
import { DevnetError } from "./processes.js";
import type { Bar } from "./progress.js";
import type { ClaimRecord } from "./record.js";
import type { EpochBundle } from "../src/epoch/index.js";
import type { SimOperator, World } from "./world.js";

/** Accounts per relayed `claimMany` transaction. */
const RELAY_BATCH = 20;

interface ClaimPlan {
  op: SimOperator;
  /** What the read API says now: the operator's cumulative amount, owed in full. */
  due: RewardsAnswer;
  /** What is claimed: `due`, except under --fault wrong-claim. */
  use: RewardsAnswer;
}

export interface ClaimsInput {
  world: World;
  /** The read API's answers now (after the last root was accepted). */
  current: RewardsAnswers;
  /**
   * The read API's answers right after the last epoch's job, when the epoch before it was the accepted one
   * (for --fault wrong-claim: a proof against what is now the previous root).
   */
  previous: RewardsAnswers | undefined;
  lastBundle: EpochBundle;
  fault: Fault | undefined;
}

/** Who claims what: every operator with a cumulative amount, minus or plus the injected fault. */
export function planClaims(input: ClaimsInput): ClaimPlan[] {
  let plans: ClaimPlan[] = input.world.operators
    .filter((op) => (input.current.get(op.address)?.cumulativeAmount ?? 0n) > 0n)
    .map((op) => ({ op, due: input.current.get(op.address)!, use: input.current.get(op.address)! }));
  if (input.fault === "skip-claim") plans = plans.slice(1);
  if (input.fault === "wrong-claim") {
    // A stale proof: valid against the previous root (the distributor accepts it), short of the leaf.
    const previous = input.previous;
    const victim = plans.find((p) => {
      const old = previous?.get(p.op.address);
      return (
        p.op.claimMode === "claim" &&
        old !== undefined &&
        old.cumulativeAmount > 0n &&
        old.cumulativeAmount < p.due.cumulativeAmount
      );
    });
    if (!victim) throw new DevnetError("--fault wrong-claim: no operator earned less in the previous epoch");
    victim.use = previous!.get(victim.op.address)!;
  }
  return plans;
}

async function stakeAndBalance(
  dc: DevChain,
  account: Hex,
  t: number,
): Promise<{ stake: bigint; balance: bigint }> {
  const [stake, balance] = await Promise.all([
    dc.client.readContract({
      address: dc.contracts.staking,
      abi: stakingAbi,
      functionName: "stakeAt",
      args: [account, BigInt(t)],
    }),
    dc.client.readContract({
      address: dc.contracts.token,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [account],
    }),
  ]);
  return { stake, balance };
}

/** Σ of the `Claimed` events of the distributor in `receipt`, by account. */
function addClaimed(dc: DevChain, receipt: TransactionReceipt, into: Map<string, bigint>): void {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== dc.contracts.distributor.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: distributorAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "Claimed") {
        const who = ev.args.account.toLowerCase();
        into.set(who, (into.get(who) ?? 0n) + ev.args.amount);
      }
    } catch {
      // another event of the distributor
    }
  }
}

export async function claimAll(
  dc: DevChain,
  input: ClaimsInput,
  bar: (total: number) => Bar,
): Promise<{ claims: ClaimRecord[]; detail: string }> {
  const plans = planClaims(input);
  const { distributor } = dc.contracts;
  const before = new Map<string, { stake: bigint; balance: bigint }>();
  const t0 = await latestTimestamp(dc);
  await mapLimit(plans, 16, async (p) => {
    before.set(p.op.address, await stakeAndBalance(dc, p.op.address, t0));
  });

  const progress = bar(plans.length);
  const paid = new Map<string, bigint>();
  const own = plans.filter((p) => p.op.claimMode !== "relayer");
  await mapLimit(own, 8, async (p) => {
    const wallet = dc.wallet(p.op.key);
    const receipt =
      p.op.claimMode === "claimAndStake"
        ? await sendTx(dc, `claimAndStake by operator ${p.op.index}`, () =>
            wallet.writeContract({
              address: distributor,
              abi: distributorAbi,
              functionName: "claimAndStake",
              args: [p.use.cumulativeAmount, p.use.proof],
            }),
          )
        : await sendTx(dc, `claim by operator ${p.op.index}`, () =>
            wallet.writeContract({
              address: distributor,
              abi: distributorAbi,
              functionName: "claim",
              args: [p.op.address, p.use.cumulativeAmount, p.use.proof],
            }),
          );
    addClaimed(dc, receipt, paid);
    progress.increment();
  });
  const relayed = plans.filter((p) => p.op.claimMode === "relayer");
  const relayer = dc.wallet(input.world.relayer.key);
  for (let i = 0; i < relayed.length; i += RELAY_BATCH) {
    const chunk = relayed.slice(i, i + RELAY_BATCH);
    const receipt = await sendTx(dc, `claimMany by the relayer (${chunk.length} operators)`, () =>
      relayer.writeContract({
        address: distributor,
        abi: distributorAbi,
        functionName: "claimMany",
        args: [
          chunk.map((p) => ({
            account: p.op.address,
            cumulativeAmount: p.use.cumulativeAmount,
            proof: p.use.proof,
          })),
        ],
      }),
    );
    addClaimed(dc, receipt, paid);
    progress.increment(chunk.length);
  }
  const detail =
    `${own.filter((p) => p.op.claimMode === "claim").length} claimed, ` +
    `${own.filter((p) => p.op.claimMode === "claimAndStake").length} claimed and staked, ` +
    `${relayed.length} through the relayer in ${Math.ceil(relayed.length / RELAY_BATCH)} transaction(s)`;
  progress.stop(detail);

  const t1 = await latestTimestamp(dc);
  const claims = await mapLimit(plans, 16, async (p): Promise<ClaimRecord> => {
    const a = p.op.address;
    const [{ stake, balance }, claimedOnChain] = await Promise.all([
      stakeAndBalance(dc, a, t1),
      dc.client.readContract({
        address: distributor,
        abi: distributorAbi,
        functionName: "claimed",
        args: [a],
      }),
    ]);
    return {
      operator: a,
      mode: p.op.claimMode,
      paid: paid.get(a) ?? 0n,
      claimedOnChain,
      readApiCumulative: p.due.cumulativeAmount,
      bundleCumulative: input.lastBundle.operators.find((r) => r.operator === a)?.cumulative ?? 0n,
      stakeBefore: before.get(a)!.stake,
      stakeAfter: stake,
      balanceBefore: before.get(a)!.balance,
      balanceAfter: balance,
    };
  });
  return { claims, detail };
}
