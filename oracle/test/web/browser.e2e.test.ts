/**
 * The miners' web app in a real browser (Debian's Chromium driven by playwright-core) against
 * `npm start -- --serve`: a devnet whose last epoch is left unclaimed. The page's wallet is an injected
 * EIP-1193 provider backed by a simulated operator's key (./testWallet.ts). It connects (switching chain),
 * shows the read API's claimable rewards, claims and sees the balance change, stakes (permit and approval)
 * and sees the boost change, shows a rejected request and a contract revert in words, unstakes and withdraws
 * after the unbonding period, and claims-and-stakes from a second account. Screenshots of each state go to
 * test-artifacts/web/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";
import { createPublicClient, http, type Hex } from "viem";
import { minterAbi, stakingAbi, tokenAbi } from "../../devnet/abi.js";
import { DEVNET_MAIN, smallDevnetArgs } from "../helpers/devnet.js";
import { ROOT } from "../helpers/child.js";
import { formatMsn } from "../../web/src/format.js";
import { TestWallet } from "./testWallet.js";

/** The page's document, as the callbacks run in the browser see it (this program has no DOM types). */
declare const document: { body: { dataset: Record<string, string | undefined> } };

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = path.join(ROOT, "test-artifacts/web");
const MSN = 10n ** 18n;

interface Served {
  child: ChildProcess;
  oracleUrl: string;
  rpcUrl: string;
  operators: { address: Hex; key: Hex; nodes: number }[];
  output: () => string;
}

/** Starts `npm start -- --serve` (small simulation) and waits for its banner. */
async function startServe(dir: string): Promise<Served> {
  const args = ["--import", "tsx", DEVNET_MAIN, "--serve", ...(await smallDevnetArgs(dir))];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const output = () => `${stdout}\n${stderr}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no devnet banner in 150 s:\n${output()}`)), 150_000);
    const check = () => {
      if (/try, from another terminal/.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the devnet exited (${code}) before serving:\n${output()}`));
    });
  });
  const oracleUrl = /web app\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
  const rpcUrl = /chain RPC\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  const operators = [
    ...stdout.matchAll(/operator \d+\s+(0x[0-9a-f]{40})\s+(0x[0-9a-f]{64})\s+\(\w+, (\d+) nodes?,/g),
  ].map((m) => ({ address: m[1] as Hex, key: m[2] as Hex, nodes: Number(m[3]) }));
  if (!oracleUrl || !rpcUrl || operators.length < 2) throw new Error(`unexpected banner:\n${stdout}`);
  return { child, oracleUrl, rpcUrl, operators, output };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(child.pid!, "SIGTERM");
  });
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

interface RewardsReply {
  claimable: string;
  cumulativeAmount: string;
}

describe("miners' web app in Chromium, against npm start -- --serve", function () {
  this.timeout(300_000);
  let dir: string;
  let served: Served | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let wallet: TestWallet;
  let contracts: { MSNToken: Hex; MinerStaking: Hex };
  let emissionMinter: Hex;
  const chain = () => createPublicClient({ transport: http(served!.rpcUrl) });
  const pageErrors: string[] = [];

  const consoleLines: string[] = [];
  let appJsEncoding: string | undefined;
  /** Opens the app and waits until it has loaded its config and overview; says why when it does not. */
  async function openPage(p: Page): Promise<void> {
    const res = await p.goto(`${served!.oracleUrl}/`);
    try {
      await p.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    } catch (err) {
      throw new Error(
        `the page did not get ready: GET / answered ${res?.status()}; message "${await p.textContent("#message").catch(() => "")}"; ` +
          `console: ${consoleLines.join(" | ")}; page errors: ${pageErrors.join(" | ")}; body: ${(await p.content()).slice(0, 300)}`,
        { cause: err },
      );
    }
  }
  const wei = async (id: string) => BigInt((await page.getAttribute(`#${id}`, "data-wei")) ?? "NaN");
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  /** Clicks `button` and waits until the action is over and the account shown again. */
  async function act(button: string, expectKind: "ok" | "error" | "info"): Promise<string> {
    const before = Number((await page.getAttribute("body", "data-refreshed")) ?? "0");
    await page.click(`#${button}`);
    await page.waitForFunction(
      (n) => document.body.dataset.busy === "false" && Number(document.body.dataset.refreshed ?? "0") > n,
      before,
      { timeout: 60_000 },
    );
    const kind = await page.getAttribute("#message", "class");
    const text = (await page.textContent("#message")) ?? "";
    expect(kind, text).to.equal(expectKind);
    return text;
  }

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
    }
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), "msn-web-"));
    served = await startServe(dir);
    const config = await json<{
      chainId: number;
      contracts: { MSNToken: Hex; MinerStaking: Hex; EmissionMinter: Hex };
    }>(`${served.oracleUrl}/v1/config`);
    contracts = config.contracts;
    emissionMinter = config.contracts.EmissionMinter;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    // A simulated operator that can still raise its boost: the page must show the boost change.
    const pc = chain();
    const [maxBoost] = await pc.readContract({
      address: contracts.MinerStaking,
      abi: stakingAbi,
      functionName: "boostParams",
    });
    const { timestamp } = await pc.getBlock();
    let chosen = served.operators[0]!;
    for (const op of served.operators) {
      const boost = await pc.readContract({
        address: contracts.MinerStaking,
        abi: stakingAbi,
        functionName: "boostBps",
        args: [op.address, BigInt(op.nodes), timestamp],
      });
      if (boost < maxBoost) {
        chosen = op;
        break;
      }
    }
    wallet = new TestWallet(served.rpcUrl, config.chainId, chosen.key);
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("console", (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
    page.on("response", (res) => {
      if (new URL(res.url()).pathname === "/app.js") appJsEncoding = res.headers()["content-encoding"];
    });
    await wallet.install(page);
  });

  after(async () => {
    await browser?.close();
    if (served) await stop(served.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows the network overview before any wallet connects", async () => {
    await openPage(page);
    const overview = await json<{ epoch: { current: number }; staking: { totalActive: string } }>(
      `${served!.oracleUrl}/v1/overview`,
    );
    expect(await page.textContent("#ov-epoch")).to.match(
      new RegExp(`^${overview.epoch.current} \\(epochs of 1 d\\)`),
    );
    expect(await page.textContent("#ov-next")).to.match(/^\d+ (h|min|s)/);
    expect(await page.textContent("#ov-emission")).to.match(
      / of 5,000,000 MSN \(year 1, 5% of genesis supply\)$/,
    );
    expect(await wei("ov-staked")).to.equal(BigInt(overview.staking.totalActive));
    expect(await page.textContent("#ov-root")).to.match(
      /^epoch 2: 0x[0-9a-f]{6}…[0-9a-f]{6}, [\d,.]+ MSN in total, accepted$/,
    );
    expect(await page.isVisible("#miner")).to.equal(false);
    expect(appJsEncoding, "the bundle is served pre-compressed").to.equal("br");
    // The overview is the chain's: this year's emission so far and the minted total from EmissionMinter.
    const o = await json<{ now: number; emission: { emittedThisYear: string; totalMinted: string } }>(
      `${served!.oracleUrl}/v1/overview`,
    );
    const minter = { address: emissionMinter, abi: minterAbi } as const;
    const pc = chain();
    const genesis = await pc.readContract({ ...minter, functionName: "GENESIS_TIME" });
    const [emittedNow, emittedAtGenesis, minted] = await Promise.all([
      pc.readContract({ ...minter, functionName: "emitted", args: [BigInt(o.now)] }),
      pc.readContract({ ...minter, functionName: "emitted", args: [genesis] }),
      pc.readContract({ ...minter, functionName: "totalMinted" }),
    ]);
    expect(BigInt(o.emission.emittedThisYear)).to.equal(emittedNow - emittedAtGenesis);
    expect(BigInt(o.emission.totalMinted)).to.equal(minted);
    await shot("1-overview");
  });

  it("says so when the browser has no wallet", async () => {
    const bare = await browser!.newPage();
    try {
      await openPage(bare);
      await bare.click("#connect");
      await bare.waitForSelector("#message.error");
      expect(await bare.textContent("#message")).to.equal(
        "No browser wallet found: install one (MetaMask, Rabby…) or open this page in a wallet's browser.",
      );
    } finally {
      await bare.close();
    }
  });

  it("connects (switching the wallet to the devnet's chain) and shows the read API's claimable rewards", async () => {
    await page.click("#connect");
    await page.waitForSelector("#miner:not([hidden])");
    await page.waitForFunction(() => Number(document.body.dataset.refreshed ?? "0") > 0);
    expect(wallet.calls).to.include("wallet_switchEthereumChain");
    expect(wallet.chainId).to.equal(31337);
    const address = wallet.account.address;
    expect(await page.getAttribute("#account", "data-address")).to.equal(address);
    const api = await json<RewardsReply>(`${served!.oracleUrl}/v1/rewards/${address}`);
    expect(BigInt(api.claimable) > 0n, "the operator has rewards to claim").to.equal(true);
    expect(await wei("claimable")).to.equal(BigInt(api.claimable));
    expect(await page.textContent("#claimable")).to.contain(`${formatMsn(BigInt(api.claimable))} MSN`);
    const pc = chain();
    const nodes = await pc.readContract({
      address: contracts.MinerStaking,
      abi: stakingAbi,
      functionName: "nodeCount",
      args: [address],
    });
    expect(await page.getAttribute("#nodes", "data-count")).to.equal(nodes.toString());
    expect(await page.textContent("#nodes")).to.match(new RegExp(`^${nodes}: 0x`));
    const active = await pc.readContract({
      address: contracts.MinerStaking,
      abi: stakingAbi,
      functionName: "activeStakeOf",
      args: [address],
    });
    expect(await wei("active")).to.equal(active);
    expect(await page.textContent("#boost")).to.match(
      /^\d\.\d{4}× \(up to \d\.\d{4}× with [\d,.]+ MSN staked for \d+ nodes?\)$/,
    );
    await shot("2-connected");
  });

  it("claims: the balance grows by exactly the claimable amount, and nothing is left to claim", async () => {
    const before = await wei("balance");
    const claimable = await wei("claimable");
    const text = await act("claim", "ok");
    expect(text).to.equal(`Claimed ${formatMsn(claimable)} MSN to your wallet.`);
    expect(await wei("balance")).to.equal(before + claimable);
    expect(await wei("claimable")).to.equal(0n);
    const onChain = await chain().readContract({
      address: contracts.MSNToken,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [wallet.account.address],
    });
    expect(onChain).to.equal(before + claimable);
    expect(await page.textContent("#txs li:first-child")).to.match(
      /^claim: 0x[0-9a-f]{6}…[0-9a-f]{6} confirmed in block \d+$/,
    );
    await shot("3-claimed");
  });

  it("stakes with a permit and with an approval: active stake and boost go up", async () => {
    const active = await wei("active");
    const boost = BigInt((await page.getAttribute("#boost", "data-bps"))!);
    await page.fill("#stake-amount", "100");
    await page.selectOption("#stake-method", "permit");
    expect(await act("stake", "ok")).to.equal("Staked 100 MSN.");
    expect(await wei("active")).to.equal(active + 100n * MSN);
    const boosted = BigInt((await page.getAttribute("#boost", "data-bps"))!);
    expect(boosted > boost, `boost ${boost} -> ${boosted}`).to.equal(true);
    expect(wallet.calls).to.include("eth_signTypedData_v4");

    await page.fill("#stake-amount", "2.5");
    await page.selectOption("#stake-method", "approve");
    expect(await act("stake", "ok")).to.equal("Staked 2.5 MSN.");
    expect(await wei("active")).to.equal(active + 1025n * 10n ** 17n);
    const labels = await page.$$eval("#txs li", (lis) => lis.map((li) => li.textContent ?? ""));
    expect(labels[0]).to.match(/^stake: .* confirmed/);
    expect(labels[1]).to.match(/^approve: .* confirmed/);
    expect(labels[2]).to.match(/^stake \(permit\): .* confirmed/);
    await shot("4-staked");
  });

  it("shows a rejected request, a contract revert and a typing mistake in words, and sends nothing", async () => {
    const txs = await page.$$eval("#txs li", (lis) => lis.length);
    const active = await wei("active");

    wallet.rejectNext = true;
    await page.fill("#unstake-amount", "1");
    const rejected = await act("unstake", "error");
    expect(rejected).to.equal("Request unstake: You rejected the request in your wallet: nothing was sent.");
    await shot("5-rejected");

    await page.fill("#unstake-amount", "1000000000");
    const reverted = await act("unstake", "error");
    expect(reverted).to.equal(
      `Request unstake: You asked to unstake 1,000,000,000 MSN, but only ${formatMsn(active)} MSN is actively staked.`,
    );
    await shot("6-revert-decoded");

    await page.fill("#stake-amount", "1.2.3");
    expect(await act("stake", "error")).to.equal('Stake: "1.2.3" is not an amount: write it like 12.5.');

    expect(await page.$$eval("#txs li", (lis) => lis.length)).to.equal(txs);
    expect(await wei("active")).to.equal(active);
  });

  it("requests an unstake, shows it unbonding, and withdraws it after the unbonding period", async () => {
    const active = await wei("active");
    const balance = await wei("balance");
    // With mining paused the transaction stays pending, and the page says so until it is mined.
    await wallet.handle("evm_setAutomine", [false]);
    await page.fill("#unstake-amount", "50");
    const done = act("unstake", "ok");
    await page.waitForSelector("#txs li.status-pending");
    expect(await page.textContent("#txs li:first-child")).to.match(
      /^request unstake: 0x[0-9a-f]{6}…[0-9a-f]{6} pending…$/,
    );
    expect(await page.textContent("#message")).to.equal("Request unstake: sent, waiting for it to be mined…");
    await shot("7-pending");
    await wallet.handle("evm_mine", []);
    await wallet.handle("evm_setAutomine", [true]);
    expect(await done).to.match(/^Unstake of 50 MSN requested: withdrawable after \d+ d/);
    expect(await page.textContent("#txs li:first-child")).to.match(
      /^request unstake: .* confirmed in block \d+$/,
    );
    expect(await wei("active")).to.equal(active - 50n * MSN);
    expect(await wei("unbonding")).to.equal(50n * MSN);
    expect(await page.textContent("#unbonding")).to.match(
      /0 MSN withdrawable now; next release .* \(in \d+ d/,
    );

    // Too early: the contract's StakingUnbondingNotMatured, in words.
    expect(await act("withdraw", "error")).to.match(
      /^Withdraw: Nothing is withdrawable yet: your unbonding stake is released at /,
    );

    const period = await chain().readContract({
      address: contracts.MinerStaking,
      abi: stakingAbi,
      functionName: "unbondingPeriod",
    });
    await wallet.handle("evm_increaseTime", [Number(period) + 1]);
    await wallet.handle("evm_mine", []);
    expect(await act("withdraw", "ok")).to.equal("Withdrew 50 MSN to your wallet.");
    expect(await wei("unbonding")).to.equal(0n);
    expect(await wei("balance")).to.equal(balance + 50n * MSN);
    await shot("8-withdrawn");
  });

  it("follows an account switch in the wallet and claims-and-stakes for the new account", async () => {
    const other = served!.operators.find((o) => o.address !== wallet.account.address.toLowerCase())!;
    const api = await json<RewardsReply>(`${served!.oracleUrl}/v1/rewards/${other.address}`);
    const before = Number((await page.getAttribute("body", "data-refreshed")) ?? "0");
    await wallet.switchAccount(other.key);
    await page.waitForFunction((n) => Number(document.body.dataset.refreshed ?? "0") > n, before);
    expect((await page.getAttribute("#account", "data-address"))!.toLowerCase()).to.equal(other.address);
    expect(await wei("claimable")).to.equal(BigInt(api.claimable));
    const active = await wei("active");
    const balance = await wei("balance");
    expect(await act("claim-stake", "ok")).to.equal(
      `Claimed and staked ${formatMsn(BigInt(api.claimable))} MSN.`,
    );
    expect(await wei("active")).to.equal(active + BigInt(api.claimable));
    expect(await wei("balance")).to.equal(balance);
    expect(await wei("claimable")).to.equal(0n);
    expect(await act("claim", "ok")).to.equal("Nothing to claim now.");
    await shot("9-claimed-and-staked");
  });

  it("stops showing the account when the wallet leaves the chain or disconnects, and reconnects", async () => {
    await wallet.switchChain(1);
    await page.waitForSelector("#miner", { state: "hidden" });
    expect(await page.textContent("#message")).to.equal(
      "The wallet switched to chain 1; this page works on chain 31337: connect again.",
    );
    await shot("10-wrong-chain");
    // Connecting again asks the wallet to switch back.
    await page.click("#connect");
    await page.waitForSelector("#miner:not([hidden])");
    expect(wallet.chainId).to.equal(31337);
    await wallet.emit("accountsChanged", []);
    await page.waitForSelector("#miner", { state: "hidden" });
    expect(await page.textContent("#message")).to.equal("The wallet disconnected this page.");
    expect(await page.textContent("#connect")).to.equal("Connect wallet");
    expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
  });
});
