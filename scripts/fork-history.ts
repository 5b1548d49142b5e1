/**
 * Gives a fresh local deployment some history, so that the fork suite's accounting checks run against real
 * events and not only against an untouched genesis (used by scripts/ci-fork.sh between two suite runs):
 *
 *   LOCALHOST_RPC_URL=http://127.0.0.1:<port> npx hardhat run scripts/fork-history.ts --network localhost
 *
 * On the node itself (chain 31337 only: it moves the node's clock and uses its unlocked dev accounts, whose
 * addresses deployments/config/localhost.json names): mints epoch 0, an airdrop claim, a vesting release, a
 * `fund` deposit, a stake and an unstake request, an accepted root for epoch 0 with a plain claim and a
 * claim-and-stake, and a root for epoch 1 left pending in its challenge window.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { keccak256, parseEther, toUtf8Bytes } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { buildAirdropTree, loadAllocationConfig } from "./lib/allocationConfig";
import { deploymentPath, type DeploymentRecord } from "./lib/deployments";
import { rewardsDomain, signEpochRoot } from "./lib/rewards";

async function main(): Promise<void> {
  const { ethers, network } = hre;
  const file = path.resolve(process.env.FORK_DEPLOYMENT ?? deploymentPath(network.name));
  const record = JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord;
  const { chainId } = await ethers.provider.getNetwork();
  if (chainId !== 31337n || record.chainId !== 31337) {
    throw new Error(`only for a local development node (chain 31337), not chain ${chainId}`);
  }
  const config = loadAllocationConfig(path.resolve(__dirname, "..", record.configFile));
  const c = record.contracts;
  const token = await ethers.getContractAt("MSNToken", c.MSNToken);
  const vault = await ethers.getContractAt("VestingVault", c.VestingVault);
  const airdrop = await ethers.getContractAt("TestnetAirdrop", c.TestnetAirdrop);
  const staking = await ethers.getContractAt("MinerStaking", c.MinerStaking!);
  const distributor = await ethers.getContractAt("RewardsDistributor", c.RewardsDistributor!);
  const minter = await ethers.getContractAt("EmissionMinter", c.EmissionMinter!);
  const signer = (address: string) => ethers.getSigner(address);
  const send = async (what: string, tx: Promise<{ wait(): Promise<unknown> }>) => {
    await (await tx).wait();
    console.log(`  ${what}`);
  };
  const travelTo = async (t: bigint) => {
    await ethers.provider.send("evm_setNextBlockTimestamp", [Number(t)]);
    await ethers.provider.send("evm_mine", []);
  };
  if ((await distributor.nextEpochToPropose()) !== 0n) throw new Error("the deployment already has history");

  // Epoch 0 ends: mint it.
  await travelTo((await minter.epochStart(1)) + 1n);
  await send("minted epoch 0", minter.mint());

  // A testnet participant claims its airdrop; the ecosystem grant (no cliff) releases what has vested.
  const drop = config.allocations.find((a) => a.kind === "airdrop");
  if (drop?.kind === "airdrop" && drop.recipients) {
    const tree = buildAirdropTree(drop.recipients);
    const first = drop.recipients[0];
    await send(
      `airdrop claim of ${first.account}`,
      airdrop.claim(first.account, first.amount, tree.getProof([first.account, first.amount])),
    );
  }
  const grant = (record.grants ?? []).find((g) => g.cliff === 0);
  if (grant) await send(`vesting release of grant ${grant.id.slice(0, 10)}`, vault.release(grant.id));

  // The public-sale account deposits funding, stakes and asks to unstake part of it.
  const sale = await signer(record.roles.publicSale);
  await send("approved", token.connect(sale).approve(c.RewardsDistributor!, parseEther("1000")));
  await send("funded 1,000 MSN", distributor.connect(sale).fund(parseEther("1000")));
  await send("approved", token.connect(sale).approve(c.MinerStaking!, parseEther("2000")));
  await send("staked 2,000 MSN", staking.connect(sale).stake(parseEther("2000")));
  await send("requested to unstake 500 MSN", staking.connect(sale).requestUnstake(parseEther("500")));

  // Roots signed by the configured oracle (a dev account of the node).
  const oracle = await signer(record.roles.oracle0);
  const domain = rewardsDomain(chainId, c.RewardsDistributor!);
  const [m1, m2] = (await ethers.getSigners()).slice(13, 15);
  const propose = async (epoch: number, amounts: [bigint, bigint]) => {
    const tree = StandardMerkleTree.of(
      [
        [m1.address, amounts[0]],
        [m2.address, amounts[1]],
      ],
      ["address", "uint256"],
    );
    const total = amounts[0] + amounts[1];
    const dataHash = keccak256(toUtf8Bytes(`history bundle ${epoch}`));
    const signatures = await signEpochRoot([oracle], domain, { epoch, root: tree.root, total, dataHash });
    await send(
      `proposed epoch ${epoch}`,
      distributor.proposeRoot(epoch, tree.root, total, dataHash, signatures),
    );
    return tree;
  };
  const tree0 = await propose(0, [parseEther("100"), parseEther("50")]);
  await travelTo((await distributor.epochRoot(0)).claimableAt);
  await send("accepted epoch 0", distributor.acceptRoot());
  await send(
    `claimed 100 MSN for ${m1.address}`,
    distributor.claim(m1.address, parseEther("100"), tree0.getProof([m1.address, parseEther("100")])),
  );
  await send(
    `claimed and staked 50 MSN for ${m2.address}`,
    distributor.connect(m2).claimAndStake(parseEther("50"), tree0.getProof([m2.address, parseEther("50")])),
  );

  // Epoch 1: minted, its root proposed and left pending.
  await travelTo((await minter.epochStart(2)) + 1n);
  await send("minted epoch 1", minter.mint());
  await propose(1, [parseEther("150"), parseEther("80")]);
  console.log("history written: epoch 0 accepted, epoch 1 pending");
}

main().catch((error: unknown) => {
  console.error(`fork-history failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
