/**
 * A local chain for the epoch job's tests and benchmark: `hardhat node` as a child process (stopped by PID),
 * the whole system deployed by the deploy library (scripts/deploy-to-file.ts, which writes the deployment
 * record to a temporary file), and helpers to register nodes, stake, move time and snapshot.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Abi,
  type Account,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import type { Hex } from "../../src/lib/hex.js";
import { ROOT } from "./child.js";
import { startHardhatNode, type HardhatNode } from "./hardhatNode.js";
import { runProcess } from "./process.js";

const HARDHAT = path.join(ROOT, "node_modules/hardhat/internal/cli/bootstrap.js");

/** Hardhat's development accounts used by deployments/config/localhost.json. */
export const KEYS = {
  deployer: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  governance: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  publicSale: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  guardian: "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0",
  oracle: "0xdf57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e",
} as const satisfies Record<string, Hex>;

export const MSN = 10n ** 18n;

export function artifactAbi(file: string): Abi {
  return JSON.parse(readFileSync(path.join(ROOT, "artifacts/contracts", file), "utf8")).abi as Abi;
}

export const ABI = {
  token: () => artifactAbi("token/MSNToken.sol/MSNToken.json"),
  staking: () => artifactAbi("staking/MinerStaking.sol/MinerStaking.json"),
  distributor: () => artifactAbi("rewards/RewardsDistributor.sol/RewardsDistributor.json"),
  minter: () => artifactAbi("emission/EmissionMinter.sol/EmissionMinter.json"),
};

export interface DevChain {
  node: HardhatNode;
  url: string;
  /** The deployment record (deployments/<network>.json format), in a temporary file. */
  deploymentsFile: string;
  contracts: { token: Hex; staking: Hex; distributor: Hex; minter: Hex };
  deploymentBlock: number;
  genesisTime: number;
  epochLength: number;
  pub: PublicClient;
  wallet: WalletClient;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Latest block timestamp. */
  now(): Promise<number>;
  /** Moves chain time to `t` (if later) and mines a block there. */
  mineAt(t: number): Promise<void>;
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
  write(
    from: Hex | Account,
    address: Hex,
    abi: Abi,
    functionName: string,
    args: unknown[],
  ): Promise<TransactionReceipt>;
  /** Gives `to` ETH for gas and `msn` MSN (from the public-sale account). */
  fund(to: Hex, msn?: bigint): Promise<void>;
  /** Registers `nodeKey`'s address to `operatorKey`'s account (with the node key's EIP-712 consent). */
  registerNode(operatorKey: Hex, nodeKey: Hex): Promise<void>;
  /** Approves and stakes `amount` for the operator. */
  stake(operatorKey: Hex, amount: bigint): Promise<void>;
  stop(): Promise<void>;
}

export async function startDevChain(): Promise<DevChain> {
  const node = await startHardhatNode();
  const dir = mkdtempSync(path.join(tmpdir(), "msn-devchain-"));
  try {
    const deploymentsFile = path.join(dir, "localhost.json");
    const r = await runProcess(
      process.execPath,
      [HARDHAT, "run", "scripts/deploy-to-file.ts", "--network", "localhost"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          LOCALHOST_RPC_URL: node.url,
          MSN_DEPLOYMENT_OUT: deploymentsFile,
          MSN_SKIP_TASKS: "1",
        },
        timeoutMs: 300_000,
      },
    );
    if (r.code !== 0) throw new Error(`deploy failed:\n${r.stderr}${r.stdout}`);
    const record = JSON.parse(readFileSync(deploymentsFile, "utf8")) as {
      deploymentBlock: number;
      contracts: Record<string, string>;
    };
    const c = record.contracts;
    const contracts = {
      token: c.MSNToken!.toLowerCase() as Hex,
      staking: c.MinerStaking!.toLowerCase() as Hex,
      distributor: c.RewardsDistributor!.toLowerCase() as Hex,
      minter: c.EmissionMinter!.toLowerCase() as Hex,
    };
    const transport = http(node.url);
    const pub = createPublicClient({ chain: hardhat, transport, pollingInterval: 50 }) as PublicClient;
    const wallet = createWalletClient({ chain: hardhat, transport });
    const minterAbi = ABI.minter();
    const [genesis, length] = (await Promise.all([
      pub.readContract({ address: contracts.minter, abi: minterAbi, functionName: "GENESIS_TIME" }),
      pub.readContract({ address: contracts.minter, abi: minterAbi, functionName: "EPOCH_LENGTH" }),
    ])) as [bigint, bigint];
    const rpc = <T>(method: string, params: unknown[] = []) =>
      pub.request({ method: method as never, params: params as never }) as Promise<T>;
    const now = async () => Number((await pub.getBlock({ blockTag: "latest" })).timestamp);
    const write: DevChain["write"] = async (from, address, abi, functionName, args) => {
      const account = typeof from === "string" ? privateKeyToAccount(from) : from;
      const hash = await wallet.writeContract({ address, abi, functionName, args, account, chain: hardhat });
      const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
      return receipt;
    };
    const stakingAbi = ABI.staking();
    const tokenAbi = ABI.token();
    const chain: DevChain = {
      node,
      url: node.url,
      deploymentsFile,
      contracts,
      deploymentBlock: record.deploymentBlock,
      genesisTime: Number(genesis),
      epochLength: Number(length),
      pub,
      wallet,
      rpc,
      now,
      async mineAt(t) {
        const current = await now();
        if (t > current) await rpc("evm_setNextBlockTimestamp", [t]);
        await rpc("evm_mine");
      },
      snapshot: () => rpc<string>("evm_snapshot"),
      async revert(id) {
        const ok = await rpc<boolean>("evm_revert", [id]);
        if (!ok) throw new Error(`evm_revert ${id} failed`);
      },
      write,
      async fund(to, msn = 0n) {
        const deployer = privateKeyToAccount(KEYS.deployer);
        const hash = await wallet.sendTransaction({
          to,
          value: 10n ** 19n,
          account: deployer,
          chain: hardhat,
        });
        await pub.waitForTransactionReceipt({ hash, pollingInterval: 20 });
        if (msn > 0n) await write(KEYS.publicSale, contracts.token, tokenAbi, "transfer", [to, msn]);
      },
      async registerNode(operatorKey, nodeKey) {
        const operator = privateKeyToAccount(operatorKey);
        const nodeAccount = privateKeyToAccount(nodeKey);
        const nonce = (await pub.readContract({
          address: contracts.staking,
          abi: stakingAbi,
          functionName: "nodeNonce",
          args: [nodeAccount.address],
        })) as bigint;
        const deadline = BigInt((await now()) + 365 * 86_400);
        const consent = await nodeAccount.signTypedData({
          domain: {
            name: "MSN Bandwidth",
            version: "1",
            chainId: 31337,
            verifyingContract: contracts.staking,
          },
          types: {
            RegisterNode: [
              { name: "node", type: "address" },
              { name: "operator", type: "address" },
              { name: "nonce", type: "uint256" },
              { name: "deadline", type: "uint256" },
            ],
          },
          primaryType: "RegisterNode",
          message: { node: nodeAccount.address, operator: operator.address, nonce, deadline },
        });
        await write(operator, contracts.staking, stakingAbi, "registerNode", [
          nodeAccount.address,
          deadline,
          consent,
        ]);
      },
      async stake(operatorKey, amount) {
        await write(operatorKey, contracts.token, tokenAbi, "approve", [contracts.staking, amount]);
        await write(operatorKey, contracts.staking, stakingAbi, "stake", [amount]);
      },
      async stop() {
        await node.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return chain;
  } catch (err) {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
