/**
 * Shared set-up for the token, vesting vault and testnet airdrop suites (use with `loadFixture`).
 */
import path from "node:path";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";

import type { MSNToken, TestnetAirdrop, VestingVault } from "../../typechain-types";
import {
  type AirdropRecipient,
  buildAirdropTree,
  loadAllocationConfig,
} from "../../scripts/lib/allocationConfig";
import { deploySystem } from "../../scripts/lib/deploySystem";

export const MSN = (n: string | number | bigint) => ethers.parseEther(n.toString());
export const GENESIS_SUPPLY = MSN(100_000_000);
export const MAX_SUPPLY = MSN(127_500_000);
export const MONTH = 2_628_000;
export const DAY = 86_400;

export const DEFAULT_CONFIG_FILE = path.join(__dirname, "..", "..", "deployments", "config", "hardhat.json");

/** A token whose whole genesis sits with `holder`; `admin` is the minter admin. */
export async function tokenFixture() {
  const [admin, holder, alice, bob, carol, minter] = await ethers.getSigners();
  const token = (await ethers.deployContract("MSNToken", [
    [holder.address],
    [GENESIS_SUPPLY],
    admin.address,
  ])) as unknown as MSNToken;
  return { token, admin, holder, alice, bob, carol, minter };
}

/**
 * A vault funded with 50,000,000 MSN (its unallocated balance) by `holder`; `governance` holds every vault
 * role and `treasury` receives revoked tokens.
 */
export async function vaultFixture() {
  const signers = await ethers.getSigners();
  const [governance, holder, treasury, alice, bob, carol, stranger] = signers;
  const token = (await ethers.deployContract("MSNToken", [
    [holder.address],
    [GENESIS_SUPPLY],
    governance.address,
  ])) as unknown as MSNToken;
  const vault = (await ethers.deployContract("VestingVault", [
    await token.getAddress(),
    treasury.address,
    governance.address,
    ethers.ZeroAddress,
  ])) as unknown as VestingVault;
  const funded = MSN(50_000_000);
  await token.connect(holder).transfer(await vault.getAddress(), funded);
  const now = await time.latest();
  return { token, vault, governance, holder, treasury, alice, bob, carol, stranger, funded, now };
}

/** An airdrop of a five-recipient tree (575,000 MSN listed) funded with 1,000,000 MSN, 90-day window. */
export async function airdropFixture() {
  const [deployer, ecosystem, relayer, a1, a2, a3, a4, a5, outsider] = await ethers.getSigners();
  const token = (await ethers.deployContract("MSNToken", [
    [deployer.address],
    [GENESIS_SUPPLY],
    deployer.address,
  ])) as unknown as MSNToken;
  const recipients: AirdropRecipient[] = [
    { account: a1.address, amount: MSN(250_000) },
    { account: a2.address, amount: MSN(150_000) },
    { account: a3.address, amount: MSN(100_000) },
    { account: a4.address, amount: MSN(50_000) },
    { account: a5.address, amount: MSN(25_000) },
  ];
  const tree = buildAirdropTree(recipients);
  const deadline = (await time.latest()) + 90 * DAY;
  const airdrop = (await ethers.deployContract("TestnetAirdrop", [
    await token.getAddress(),
    tree.root,
    deadline,
    ecosystem.address,
  ])) as unknown as TestnetAirdrop;
  await token.transfer(await airdrop.getAddress(), MSN(1_000_000));
  const proofOf = (account: string, amount: bigint) => tree.getProof([account, amount]);
  return { token, airdrop, tree, recipients, deadline, deployer, ecosystem, relayer, outsider, proofOf };
}

/** The full genesis deployed by `deploySystem` from deployments/config/hardhat.json. */
export async function genesisFixture() {
  const config = loadAllocationConfig(DEFAULT_CONFIG_FILE);
  const system = await deploySystem(hre, config, { configFile: "deployments/config/hardhat.json" });
  return { config, ...system };
}
