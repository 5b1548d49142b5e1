import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { id, type TypedDataDomain } from "ethers";
import { ethers } from "hardhat";

import { rewardsDomain, signEpochRoot, type TypedDataSigner } from "../../scripts/lib/rewards";
import type { EmissionMinter, MinerStaking, MSNToken, RewardsDistributor } from "../../typechain-types";

export const MSN = 10n ** 18n;
export const DAY = 86_400n;
export const CHALLENGE_WINDOW = 6n * 3_600n;
export const GENESIS_SUPPLY = 100_000_000n * MSN;

export type RewardsTree = StandardMerkleTree<[string, bigint]>;

export interface RewardsDeployment {
  token: MSNToken;
  minter: EmissionMinter;
  staking: MinerStaking;
  distributor: RewardsDistributor;
  admin: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  /** The oracle set (threshold 1). */
  oracles: HardhatEthersSigner[];
  /** Miners: accounts that earn rewards. */
  users: HardhatEthersSigner[];
  /** Someone with no role at all. */
  stranger: HardhatEthersSigner;
  domain: TypedDataDomain;
  genesisTime: bigint;
}

/**
 * The real MSNToken (genesis to a treasury) and EmissionMinter (minting to the distributor), MinerStaking,
 * and a RewardsDistributor with three oracles, threshold 1 and a 6-hour challenge window. The emission
 * minter is set after deployment (it needs the distributor's address), as the deploy script does.
 */
export async function rewardsFixture(): Promise<RewardsDeployment> {
  const signers = await ethers.getSigners();
  const [admin, guardian, treasury, relayer, o1, o2, o3, stranger, ...rest] = signers;
  const users = rest.slice(0, 6);
  const token = await ethers.deployContract("MSNToken", [
    [treasury.address],
    [GENESIS_SUPPLY],
    admin.address,
  ]);
  const staking = await ethers.deployContract("MinerStaking", [
    await token.getAddress(),
    admin.address,
    treasury.address,
    7n * DAY,
    20_000n,
    1_000n * MSN,
    5_000n,
  ]);
  const distributor = await ethers.deployContract("RewardsDistributor", [
    await token.getAddress(),
    await staking.getAddress(),
    ethers.ZeroAddress,
    admin.address,
    guardian.address,
    [o1.address, o2.address, o3.address],
    1,
    CHALLENGE_WINDOW,
  ]);
  const genesisTime = BigInt(await time.latest()) + 60n;
  const minter = await ethers.deployContract("EmissionMinter", [
    await token.getAddress(),
    await distributor.getAddress(),
    genesisTime,
    DAY,
  ]);
  await token.connect(admin).setMinter(await minter.getAddress());
  await distributor.connect(admin).setEmissionMinter(await minter.getAddress());
  const domain = rewardsDomain((await ethers.provider.getNetwork()).chainId, await distributor.getAddress());
  return {
    token,
    minter,
    staking,
    distributor,
    admin,
    guardian,
    treasury,
    relayer,
    oracles: [o1, o2, o3],
    users,
    stranger,
    domain,
    genesisTime,
  };
}

/** Deposits `amount` from the treasury through `fund`. */
export async function fundFromTreasury(d: RewardsDeployment, amount: bigint): Promise<void> {
  await d.token.connect(d.treasury).approve(await d.distributor.getAddress(), amount);
  await d.distributor.connect(d.treasury).fund(amount);
}

/** A cumulative rewards tree over (account, cumulativeAmount) leaves, OpenZeppelin's standard format. */
export function rewardsTree(entries: Iterable<[string, bigint]>): RewardsTree {
  return StandardMerkleTree.of([...entries], ["address", "uint256"]);
}

/** The sum of all cumulative amounts in the tree. */
export function treeTotal(tree: RewardsTree): bigint {
  let total = 0n;
  for (const [, [, amount]] of tree.entries()) total += amount;
  return total;
}

/** The leaf of `account` and its proof. */
export function leafOf(tree: RewardsTree, account: string): { cumulativeAmount: bigint; proof: string[] } {
  for (const [i, [a, amount]] of tree.entries()) {
    if (a.toLowerCase() === account.toLowerCase())
      return { cumulativeAmount: amount, proof: tree.getProof(i) };
  }
  throw new Error(`${account} is not in the tree`);
}

export function bundleHash(epoch: bigint | number): string {
  return id(`epoch-bundle-${epoch}`);
}

export interface ProposeOptions {
  signers?: TypedDataSigner[];
  dataHash?: string;
  total?: bigint;
}

/** Proposes `tree` (or a raw root) for `epoch`, signed by the first oracle unless told otherwise. */
export async function proposeTree(
  d: RewardsDeployment,
  epoch: bigint | number,
  tree: RewardsTree | string,
  options: ProposeOptions = {},
) {
  const root = typeof tree === "string" ? tree : tree.root;
  const total = options.total ?? (typeof tree === "string" ? 0n : treeTotal(tree));
  const dataHash = options.dataHash ?? bundleHash(epoch);
  const signatures = await signEpochRoot(options.signers ?? [d.oracles[0]], d.domain, {
    epoch,
    root,
    total,
    dataHash,
  });
  return d.distributor.connect(d.relayer).proposeRoot(epoch, root, total, dataHash, signatures);
}

/** Proposes, waits out the challenge window and accepts. */
export async function proposeAndAccept(
  d: RewardsDeployment,
  epoch: bigint | number,
  tree: RewardsTree,
  options: ProposeOptions = {},
): Promise<void> {
  await proposeTree(d, epoch, tree, options);
  await time.increase(CHALLENGE_WINDOW);
  await d.distributor.connect(d.relayer).acceptRoot();
}

/** Runs the fixture and deposits 1,000,000 MSN from the treasury. */
export async function fundedRewardsFixture(): Promise<RewardsDeployment> {
  const d = await rewardsFixture();
  await fundFromTreasury(d, 1_000_000n * MSN);
  return d;
}
