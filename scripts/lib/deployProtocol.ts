/**
 * The protocol half of a deployment, after the genesis: MinerStaking, RewardsDistributor and EmissionMinter,
 * wired together, with every role handed to governance and the deployer left with nothing.
 *
 * Order (no address prediction needed):
 *   1. MinerStaking(token, admin = deployer, ...)           the deployer holds its admin role until step 6
 *   2. RewardsDistributor(token, staking, minter = 0, admin = deployer, guardian, oracles, threshold, window)
 *   3. EmissionMinter(token, recipient = distributor, T0, epoch length)
 *   4. token.setMinter(minter)                               the deployer is the token's one-time minter admin
 *   5. distributor.setEmissionMinter(minter)                 funding = minted emission + deposits
 *   6. roles to governance / slasher, then the deployer renounces its own
 */
import type { EmissionMinter, MinerStaking, MSNToken, RewardsDistributor } from "../../typechain-types";
import type { DeployContext } from "./deploySystem";
import { formatMSN } from "./allocationConfig";
import type { ProtocolConfig } from "./protocolConfig";

export interface DeployedProtocol {
  staking: MinerStaking;
  distributor: RewardsDistributor;
  minter: EmissionMinter;
  emissionGenesisTime: number;
}

export async function deployProtocol(
  ctx: DeployContext,
  token: MSNToken,
  protocol: ProtocolConfig,
): Promise<DeployedProtocol> {
  const { hre, deployer, record } = ctx;
  const me = deployer.address;
  const tokenAddress = await token.getAddress();
  const { staking: sp, rewards: rp, emission: ep } = protocol;
  const send = async (what: string, tx: Promise<{ wait(): Promise<unknown> }>) => {
    await (await tx).wait();
    ctx.log(what);
  };

  ctx.log("deploying MinerStaking");
  const staking = (await (
    await hre.ethers.getContractFactory("MinerStaking", deployer)
  ).deploy(
    tokenAddress,
    me,
    sp.treasury,
    sp.unbondingPeriod,
    sp.maxBoostBps,
    sp.fullStakePerNode,
    sp.maxSlashBps,
  )) as unknown as MinerStaking;
  await staking.waitForDeployment();
  const stakingAddress = await staking.getAddress();

  ctx.log("deploying RewardsDistributor");
  const distributor = (await (
    await hre.ethers.getContractFactory("RewardsDistributor", deployer)
  ).deploy(
    tokenAddress,
    stakingAddress,
    hre.ethers.ZeroAddress,
    me,
    rp.guardian,
    rp.oracles,
    rp.threshold,
    rp.challengeWindow,
  )) as unknown as RewardsDistributor;
  await distributor.waitForDeployment();
  const distributorAddress = await distributor.getAddress();

  const emissionGenesisTime = ep.genesisTime === "genesis" ? ctx.genesisTime : ep.genesisTime;
  ctx.log("deploying EmissionMinter");
  const minter = (await (
    await hre.ethers.getContractFactory("EmissionMinter", deployer)
  ).deploy(
    tokenAddress,
    distributorAddress,
    emissionGenesisTime,
    ep.epochLength,
  )) as unknown as EmissionMinter;
  await minter.waitForDeployment();
  const minterAddress = await minter.getAddress();

  await send(
    `token minter set to EmissionMinter ${minterAddress}`,
    token.connect(deployer).setMinter(minterAddress),
  );
  await send(
    `distributor funded by EmissionMinter ${minterAddress}`,
    distributor.connect(deployer).setEmissionMinter(minterAddress),
  );

  // Roles: governance (and the slasher) take over; the deployer keeps nothing.
  const ADMIN = await staking.DEFAULT_ADMIN_ROLE();
  const SLASHER = await staking.SLASHER_ROLE();
  if (sp.slasher !== me)
    await send(`staking SLASHER_ROLE -> ${sp.slasher}`, staking.grantRole(SLASHER, sp.slasher));
  if (sp.admin !== me) {
    await send(`staking DEFAULT_ADMIN_ROLE -> ${sp.admin}`, staking.grantRole(ADMIN, sp.admin));
  }
  if (sp.slasher !== me)
    await send("deployer renounced staking SLASHER_ROLE", staking.renounceRole(SLASHER, me));
  if (sp.admin !== me)
    await send("deployer renounced staking DEFAULT_ADMIN_ROLE", staking.renounceRole(ADMIN, me));
  if (rp.admin !== me) {
    await send(`distributor DEFAULT_ADMIN_ROLE -> ${rp.admin}`, distributor.grantRole(ADMIN, rp.admin));
    await send("deployer renounced distributor DEFAULT_ADMIN_ROLE", distributor.renounceRole(ADMIN, me));
  }

  record.contracts.MinerStaking = stakingAddress;
  record.contracts.RewardsDistributor = distributorAddress;
  record.contracts.EmissionMinter = minterAddress;
  record.roles = {
    ...record.roles,
    stakingAdmin: sp.admin,
    slasher: sp.slasher,
    stakingTreasury: sp.treasury,
    rewardsAdmin: rp.admin,
    guardian: rp.guardian,
    tokenMinter: minterAddress,
  };
  delete record.roles.tokenMinterAdmin;
  rp.oracles.forEach((o, i) => (record.roles[`oracle${i}`] = o));
  record.params = {
    ...record.params,
    emissionGenesisTime,
    epochLength: ep.epochLength,
    unbondingPeriod: sp.unbondingPeriod,
    maxBoostBps: sp.maxBoostBps,
    fullStakePerNode: sp.fullStakePerNode.toString(),
    maxSlashBps: sp.maxSlashBps,
    oracleThreshold: rp.threshold,
    oracleCount: rp.oracles.length,
    challengeWindow: rp.challengeWindow,
  };
  ctx.log(
    `protocol: epochs of ${ep.epochLength} s from ${new Date(emissionGenesisTime * 1000).toISOString()}, ` +
      `unbonding ${sp.unbondingPeriod} s, boost up to ${sp.maxBoostBps / 100}% at ${formatMSN(sp.fullStakePerNode)} MSN/node, ` +
      `${rp.threshold}-of-${rp.oracles.length} oracles, challenge window ${rp.challengeWindow} s`,
  );
  return { staking, distributor, minter, emissionGenesisTime };
}
