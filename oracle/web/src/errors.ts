/**
 * Turns whatever a wallet or a contract call threw into one sentence a miner can act on: wallet refusals by
 * their EIP-1193 code, contract reverts by their custom error (decoded against every error the MSN contracts
 * declare) with the amounts in MSN. Pure: the page passes the error ABI it was built with.
 */
import { decodeErrorResult, type Abi } from "viem";
import { formatDuration, formatMsn, formatTime, InputError } from "./format.js";

type Args = readonly unknown[];
const msn = (v: unknown) => `${formatMsn(v as bigint)} MSN`;
const when = (t: unknown, now: unknown) => {
  const at = Number(t as bigint);
  const left = at - Number(now as bigint);
  return left > 0 ? `${formatTime(at)} (in ${formatDuration(left)})` : formatTime(at);
};

/** The MSN contracts' custom errors a miner can run into, in words. Others are named as they are. */
const REVERTS: Record<string, (a: Args) => string> = {
  // MinerStaking
  StakingZeroAmount: () => "The amount must be more than 0 MSN.",
  StakingZeroAddress: () => "The zero address cannot stake or be staked for.",
  StakingInsufficientActiveStake: (a) =>
    `You asked to unstake ${msn(a[2])}, but only ${msn(a[1])} is actively staked.`,
  StakingNothingUnbonding: () => "Nothing is unbonding for this account: request an unstake first.",
  StakingUnbondingNotMatured: (a) =>
    `Nothing is withdrawable yet: your unbonding stake is released at ${when(a[1], a[2])}.`,
  StakingSignatureExpired: (a) =>
    `The signature expired at ${formatTime(Number(a[0] as bigint))}: try again.`,
  StakingNodeAlreadyRegistered: (a) => `Node ${String(a[0])} is already registered to ${String(a[1])}.`,
  StakingNotNodeOperator: (a) => `Node ${String(a[0])} is not registered to you.`,
  StakingFutureLookup: () => "The chain has not reached that time yet.",
  // RewardsDistributor
  RewardsPaused: () => "Claims are paused by the guardian for now: try again later.",
  RewardsNoRoot: () => "No rewards root has been accepted on chain yet: nothing can be claimed.",
  RewardsNothingToClaim: (a) =>
    `Nothing to claim: all ${msn(a[1])} of this proof have already been claimed (claimed ${msn(a[2])}).`,
  RewardsInvalidProof: (a) =>
    `The proof for ${msn(a[1])} matches neither the current nor the previous root: reload the page for the oracle's latest proof.`,
  RewardsChallengeWindowActive: (a) =>
    `The root of epoch ${String(a[0])} is still in its challenge window until ${formatTime(Number(a[1] as bigint))}.`,
  RewardsExpiredSignature: (a) =>
    `The signature expired at ${formatTime(Number(a[0] as bigint))}: try again.`,
  RewardsInvalidSignature: (a) => `The signature is not ${String(a[0])}'s.`,
  // MSNToken (OpenZeppelin ERC-20 and permit)
  ERC20InsufficientBalance: (a) => `Your wallet holds ${msn(a[1])}; this needs ${msn(a[2])}.`,
  ERC20InsufficientAllowance: (a) =>
    `The staking contract may spend only ${msn(a[1])} of your MSN; this needs ${msn(a[2])}: approve first (or use a permit).`,
  ERC2612ExpiredSignature: (a) =>
    `The permit expired at ${formatTime(Number(a[0] as bigint))}: sign a new one.`,
  ERC2612InvalidSigner: () =>
    "The permit was not signed by this account: sign it again from the connected account.",
  Error: (a) => `The contract refused: ${String(a[0])}.`,
};

/** The custom errors explained in words (tests check each is one the contracts declare). */
export const EXPLAINED_ERRORS: readonly string[] = Object.keys(REVERTS);

/** EIP-1193 and common wallet error codes. */
const WALLET_CODES: Record<number, string> = {
  4001: "You rejected the request in your wallet: nothing was sent.",
  4100: "The wallet has not authorised this site for that account: connect again.",
  4200: "The wallet does not support this request.",
  4900: "The wallet is disconnected from every chain.",
  4901: "The wallet is not connected to this chain.",
  4902: "The wallet does not know this chain: add it in the wallet.",
  [-32002]: "Your wallet already has a request from this page open: answer it in the wallet first.",
};

interface Walkable {
  code?: unknown;
  data?: unknown;
  raw?: unknown;
  cause?: unknown;
  errorName?: unknown;
  shortMessage?: unknown;
  message?: unknown;
  details?: unknown;
}

function chain(err: unknown): Walkable[] {
  const out: Walkable[] = [];
  let e: unknown = err;
  for (let i = 0; i < 12 && e !== null && typeof e === "object" && !out.includes(e as Walkable); i++) {
    out.push(e as Walkable);
    e = (e as Walkable).cause;
  }
  return out;
}

function isRevertData(v: unknown): v is `0x${string}` {
  return typeof v === "string" && /^0x[0-9a-fA-F]{8}([0-9a-fA-F]{64})*$/.test(v);
}

/** Revert data anywhere in the cause chain (viem's `raw`, an RPC error's `data` or `data.data`). */
export function findRevertData(err: unknown): `0x${string}` | undefined {
  for (const e of chain(err)) {
    for (const v of [e.raw, e.data, (e.data as { data?: unknown } | undefined)?.data]) {
      if (isRevertData(v)) return v;
    }
  }
  return undefined;
}

/** In words: what the contract said when it reverted with `name(args)`. */
export function explainRevert(name: string, args: Args): string {
  const words = REVERTS[name];
  if (words) return words(args);
  const shown = args.map((a) => (typeof a === "bigint" ? a.toString() : String(a))).join(", ");
  return `The contract refused: ${name}(${shown}).`;
}

/** One sentence for anything a wallet request or a contract call threw. */
export function describeError(err: unknown, errorAbi: Abi): string {
  if (err instanceof InputError) return `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`;
  const links = chain(err);
  const data = findRevertData(err);
  if (data !== undefined) {
    try {
      const decoded = decodeErrorResult({ abi: errorAbi, data });
      return explainRevert(decoded.errorName, (decoded.args ?? []) as Args);
    } catch {
      return `The contract refused with an unknown error ${data.slice(0, 10)}.`;
    }
  }
  for (const e of links) {
    if (typeof e.code === "number" && WALLET_CODES[e.code] !== undefined) return WALLET_CODES[e.code]!;
  }
  for (const e of links) {
    if (typeof e.errorName === "string" && e.errorName !== "") return explainRevert(e.errorName, []);
  }
  const text = links.map((e) => e.shortMessage).find((m) => typeof m === "string") ?? links[0]?.message;
  if (typeof text === "string" && /user (rejected|denied)/i.test(text)) return WALLET_CODES[4001]!;
  if (typeof text === "string" && text !== "") return text.split("\n")[0]!;
  return String(err);
}
