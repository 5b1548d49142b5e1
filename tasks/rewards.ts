import { readFileSync } from "node:fs";
import { Wallet, formatEther, getAddress, isAddress, isHexString, type Signer } from "ethers";
import { task } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { RewardsDistributor } from "../typechain-types";
import { readDeployment } from "../scripts/lib/deployments";

const TASK = "msn:claim";
const ORACLE_TIMEOUT_MS = 15_000;

interface ClaimArgs {
  proofFile?: string;
  oracleUrl?: string;
  account?: string;
  distributor?: string;
  stake: boolean;
}

/** What `msn:claim` did; returned to callers (tests, scripts) and printed. */
export interface ClaimResult {
  account: string;
  amount: bigint;
  staked: boolean;
  txHash: string;
}

interface ClaimData {
  account?: string;
  cumulativeAmount: bigint;
  proof: string[];
  /** From the oracle: a newer root still in its challenge window that lists the account. */
  pending?: { epoch: number; cumulativeAmount: bigint; claimableAt: number };
}

/** The read API's `pending` (a root in its challenge window), when well-formed. */
function parsePending(raw: unknown): ClaimData["pending"] {
  const p = raw as { epoch?: unknown; cumulativeAmount?: unknown; claimableAt?: unknown } | null | undefined;
  if (
    p == null ||
    !Number.isSafeInteger(p.epoch) ||
    typeof p.cumulativeAmount !== "string" ||
    !/^[0-9]+$/.test(p.cumulativeAmount) ||
    !Number.isSafeInteger(p.claimableAt)
  ) {
    return undefined;
  }
  return {
    epoch: p.epoch as number,
    cumulativeAmount: BigInt(p.cumulativeAmount),
    claimableAt: p.claimableAt as number,
  };
}

function fail(message: string): never {
  throw new HardhatPluginError(TASK, message);
}

/** Parses `{account?, cumulativeAmount, proof}` (the oracle's answer or a proof file); `source` names it in errors. */
export function parseClaimData(raw: unknown, source: string): ClaimData {
  if (typeof raw !== "object" || raw === null) fail(`${source}: expected a JSON object`);
  const obj = raw as Record<string, unknown>;
  const amount = obj.cumulativeAmount;
  if (
    !(typeof amount === "string" && /^[0-9]+$/.test(amount)) &&
    !(typeof amount === "number" && Number.isSafeInteger(amount) && amount >= 0)
  ) {
    fail(`${source}: cumulativeAmount must be a non-negative integer in wei (a decimal string)`);
  }
  const proof = obj.proof;
  if (!Array.isArray(proof) || !proof.every((p) => typeof p === "string" && isHexString(p, 32))) {
    fail(`${source}: proof must be an array of 32-byte hex strings`);
  }
  let account: string | undefined;
  if (obj.account !== undefined) {
    if (typeof obj.account !== "string" || !isAddress(obj.account))
      fail(`${source}: account is not an address`);
    account = getAddress(obj.account);
  }
  return { account, cumulativeAmount: BigInt(amount), proof: proof as string[] };
}

async function resolveSigner(hre: HardhatRuntimeEnvironment, account: string | undefined): Promise<Signer> {
  if (account !== undefined) {
    const signers = await hre.ethers.getSigners();
    if (/^[0-9]+$/.test(account)) {
      const signer = signers[Number(account)];
      if (!signer) fail(`--account ${account}: network "${hre.network.name}" has ${signers.length} accounts`);
      return signer;
    }
    if (!isAddress(account)) fail(`--account must be an account index or an address, got "${account}"`);
    const signer = signers.find((s) => s.address.toLowerCase() === account.toLowerCase());
    if (!signer) fail(`--account ${account} is not an account of network "${hre.network.name}"`);
    return signer;
  }
  const key = process.env.MINER_PRIVATE_KEY;
  if (!key) fail("no key: set MINER_PRIVATE_KEY or pass --account");
  try {
    return new Wallet(key.startsWith("0x") ? key : `0x${key}`, hre.ethers.provider);
  } catch {
    fail("MINER_PRIVATE_KEY is not a valid private key");
  }
}

async function fetchFromOracle(baseUrl: string, account: string): Promise<ClaimData> {
  const url = `${baseUrl.replace(/\/+$/, "")}/v1/rewards/${account}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(ORACLE_TIMEOUT_MS) });
  } catch (err) {
    fail(`oracle unreachable at ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (response.status === 404) fail(`the oracle has no rewards for ${account} (${url})`);
  if (!response.ok) fail(`oracle answered ${response.status} ${response.statusText} for ${url}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    fail(`oracle answer from ${url} is not JSON`);
  }
  const data = parseClaimData(body, `oracle answer from ${url}`);
  const pending = parsePending((body as { pending?: unknown }).pending);
  return { ...data, account, ...(pending ? { pending } : {}) };
}

function readProofFile(file: string): ClaimData {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    fail(`cannot read proof file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`proof file ${file} is not valid JSON`);
  }
  return parseClaimData(json, `proof file ${file}`);
}

function distributorAddress(hre: HardhatRuntimeEnvironment, explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (!isAddress(explicit)) fail(`--distributor is not an address: "${explicit}"`);
    return getAddress(explicit);
  }
  let address: string | undefined;
  try {
    address = readDeployment(hre.network.name).contracts.RewardsDistributor;
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}; or pass --distributor`);
  }
  if (!address) fail(`deployments/${hre.network.name}.json has no RewardsDistributor; pass --distributor`);
  return address;
}

/** Decodes a RewardsDistributor custom error from a failed call, for a one-line message. */
function describeRevert(distributor: RewardsDistributor, err: unknown): string {
  const data = (err as { data?: string } | undefined)?.data;
  if (typeof data === "string") {
    const parsed = distributor.interface.parseError(data);
    if (parsed) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(", ")})`;
  }
  return err instanceof Error ? err.message.split("\n")[0] : String(err);
}

export async function claimRewards(args: ClaimArgs, hre: HardhatRuntimeEnvironment): Promise<ClaimResult> {
  if ((args.proofFile === undefined) === (args.oracleUrl === undefined)) {
    fail("pass exactly one of --proof-file and --oracle-url");
  }
  const signer = await resolveSigner(hre, args.account);
  const signerAddress = await signer.getAddress();
  const data =
    args.proofFile !== undefined
      ? readProofFile(args.proofFile)
      : await fetchFromOracle(args.oracleUrl!, signerAddress);
  const account = data.account ?? signerAddress;
  if (args.stake && account !== signerAddress) {
    fail(`--stake claims for the signer ${signerAddress}, but the proof is for ${account}`);
  }

  const address = distributorAddress(hre, args.distributor);
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    fail(`no contract at ${address} on network "${hre.network.name}"`);
  }
  const distributor = (await hre.ethers.getContractAt(
    "RewardsDistributor",
    address,
    signer,
  )) as unknown as RewardsDistributor;

  const alreadyClaimed = await distributor.claimed(account);
  if (data.cumulativeAmount <= alreadyClaimed) {
    const p = data.pending;
    const later =
      p && p.cumulativeAmount > alreadyClaimed
        ? `; ${formatEther(p.cumulativeAmount - alreadyClaimed)} MSN more once epoch ${p.epoch}'s root is ` +
          `accepted (from ${new Date(p.claimableAt * 1000).toISOString()})`
        : "";
    fail(
      `nothing to claim: ${account} has claimed ${formatEther(alreadyClaimed)} MSN of a cumulative ` +
        `${formatEther(data.cumulativeAmount)} MSN${later}`,
    );
  }
  const send = args.stake
    ? () => distributor.claimAndStake(data.cumulativeAmount, data.proof)
    : () => distributor.claim(account, data.cumulativeAmount, data.proof);
  try {
    if (args.stake) await distributor.claimAndStake.staticCall(data.cumulativeAmount, data.proof);
    else await distributor.claim.staticCall(account, data.cumulativeAmount, data.proof);
  } catch (err) {
    fail(`the claim would revert: ${describeRevert(distributor, err)}`);
  }
  const receipt = await (await send()).wait();
  if (!receipt || receipt.status !== 1) fail("the claim transaction failed");
  let amount = 0n;
  for (const log of receipt.logs) {
    const parsed = distributor.interface.parseLog(log);
    if (parsed?.name === "Claimed") amount += parsed.args.amount as bigint;
  }
  console.log(
    `${args.stake ? "claimed and staked" : "claimed"} ${formatEther(amount)} MSN for ${account} ` +
      `(tx ${receipt.hash}, block ${receipt.blockNumber})`,
  );
  return { account, amount, staked: args.stake, txHash: receipt.hash };
}

task(TASK, "Claims MSN rewards from the RewardsDistributor, or claims and stakes them (--stake)")
  .addOptionalParam("proofFile", "JSON file with {cumulativeAmount, proof} and optionally account")
  .addOptionalParam("oracleUrl", "Base URL of the oracle read API (GET /v1/rewards/:account)")
  .addOptionalParam("account", "Hardhat account to sign with (index or address); default: MINER_PRIVATE_KEY")
  .addOptionalParam("distributor", "RewardsDistributor address; default: deployments/<network>.json")
  .addFlag("stake", "Stake the payout in MinerStaking in the same transaction (claims for the signer)")
  .setAction(async (args: ClaimArgs, hre) => claimRewards(args, hre));
