/**
 * The miners' web app: connects an EIP-1193 wallet (window.ethereum), shows the network overview and the
 * miner's account (nodes, stake, unbonding, boost, rewards), and sends stake / unstake / withdraw / claim /
 * claim-and-stake transactions through the wallet. Every write is simulated first, so that a revert is shown
 * in words (its custom error decoded) before the wallet is even asked.
 */
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  parseSignature,
  type Abi,
  type Address,
  type Chain,
  type EIP1193Provider,
  type Hash,
  type PublicClient,
  type WalletClient,
} from "viem";
import { PERMIT_TYPES } from "../../src/chain/permit.js";
import { distributorAbi, stakingAbi, tokenAbi } from "./abi.js";
import {
  fetchNodes,
  fetchOverview,
  fetchPublicConfig,
  fetchRewards,
  type PublicConfig,
  type Overview,
  type Rewards,
} from "./api.js";
import { describeError } from "./errors.js";
import {
  formatBoost,
  formatBps,
  formatDuration,
  formatMsn,
  formatTime,
  parseMsn,
  shortHex,
} from "./format.js";

/** Every custom error of the compiled MSN contracts, injected by oracle/web/build.ts. */
declare const __MSN_ERROR_ABI__: Abi;
const ERROR_ABI: Abi = __MSN_ERROR_ABI__;

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

interface Session {
  account: Address;
  publicClient: PublicClient;
  walletClient: WalletClient;
}

interface Contracts {
  token: Address;
  staking: Address;
  distributor: Address;
}

let config: PublicConfig | undefined;
let contracts: Contracts | undefined;
let chain: Chain | undefined;
let session: Session | undefined;
let overview: { value: Overview; fetchedAt: number } | undefined;
let busy = false;

// ---- messages and small DOM helpers ----

function showMessage(kind: "error" | "ok" | "info", text: string): void {
  const box = $("message");
  box.className = kind;
  box.textContent = text;
  box.hidden = false;
}

function clearMessage(): void {
  $("message").hidden = true;
}

/** Shows an MSN amount; the exact wei stay in data-wei (for anyone who wants them, and the browser test). */
function setMsn(id: string, wei: bigint, suffix = ""): void {
  const el = $(id);
  el.textContent = `${formatMsn(wei)} MSN${suffix}`;
  el.dataset.wei = wei.toString();
}

function setBusy(value: boolean): void {
  busy = value;
  document.body.dataset.busy = String(value);
  for (const id of ["claim", "claim-stake", "stake", "unstake", "withdraw", "connect"]) {
    $<HTMLButtonElement>(id).disabled = value;
  }
}

// ---- the network overview (no wallet needed) ----

function renderOverview(): void {
  if (overview === undefined) return;
  const o = overview.value;
  const now = o.now + Math.floor((Date.now() - overview.fetchedAt) / 1000);
  $("ov-epoch").textContent = `${o.epoch.current} (epochs of ${formatDuration(o.epoch.length)})`;
  $("ov-next").textContent =
    now < o.epoch.genesisTime
      ? `emission starts in ${formatDuration(o.epoch.genesisTime - now)}`
      : `${formatDuration(o.epoch.end - now)} (at ${formatTime(o.epoch.end)})`;
  const e = o.emission;
  if (e.year === null) $("ov-emission").textContent = "not started";
  else if (e.rateBps === 0)
    $("ov-emission").textContent = `none: the 10-year schedule has ended (year ${e.year + 1})`;
  else {
    $("ov-emission").textContent =
      `${formatMsn(BigInt(e.emittedThisYear), 0)} of ${formatMsn(BigInt(e.yearBudget), 0)} MSN ` +
      `(year ${e.year + 1}, ${formatBps(e.rateBps)} of genesis supply)`;
    $("ov-emission").dataset.wei = e.emittedThisYear;
  }
  setMsn(
    "ov-staked",
    BigInt(o.staking.totalActive),
    ` (+ ${formatMsn(BigInt(o.staking.totalUnbonding))} unbonding)`,
  );
  const r = o.lastRoot;
  if (r === null) $("ov-root").textContent = "none proposed yet";
  else {
    const status =
      r.status === "pending"
        ? now < r.claimableAt
          ? `in its challenge window, claimable in ${formatDuration(r.claimableAt - now)}`
          : "challenge window over, waiting for acceptance"
        : r.status;
    $("ov-root").textContent =
      `epoch ${r.epoch}: ${shortHex(r.root, 6)}, ${formatMsn(BigInt(r.total))} MSN in total, ${status}`;
    $("ov-root").dataset.status = r.status;
  }
}

async function refreshOverview(): Promise<void> {
  try {
    overview = { value: await fetchOverview(), fetchedAt: Date.now() };
    renderOverview();
  } catch (err) {
    $("ov-root").textContent = `overview unavailable: ${describeError(err, ERROR_ABI)}`;
  }
}

// ---- the wallet ----

function hexChainId(id: number): `0x${string}` {
  return `0x${id.toString(16)}`;
}

/** Asks the wallet to switch to the deployment's chain, adding it first when it does not know it. */
async function ensureChain(provider: EIP1193Provider, cfg: PublicConfig): Promise<void> {
  const current = Number(await provider.request({ method: "eth_chainId" }));
  if (current === cfg.chainId) return;
  try {
    await provider.request({
      method: "wallet_switchEthereumChain",
      params: [{ chainId: hexChainId(cfg.chainId) }],
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 4902 || cfg.rpcUrl === null) throw err;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId: hexChainId(cfg.chainId),
          chainName: chain!.name,
          nativeCurrency: chain!.nativeCurrency,
          rpcUrls: [cfg.rpcUrl],
        },
      ],
    });
  }
  const after = Number(await provider.request({ method: "eth_chainId" }));
  if (after !== cfg.chainId) {
    throw new Error(`the wallet is on chain ${after}; switch it to chain ${cfg.chainId} to use this page`);
  }
}

async function connect(): Promise<void> {
  const provider = window.ethereum;
  if (provider === undefined) {
    showMessage(
      "error",
      "No browser wallet found: install one (MetaMask, Rabby…) or open this page in a wallet's browser.",
    );
    return;
  }
  if (config === undefined || chain === undefined || contracts === undefined) {
    showMessage("error", "The oracle's configuration did not load: reload the page.");
    return;
  }
  setBusy(true);
  try {
    const accounts = (await provider.request({ method: "eth_requestAccounts" })) as Address[];
    if (accounts.length === 0) throw new Error("the wallet shared no account");
    await ensureChain(provider, config);
    useAccount(provider, accounts[0]!);
    clearMessage();
    await refreshAccount();
  } catch (err) {
    showMessage("error", describeError(err, ERROR_ABI));
  } finally {
    setBusy(false);
  }
}

function useAccount(provider: EIP1193Provider, account: Address): void {
  const transport = custom(provider);
  session = {
    account,
    // Poll receipts every second: a pending transaction turns confirmed promptly on any chain.
    publicClient: createPublicClient({ chain, transport, pollingInterval: 1_000 }) as PublicClient,
    walletClient: createWalletClient({ account, chain, transport }),
  };
  $("account").textContent = shortHex(account);
  $("account").title = account;
  $("account").dataset.address = account;
  $("account").hidden = false;
  $("connect").textContent = "Refresh";
  $("miner").hidden = false;
}

function disconnect(reason: string): void {
  session = undefined;
  $("miner").hidden = true;
  $("account").hidden = true;
  $("connect").textContent = "Connect wallet";
  showMessage("info", reason);
}

function watchWallet(provider: EIP1193Provider): void {
  provider.on?.("accountsChanged", (accounts: Address[]) => {
    if (accounts.length === 0) disconnect("The wallet disconnected this page.");
    else if (session !== undefined) {
      useAccount(provider, accounts[0]!);
      void refreshAccount();
    }
  });
  provider.on?.("chainChanged", (id: string) => {
    if (config !== undefined && Number(id) !== config.chainId) {
      disconnect(
        `The wallet switched to chain ${Number(id)}; this page works on chain ${config.chainId}: connect again.`,
      );
    }
  });
}

// ---- the miner's account ----

async function refreshAccount(): Promise<void> {
  const s = session;
  if (s === undefined || contracts === undefined) return;
  const { publicClient: pc, account } = s;
  const { token, staking, distributor } = contracts;
  const [balance, nodeCount, active, unbonding, requests, claimed, block, nodes, rewards] = await Promise.all(
    [
      pc.readContract({ address: token, abi: tokenAbi, functionName: "balanceOf", args: [account] }),
      pc.readContract({ address: staking, abi: stakingAbi, functionName: "nodeCount", args: [account] }),
      pc.readContract({ address: staking, abi: stakingAbi, functionName: "activeStakeOf", args: [account] }),
      pc.readContract({ address: staking, abi: stakingAbi, functionName: "unbondingOf", args: [account] }),
      pc.readContract({
        address: staking,
        abi: stakingAbi,
        functionName: "unbondingRequestCount",
        args: [account],
      }),
      pc.readContract({
        address: distributor,
        abi: distributorAbi,
        functionName: "claimed",
        args: [account],
      }),
      pc.getBlock({ blockTag: "latest" }),
      fetchNodes(account).catch(() => undefined),
      fetchRewards(account),
    ],
  );
  const [boost, [maxBoostBps, fullStakePerNode]] = await Promise.all([
    pc.readContract({
      address: staking,
      abi: stakingAbi,
      functionName: "boostBps",
      args: [account, nodeCount, block.timestamp],
    }),
    pc.readContract({ address: staking, abi: stakingAbi, functionName: "boostParams" }),
  ]);
  const shown = Math.min(Number(requests), 3);
  const queue = await Promise.all(
    Array.from({ length: shown }, (_, i) =>
      pc.readContract({
        address: staking,
        abi: stakingAbi,
        functionName: "unbondingRequest",
        args: [account, BigInt(i)],
      }),
    ),
  );
  if (session !== s) return; // the account changed meanwhile

  setMsn("balance", balance);
  const nodesEl = $("nodes");
  nodesEl.dataset.count = nodeCount.toString();
  nodesEl.textContent =
    nodeCount === 0n
      ? "none registered: register a node (npx hardhat msn:register-node) to earn rewards"
      : `${nodeCount}: ${(nodes ?? []).map((n) => shortHex(n)).join(", ")}${nodes !== undefined && BigInt(nodes.length) < nodeCount ? ", …" : ""}`;
  nodesEl.title = (nodes ?? []).join("\n");
  setMsn("active", active);
  const [unbondingTotal, withdrawable] = unbonding;
  const now = Number(block.timestamp);
  const next = queue.find((q) => Number(q.releaseTime) > now);
  setMsn(
    "unbonding",
    unbondingTotal,
    unbondingTotal === 0n
      ? ""
      : `, ${formatMsn(withdrawable)} MSN withdrawable now` +
          (next
            ? `; next release ${formatTime(Number(next.releaseTime))} (in ${formatDuration(Number(next.releaseTime) - now)})`
            : ""),
  );
  $("unbonding").dataset.withdrawable = withdrawable.toString();
  const fullStake = nodeCount * fullStakePerNode;
  $("boost").textContent =
    nodeCount === 0n
      ? `${formatBoost(boost)} (no nodes)`
      : boost >= maxBoostBps
        ? `${formatBoost(boost)} (the maximum)`
        : `${formatBoost(boost)} (up to ${formatBoost(maxBoostBps)} with ${formatMsn(fullStake)} MSN staked for ${nodeCount} node${nodeCount === 1n ? "" : "s"})`;
  $("boost").dataset.bps = boost.toString();
  renderRewards(rewards, claimed, now);
  setMsn("claimed", claimed);
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? "0") + 1);
}

function renderRewards(rewards: Rewards | undefined, claimed: bigint, now: number): void {
  const claimable = rewards === undefined ? 0n : BigInt(rewards.claimable);
  setMsn("claimable", claimable, rewards?.epoch != null ? ` (root of epoch ${rewards.epoch})` : "");
  const p = rewards?.pending;
  if (p == null) {
    $("pending").textContent = "nothing";
    $("pending").dataset.wei = "0";
  } else {
    const more = BigInt(p.cumulativeAmount) - (claimable + claimed);
    const extra = more > 0n ? more : 0n;
    setMsn(
      "pending",
      extra,
      ` more with epoch ${p.epoch}, claimable ${p.claimableAt > now ? `in ${formatDuration(p.claimableAt - now)}` : "once accepted"}`,
    );
  }
}

// ---- transactions ----

function trackTx(label: string, hash: Hash): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "status-pending";
  li.dataset.hash = hash;
  li.textContent = `${label}: ${shortHex(hash, 6)} pending…`;
  $("txs").prepend(li);
  return li;
}

/** Sends one transaction (already simulated by `send`), shows it as pending, waits for its receipt. */
async function sendTracked(label: string, send: () => Promise<Hash>): Promise<void> {
  const s = session!;
  const hash = await send();
  const li = trackTx(label, hash);
  showMessage("info", `${label[0]!.toUpperCase()}${label.slice(1)}: sent, waiting for it to be mined…`);
  const receipt = await s.publicClient.waitForTransactionReceipt({ hash });
  const ok = receipt.status === "success";
  li.className = ok ? "status-confirmed" : "status-failed";
  li.textContent = `${label}: ${shortHex(hash, 6)} ${ok ? "confirmed" : "failed"} in block ${receipt.blockNumber}`;
  if (!ok) throw new Error(`${label} failed on chain (transaction ${hash})`);
}

/** Runs one user action: busy while it runs, its outcome (or error in words) in the message box. */
async function action(name: string, run: () => Promise<string>): Promise<void> {
  if (busy) return;
  if (session === undefined || contracts === undefined) {
    showMessage("error", "Connect your wallet first.");
    return;
  }
  setBusy(true);
  showMessage("info", `${name}: confirm in your wallet…`);
  try {
    const done = await run();
    showMessage("ok", done);
  } catch (err) {
    showMessage("error", `${name}: ${describeError(err, ERROR_ABI)}`);
  } finally {
    setBusy(false);
    await Promise.all([refreshAccount(), refreshOverview()]).catch((err: unknown) =>
      showMessage("error", `Refreshing failed: ${describeError(err, ERROR_ABI)}`),
    );
  }
}

async function claim(andStake: boolean): Promise<string> {
  const { account, publicClient: pc, walletClient: wc } = session!;
  const { distributor } = contracts!;
  const rewards = await fetchRewards(account);
  const claimable = rewards === undefined ? 0n : BigInt(rewards.claimable);
  if (rewards === undefined || claimable === 0n) {
    const pending = rewards?.pending;
    return pending == null
      ? "Nothing to claim now."
      : `Nothing to claim now: epoch ${pending.epoch}'s rewards become claimable after its challenge window.`;
  }
  const amount = BigInt(rewards.cumulativeAmount);
  const proof = rewards.proof as Hash[]; // 32-byte hex, by the response schema
  if (andStake) {
    const { request } = await pc.simulateContract({
      account,
      address: distributor,
      abi: distributorAbi,
      functionName: "claimAndStake",
      args: [amount, proof],
    });
    await sendTracked("claim and stake", () => wc.writeContract(request));
    return `Claimed and staked ${formatMsn(claimable)} MSN.`;
  }
  const { request } = await pc.simulateContract({
    account,
    address: distributor,
    abi: distributorAbi,
    functionName: "claim",
    args: [account, amount, proof],
  });
  await sendTracked("claim", () => wc.writeContract(request));
  return `Claimed ${formatMsn(claimable)} MSN to your wallet.`;
}

async function stake(): Promise<string> {
  const { account, publicClient: pc, walletClient: wc } = session!;
  const { token, staking } = contracts!;
  const amount = parseMsn($<HTMLInputElement>("stake-amount").value);
  const method = $<HTMLSelectElement>("stake-method").value;
  if (method === "permit") {
    const [nonce, domain, block] = await Promise.all([
      pc.readContract({ address: token, abi: tokenAbi, functionName: "nonces", args: [account] }),
      // ERC-5267: the token says which EIP-712 domain its permits are checked against.
      pc.readContract({ address: token, abi: tokenAbi, functionName: "eip712Domain" }),
      pc.getBlock({ blockTag: "latest" }),
    ]);
    const [, name, version, chainId, verifyingContract] = domain;
    const deadline = block.timestamp + 3600n;
    const signature = await wc.signTypedData({
      account,
      domain: { name, version, chainId, verifyingContract },
      types: PERMIT_TYPES,
      primaryType: "Permit",
      message: { owner: account, spender: staking, value: amount, nonce, deadline },
    });
    const { r, s, v, yParity } = parseSignature(signature);
    const { request } = await pc.simulateContract({
      account,
      address: staking,
      abi: stakingAbi,
      functionName: "stakeWithPermit",
      args: [amount, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
    });
    await sendTracked("stake (permit)", () => wc.writeContract(request));
  } else {
    const allowance = await pc.readContract({
      address: token,
      abi: tokenAbi,
      functionName: "allowance",
      args: [account, staking],
    });
    if (allowance < amount) {
      const { request } = await pc.simulateContract({
        account,
        address: token,
        abi: tokenAbi,
        functionName: "approve",
        args: [staking, amount],
      });
      await sendTracked("approve", () => wc.writeContract(request));
    }
    const { request } = await pc.simulateContract({
      account,
      address: staking,
      abi: stakingAbi,
      functionName: "stake",
      args: [amount],
    });
    await sendTracked("stake", () => wc.writeContract(request));
  }
  $<HTMLInputElement>("stake-amount").value = "";
  return `Staked ${formatMsn(amount)} MSN.`;
}

async function requestUnstake(): Promise<string> {
  const { account, publicClient: pc, walletClient: wc } = session!;
  const amount = parseMsn($<HTMLInputElement>("unstake-amount").value);
  const { request } = await pc.simulateContract({
    account,
    address: contracts!.staking,
    abi: stakingAbi,
    functionName: "requestUnstake",
    args: [amount],
  });
  await sendTracked("request unstake", () => wc.writeContract(request));
  $<HTMLInputElement>("unstake-amount").value = "";
  const period = await pc.readContract({
    address: contracts!.staking,
    abi: stakingAbi,
    functionName: "unbondingPeriod",
  });
  return `Unstake of ${formatMsn(amount)} MSN requested: withdrawable after ${formatDuration(Number(period))}.`;
}

async function withdraw(): Promise<string> {
  const { account, publicClient: pc, walletClient: wc } = session!;
  const { request, result } = await pc.simulateContract({
    account,
    address: contracts!.staking,
    abi: stakingAbi,
    functionName: "withdraw",
  });
  await sendTracked("withdraw", () => wc.writeContract(request));
  return `Withdrew ${formatMsn(result)} MSN to your wallet.`;
}

// ---- start ----

async function start(): Promise<void> {
  $("connect").addEventListener("click", () => void connect());
  $("claim").addEventListener("click", () => void action("Claim", () => claim(false)));
  $("claim-stake").addEventListener("click", () => void action("Claim and stake", () => claim(true)));
  $("stake").addEventListener("click", () => void action("Stake", stake));
  $("unstake").addEventListener("click", () => void action("Request unstake", requestUnstake));
  $("withdraw").addEventListener("click", () => void action("Withdraw", withdraw));
  try {
    config = await fetchPublicConfig();
  } catch (err) {
    showMessage("error", `The oracle's configuration did not load: ${describeError(err, ERROR_ABI)}`);
    return;
  }
  const { MSNToken, RewardsDistributor } = config.contracts;
  if (MSNToken === null || RewardsDistributor === null) {
    showMessage(
      "error",
      "This oracle serves no RewardsDistributor: staking and claims are unavailable here.",
    );
  } else {
    // 20-byte hex, by the response schema.
    contracts = {
      token: MSNToken as Address,
      staking: config.contracts.MinerStaking as Address,
      distributor: RewardsDistributor as Address,
    };
  }
  chain = defineChain({
    id: config.chainId,
    name: config.chainId === 31337 ? "MSN devnet (Hardhat)" : `MSN chain ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: config.rpcUrl === null ? [] : [config.rpcUrl] } },
  });
  $("network").textContent = `chain ${config.chainId}`;
  if (window.ethereum !== undefined) watchWallet(window.ethereum);
  await refreshOverview();
  setInterval(renderOverview, 1000);
  setInterval(() => void refreshOverview(), 15_000);
  document.body.dataset.ready = "true";
}

void start();
