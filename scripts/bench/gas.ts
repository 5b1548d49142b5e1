/**
 * `npm run bench:gas`: claim and proposal gas of RewardsDistributor against Uniswap's MerkleDistributor
 * (the published build artifact of @uniswap/merkle-distributor), at 1,000 and 1,000,000 leaves, on the
 * in-process Hardhat network, from real transactions' receipts. Writes bench/gas.json and prints the
 * summary line last.
 *
 * BENCH_SIZES=1000,1000000 (default) chooses the tree sizes; with other sizes the figures go to
 * bench/out/gas.json (not committed) so that the committed snapshot always holds the default sizes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ContractFactory, Wallet, id, type ContractTransactionResponse } from "ethers";
import { ethers } from "hardhat";
import uniswapArtifact from "@uniswap/merkle-distributor/build/MerkleDistributor.json";

import type { MSNToken, RewardsDistributor } from "../../typechain-types";
import {
  buildTree,
  keccakHasher,
  maxDepth,
  readUint256,
  standardLeaves,
  treeProof,
  treeRoot,
  uniswapLeaves,
  writeUint256,
  type FastTree,
} from "../lib/fastMerkle";
import { rewardsDomain, signEpochRoot } from "../lib/rewards";

const CHALLENGE_WINDOW = 6 * 3600;
const EXTRA_CLAIMS = 10;
const DEFAULT_SIZES = "1000,1000000";

interface SizeResult {
  leaves: number;
  proofLength: number;
  a_firstClaim: { ours: number; uniswap: number; ratio: number };
  b_repeatClaim: { ours: number; uniswap: number; ratio: number };
  c_claimMany: { one: number; eleven: number; perExtraClaim: number };
  d_proposeRoot: { firstEpoch: number; threshold1: number; threshold3: number; perExtraSignature: number };
  treeBuildSeconds: number;
}

function log(msg: string): void {
  console.log(msg);
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("benchmark transaction failed");
  return Number(receipt.gasUsed);
}

/** Deterministic accounts (20 bytes of keccak(i)) and amounts (1 MSN + up to ~18.4 MSN, full wei digits). */
async function makeAccounts(n: number): Promise<{ accounts: Buffer; amounts1: Buffer; amounts2: Buffer }> {
  const h = await keccakHasher();
  const accounts = Buffer.allocUnsafe(n * 20);
  const amounts1 = Buffer.alloc(n * 32);
  const amounts2 = Buffer.alloc(n * 32);
  const seed = Buffer.alloc(32);
  seed.write("msn-bench", 0);
  for (let i = 0; i < n; i++) {
    seed.writeUInt32BE(i, 28);
    h.init();
    h.update(seed);
    const d = Buffer.from(h.digest("binary"));
    d.copy(accounts, i * 20, 12, 32);
    const amount = 10n ** 18n + d.readBigUInt64BE(0);
    writeUint256(amounts1, i * 32, amount);
    writeUint256(amounts2, i * 32, amount + amount / 2n); // the next epoch: cumulative grows by half
  }
  return { accounts, amounts1, amounts2 };
}

function sumAmounts(amounts: Buffer, n: number): bigint {
  let s = 0n;
  for (let i = 0; i < n; i++) s += readUint256(amounts, i * 32);
  return s;
}

function accountAt(accounts: Buffer, i: number): string {
  return ethers.getAddress("0x" + accounts.subarray(i * 20, i * 20 + 20).toString("hex"));
}

function isFullDepth(tree: FastTree, i: number): boolean {
  return treeProof(tree, i).length === maxDepth(tree.n);
}

async function benchSize(n: number): Promise<SizeResult> {
  log(`\n== ${n.toLocaleString("en-US")} leaves ==`);
  const t0 = Date.now();
  const { accounts, amounts1, amounts2 } = await makeAccounts(n);
  const ours1 = await buildTree(await standardLeaves(accounts, amounts1, n), n);
  const ours2 = await buildTree(await standardLeaves(accounts, amounts2, n), n);
  const uni = await buildTree(await uniswapLeaves(accounts, amounts1, n), n);
  const treeBuildSeconds = (Date.now() - t0) / 1000;
  log(`built 3 trees in ${treeBuildSeconds.toFixed(1)} s (accounts, our epochs 0 and 1, Uniswap's)`);

  if (n <= 5000) {
    // Self-check: the fast builder gives exactly @openzeppelin/merkle-tree's root.
    const values: [string, bigint][] = [];
    for (let i = 0; i < n; i++) values.push([accountAt(accounts, i), readUint256(amounts1, i * 32)]);
    const reference = StandardMerkleTree.of(values, ["address", "uint256"]).root;
    if (reference !== treeRoot(ours1)) throw new Error("fast tree root differs from StandardMerkleTree's");
  }
  const total1 = sumAmounts(amounts1, n);
  const total2 = sumAmounts(amounts2, n);
  const depth = maxDepth(n);

  // Measured leaves: from the middle of the index range, at full proof depth in every tree they are used in.
  const oursIdx: number[] = [];
  for (let i = Math.floor(n / 2); oursIdx.length < 2 + EXTRA_CLAIMS + 1 && i < n; i++) {
    if (isFullDepth(ours1, i) && isFullDepth(ours2, i)) oursIdx.push(i);
  }
  let uniPair: [number, number] | undefined;
  for (let w = Math.floor(n / 512); !uniPair && w * 256 < n; w++) {
    const inWord: number[] = [];
    for (let i = w * 256; i < Math.min(n, (w + 1) * 256) && inWord.length < 2; i++) {
      if (!oursIdx.includes(i) && isFullDepth(uni, i)) inWord.push(i);
    }
    if (inWord.length === 2) uniPair = [inWord[0], inWord[1]];
  }
  if (oursIdx.length < 2 + EXTRA_CLAIMS || !uniPair) throw new Error("not enough full-depth leaves");
  const [a, ...batch] = oursIdx; // a: claims (a) and (b); batch: 1 + 10 claimMany accounts
  const [u1, u2] = uniPair;

  // Deployment: one MSN token for both distributors.
  const [deployer, admin, guardian] = await ethers.getSigners();
  const oracleKeys = ["oracle-1", "oracle-2", "oracle-3"].map((s) => new Wallet(id(`msn-bench-${s}`)));
  const token = (await ethers.deployContract("MSNToken", [
    [deployer.address],
    [ethers.parseEther("100000000")],
    deployer.address,
  ])) as unknown as MSNToken;
  const staking = await ethers.deployContract("MinerStaking", [
    await token.getAddress(),
    admin.address,
    admin.address,
    7 * 24 * 3600,
    20_000,
    ethers.parseEther("1000"),
    5_000,
  ]);
  const ours = (await ethers.deployContract("RewardsDistributor", [
    await token.getAddress(),
    await staking.getAddress(),
    ethers.ZeroAddress,
    admin.address,
    guardian.address,
    oracleKeys.map((w) => w.address),
    1,
    CHALLENGE_WINDOW,
  ])) as unknown as RewardsDistributor;
  const uniswapFactory = new ContractFactory(
    uniswapArtifact.abi,
    "0x" + uniswapArtifact.bytecode.replace(/^0x/, ""),
    deployer,
  );
  const uniswap = await uniswapFactory.deploy(await token.getAddress(), treeRoot(uni));
  await uniswap.waitForDeployment();
  const oursAddr = await ours.getAddress();
  // Funding as in production: one day of emission minted by the real EmissionMinter plus deposits through
  // `fund`, so proposeRoot pays its real `funded()` read (an external totalMinted() call).
  const minter = await ethers.deployContract("EmissionMinter", [
    await token.getAddress(),
    oursAddr,
    (await time.latest()) + 1,
    24 * 3600,
  ]);
  await (await token.setMinter(await minter.getAddress())).wait();
  await (await ours.connect(admin).setEmissionMinter(await minter.getAddress())).wait();
  await time.increase(24 * 3600);
  await (await minter.mint()).wait();
  await (await token.approve(oursAddr, total2)).wait();
  await (await ours.fund(total2)).wait();
  await (await token.transfer(await uniswap.getAddress(), total1)).wait();

  const domain = rewardsDomain((await ethers.provider.getNetwork()).chainId, oursAddr);
  const propose = async (epoch: number, root: string, total: bigint, signers: Wallet[]) => {
    const dataHash = id(`bundle-${n}-${epoch}`);
    const sigs = await signEpochRoot(signers, domain, { epoch, root, total, dataHash });
    return gasOf(ours.proposeRoot(epoch, root, total, dataHash, sigs));
  };
  const accept = async () => {
    await time.increase(CHALLENGE_WINDOW);
    await (await ours.acceptRoot()).wait();
  };
  const amount1 = (i: number) => readUint256(amounts1, i * 32);
  const amount2 = (i: number) => readUint256(amounts2, i * 32);

  // Epoch 0.
  const proposeFirst = await propose(0, treeRoot(ours1), total1, [oracleKeys[0]]);
  await accept();

  // (a) First claim to a recipient holding no tokens.
  const oursA = await gasOf(ours.claim(accountAt(accounts, a), amount1(a), treeProof(ours1, a)));
  const uniClaim = (i: number) =>
    gasOf(
      uniswap.getFunction("claim")(i, accountAt(accounts, i), amount1(i), treeProof(uni, i)) as Promise<
        ContractTransactionResponse
      >,
    );
  const uniA = await uniClaim(u1);
  // (b) Uniswap: a second index in the already-used bitmap word, to a recipient holding tokens.
  await (await token.transfer(accountAt(accounts, u2), 1n)).wait();
  const uniB = await uniClaim(u2);

  // The claimMany accounts claim once under epoch 0 (not measured), so that their epoch-1 claims are repeats.
  await (
    await ours.claimMany(
      batch.map((i) => ({ account: accountAt(accounts, i), cumulativeAmount: amount1(i), proof: treeProof(ours1, i) })),
    )
  ).wait();

  // Epoch 1 (threshold 1), then (b) ours: a repeat claim (claimed > 0, recipient holding tokens).
  const propose1 = await propose(1, treeRoot(ours2), total2, [oracleKeys[0]]);
  await accept();
  const oursB = await gasOf(ours.claim(accountAt(accounts, a), amount2(a), treeProof(ours2, a)));

  // (c) claimMany of 1 repeat claim, then of 11.
  const entry = (i: number) => ({
    account: accountAt(accounts, i),
    cumulativeAmount: amount2(i),
    proof: treeProof(ours2, i),
  });
  const many1 = await gasOf(ours.claimMany([entry(batch[0])]));
  const many11 = await gasOf(ours.claimMany(batch.slice(1, 2 + EXTRA_CLAIMS).map(entry)));
  for (const i of [a, ...batch.slice(0, 1 + EXTRA_CLAIMS)]) {
    if ((await ours.claimed(accountAt(accounts, i))) !== amount2(i)) throw new Error("claim not recorded");
  }

  // (d) proposeRoot at threshold 3 (epoch 2; same tree as epoch 1, new bundle hash).
  await (await ours.connect(admin).setThreshold(3)).wait();
  const propose3 = await propose(2, treeRoot(ours2), total2, oracleKeys);

  const result: SizeResult = {
    leaves: n,
    proofLength: depth,
    a_firstClaim: { ours: oursA, uniswap: uniA, ratio: oursA / uniA },
    b_repeatClaim: { ours: oursB, uniswap: uniB, ratio: oursB / uniB },
    c_claimMany: { one: many1, eleven: many11, perExtraClaim: (many11 - many1) / EXTRA_CLAIMS },
    d_proposeRoot: {
      firstEpoch: proposeFirst,
      threshold1: propose1,
      threshold3: propose3,
      perExtraSignature: (propose3 - propose1) / 2,
    },
    treeBuildSeconds,
  };
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  log(`proof length ${depth}`);
  log(`(a) first claim, empty recipient   ours ${f(oursA)}  uniswap ${f(uniA)}  ratio ${result.a_firstClaim.ratio.toFixed(4)}`);
  log(`(b) repeat claim, holding recipient ours ${f(oursB)}  uniswap ${f(uniB)}  ratio ${result.b_repeatClaim.ratio.toFixed(4)}`);
  log(`(c) claimMany: 1 claim ${f(many1)}, 11 claims ${f(many11)}, per extra claim ${f(result.c_claimMany.perExtraClaim)}`);
  log(
    `(d) proposeRoot: epoch 0 ${f(proposeFirst)}, threshold 1 ${f(propose1)}, threshold 3 ${f(propose3)}, ` +
      `per extra signature ${f(result.d_proposeRoot.perExtraSignature)}`,
  );
  return result;
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? DEFAULT_SIZES).split(",").map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) {
    throw new Error("BENCH_SIZES must be integers >= 16, comma-separated");
  }
  const results: SizeResult[] = [];
  for (const n of sizes) results.push(await benchSize(n));

  const snapshot = sizes.join(",") === DEFAULT_SIZES;
  const out = path.join(__dirname, "..", "..", "bench", ...(snapshot ? ["gas.json"] : ["out", "gas.json"]));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        description:
          "RewardsDistributor vs Uniswap MerkleDistributor 1.0.1 (npm build artifact), receipts' gasUsed, Hardhat in-process network",
        hardfork: (await import("hardhat")).config.networks.hardhat.hardfork,
        results,
      },
      null,
      2,
    ) + "\n",
  );
  log(`\nwrote ${path.relative(process.cwd(), out)}`);
  const summary = results
    .map(
      (r) =>
        `${r.leaves.toLocaleString("en-US")} leaves: (a) ours/uniswap ${r.a_firstClaim.ratio.toFixed(4)} ` +
        `(b) ours/uniswap ${r.b_repeatClaim.ratio.toFixed(4)}`,
    )
    .join("; ");
  log(`SUMMARY ${summary}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
