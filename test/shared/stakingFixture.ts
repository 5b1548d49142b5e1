import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ethers } from "hardhat";
import type { BaseWallet, Signature } from "ethers";
import type { MinerStaking, MSNToken } from "../../typechain-types";
import { signPermit as signPermitWith } from "../../scripts/lib/permit";

export const MSN = 10n ** 18n;
export const DAY = 86_400n;
export const BPS = 10_000n;
export const GENESIS_SUPPLY = 100_000_000n * MSN;

/** SPEC §4 defaults, as the deploy script passes them. */
export const DEFAULTS = {
  unbondingPeriod: 7n * DAY,
  maxBoostBps: 20_000n,
  fullStakePerNode: 1_000n * MSN,
  maxSlashBps: 5_000n,
} as const;

/** What each operator and the funder hold after the fixture. */
export const OPERATOR_BALANCE = 1_000_000n * MSN;

export const REGISTER_NODE_TYPES = {
  RegisterNode: [
    { name: "node", type: "address" },
    { name: "operator", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface StakingDeployment {
  token: MSNToken;
  staking: MinerStaking;
  /** Governance: DEFAULT_ADMIN_ROLE and SLASHER_ROLE. */
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  /** Three operators, each holding OPERATOR_BALANCE and having approved the staking contract for all of it. */
  operators: HardhatEthersSigner[];
  /** A third party (e.g. the rewards distributor) holding OPERATOR_BALANCE, approved like the operators. */
  funder: HardhatEthersSigner;
  /** Accounts holding nothing. */
  others: HardhatEthersSigner[];
}

/** MSNToken (real, 100M genesis to the admin) + MinerStaking with SPEC defaults; tokens handed out. */
export async function stakingFixture(): Promise<StakingDeployment> {
  const [admin, treasury, op1, op2, op3, funder, ...others] = await ethers.getSigners();
  const token = (await ethers.deployContract("MSNToken", [
    [admin.address],
    [GENESIS_SUPPLY],
    admin.address,
  ])) as unknown as MSNToken;
  const staking = (await ethers.deployContract("MinerStaking", [
    await token.getAddress(),
    admin.address,
    treasury.address,
    DEFAULTS.unbondingPeriod,
    DEFAULTS.maxBoostBps,
    DEFAULTS.fullStakePerNode,
    DEFAULTS.maxSlashBps,
  ])) as unknown as MinerStaking;
  const operators = [op1, op2, op3];
  for (const holder of [...operators, funder]) {
    await token.connect(admin).transfer(holder.address, OPERATOR_BALANCE);
    await token.connect(holder).approve(await staking.getAddress(), ethers.MaxUint256);
  }
  return { token, staking, admin, treasury, operators, funder, others: others.slice(0, 4) };
}

/** The EIP-712 domain of a MinerStaking deployment ("MSN Bandwidth", "1"). */
export async function bandwidthDomain(
  staking: MinerStaking,
  overrides: { chainId?: bigint; verifyingContract?: string } = {},
) {
  const { chainId } = await ethers.provider.getNetwork();
  return {
    name: "MSN Bandwidth",
    version: "1",
    chainId: overrides.chainId ?? chainId,
    verifyingContract: overrides.verifyingContract ?? (await staking.getAddress()),
  };
}

/** The node key's registration signature for `operator`, as node software would make it. */
export async function signRegistration(
  nodeKey: BaseWallet | HardhatEthersSigner,
  staking: MinerStaking,
  operator: string,
  deadline: bigint,
  opts: { nonce?: bigint; node?: string; chainId?: bigint; verifyingContract?: string } = {},
): Promise<string> {
  const node = opts.node ?? (await nodeKey.getAddress());
  const nonce = opts.nonce ?? (await staking.nodeNonce(node));
  const domain = await bandwidthDomain(staking, opts);
  return nodeKey.signTypedData(domain, REGISTER_NODE_TYPES, { node, operator, nonce, deadline });
}

/** An ERC-2612 permit signature of `owner` for `spender` over `value`. */
export async function signPermit(
  token: MSNToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  return signPermitWith(token, owner, { owner: owner.address, spender, value, deadline });
}

/**
 * SPEC §4 boost, written from the SPEC text with bigint (floor division):
 * `10000 + (maxBoostBps - 10000) * min(s, full * n) / (full * n)`, 10000 when n = 0.
 */
export function referenceBoostBps(
  stake: bigint,
  n: bigint,
  maxBoostBps: bigint,
  fullStakePerNode: bigint,
): bigint {
  if (n === 0n) return BPS;
  const full = fullStakePerNode * n;
  const counted = stake < full ? stake : full;
  return BPS + ((maxBoostBps - BPS) * counted) / full;
}
