import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Abi,
  type Hex as ViemHex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { loadConfig } from "../src/config/load.js";
import { closeContext, createContext, type AppContext } from "../src/context.js";
import { buildApp } from "../src/http/app.js";
import { createLogger } from "../src/lib/logger.js";
import { ReceiptSigner } from "../src/receipts/index.js";
import type { Hex } from "../src/lib/hex.js";
import { ROOT } from "./helpers/child.js";
import { ensureArtifacts, startHardhatNode, type HardhatNode } from "./helpers/hardhatNode.js";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres.js";
import { account } from "./helpers/keys.js";

// Hardhat's well-known development account #0 (deployer, governance); an operator funded by it.
const DEPLOYER = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const OPERATOR = privateKeyToAccount(account("chain-operator").key);
const MSN = 10n ** 18n;

function artifact(file: string): { abi: Abi; bytecode: ViemHex } {
  const a = JSON.parse(readFileSync(path.join(ROOT, "artifacts/contracts", file), "utf8"));
  return { abi: a.abi as Abi, bytecode: a.bytecode as ViemHex };
}

async function deploy(pub: PublicClient, wallet: WalletClient, file: string, args: unknown[]): Promise<Hex> {
  const { abi, bytecode } = artifact(file);
  const hash = await wallet.deployContract({ abi, bytecode, args, account: DEPLOYER, chain: hardhat });
  const receipt = await pub.waitForTransactionReceipt({ hash });
  return receipt.contractAddress!.toLowerCase() as Hex;
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("node registry indexed from MinerStaking on a local hardhat node", function () {
  let node: HardhatNode;
  let pg: TestDatabase;
  let dir: string;
  let ctx: AppContext | undefined;

  before(async () => {
    await ensureArtifacts();
    node = await startHardhatNode();
    pg = await createTestDatabase("msn_ingest_chain");
    dir = mkdtempSync(path.join(tmpdir(), "msn-chain-"));
  });
  after(async () => {
    if (ctx) await closeContext(ctx);
    await node?.stop();
    await pg?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("picks up a node registered on chain, then ingest accepts its receipts; deregistration removes it", async () => {
    const transport = http(node.url);
    const pub = createPublicClient({ chain: hardhat, transport }) as PublicClient;
    const wallet = createWalletClient({ chain: hardhat, transport });
    const deploymentBlock = Number(await pub.getBlockNumber()) + 1;
    const now = Number((await pub.getBlock()).timestamp);

    const token = await deploy(pub, wallet, "token/MSNToken.sol/MSNToken.json", [
      [DEPLOYER.address],
      [100_000_000n * MSN],
      DEPLOYER.address,
    ]);
    const minter = await deploy(pub, wallet, "emission/EmissionMinter.sol/EmissionMinter.json", [
      token,
      DEPLOYER.address,
      BigInt(now - 60),
      86_400n,
    ]);
    const staking = await deploy(pub, wallet, "staking/MinerStaking.sol/MinerStaking.json", [
      token,
      DEPLOYER.address,
      DEPLOYER.address,
      7n * 86_400n,
      20_000n,
      1_000n * MSN,
      5_000n,
    ]);
    const fund = await wallet.sendTransaction({
      to: OPERATOR.address,
      value: 10n ** 18n,
      account: DEPLOYER,
      chain: hardhat,
    });
    await pub.waitForTransactionReceipt({ hash: fund });
    const deploymentsFile = path.join(dir, "localtest.json");
    writeFileSync(
      deploymentsFile,
      JSON.stringify({
        network: "localtest",
        chainId: 31337,
        deploymentBlock,
        contracts: { MSNToken: token, EmissionMinter: minter, MinerStaking: staking },
      }),
    );

    // The oracle: chain id, contracts and deployment block from the deployments file, epoch length and
    // genesis time from EmissionMinter, node registry indexed from MinerStaking's events.
    const config = {
      ...loadConfig({ env: {} }),
      logLevel: "silent" as const,
      rpcUrl: node.url,
      deploymentsFile,
      databaseUrl: pg.url,
      confirmations: 0,
      pollIntervalMs: 100,
      verifyThreads: 0,
      docsUi: false,
    };
    ctx = await createContext(config, { logger: createLogger("silent") });
    expect(ctx.runtime).to.deep.include({
      chainId: 31337,
      minerStaking: staking,
      epochLength: 86_400,
      genesisTime: now - 60,
    });
    const app = await buildApp(ctx);

    const nodeKey = account("chain-node");
    const client = account("chain-client");
    await ctx.clients.add({
      address: client.address,
      operator: account("someone-else").address,
      quotaBytes: 1e12,
    });
    const signer = await ReceiptSigner.create(ctx.runtime.domain);
    let sessions = 0;
    const post = async () => {
      const receipt = signer.sign(
        {
          node: nodeKey.address,
          client: client.address,
          epoch: ctx!.epochs.epochAt(Math.floor(Date.now() / 1000)),
          session: `0x${(++sessions).toString(16).padStart(64, "0")}`,
          bytesServed: 123_456,
        },
        client.key,
      );
      const res = await app.inject({ method: "POST", url: "/v1/receipts", payload: { receipts: [receipt] } });
      return (res.json() as { results: string[] }).results[0];
    };

    expect(ctx.registry.size).to.equal(0);
    expect(await post()).to.equal("unknown_node");

    // The node key consents (EIP-712 RegisterNode in the MSN Bandwidth domain); the operator registers it.
    const stakingAbi = artifact("staking/MinerStaking.sol/MinerStaking.json").abi;
    const deadline = BigInt(now + 3600);
    const consent = await privateKeyToAccount(nodeKey.key).signTypedData({
      domain: { name: "MSN Bandwidth", version: "1", chainId: 31337, verifyingContract: staking },
      types: {
        RegisterNode: [
          { name: "node", type: "address" },
          { name: "operator", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      primaryType: "RegisterNode",
      message: { node: nodeKey.address, operator: OPERATOR.address, nonce: 0n, deadline },
    });
    const tx = await wallet.writeContract({
      address: staking,
      abi: stakingAbi,
      functionName: "registerNode",
      args: [nodeKey.address, deadline, consent],
      account: OPERATOR,
      chain: hardhat,
    });
    await pub.waitForTransactionReceipt({ hash: tx });

    // The background poll picks it up; lookups are served from memory.
    await until(
      "the registration to be indexed",
      () => ctx!.registry.operatorOf(nodeKey.address) !== undefined,
    );
    expect(ctx.registry.operatorOf(nodeKey.address)).to.equal(OPERATOR.address.toLowerCase());
    expect(await post()).to.equal("accepted");

    const tx2 = await wallet.writeContract({
      address: staking,
      abi: stakingAbi,
      functionName: "deregisterNode",
      args: [nodeKey.address],
      account: OPERATOR,
      chain: hardhat,
    });
    const dereg = await pub.waitForTransactionReceipt({ hash: tx2 });
    await until(
      "the deregistration to be indexed",
      () => ctx!.registry.operatorOf(nodeKey.address) === undefined,
    );
    expect(await post()).to.equal("unknown_node");

    const events = await ctx.db.query<{ registered: boolean; node: string; operator: string }>(
      "SELECT registered, encode(node, 'hex') AS node, encode(operator, 'hex') AS operator FROM node_events ORDER BY block_number, log_index",
    );
    expect(events.rows).to.deep.equal([
      {
        registered: true,
        node: nodeKey.address.slice(2).toLowerCase(),
        operator: OPERATOR.address.slice(2).toLowerCase(),
      },
      {
        registered: false,
        node: nodeKey.address.slice(2).toLowerCase(),
        operator: OPERATOR.address.slice(2).toLowerCase(),
      },
    ]);
    const cursor = await ctx.db.query<{ last_block: number }>("SELECT last_block FROM chain_cursors");
    expect(cursor.rows[0]!.last_block).to.be.at.least(Number(dereg.blockNumber));
    expect(ctx.registry.status()).to.deep.include({ source: "chain", nodes: 0 });
    await app.close();
  });
});
