/**
 * The devnet's view of the local chain (viem): clients, contract addresses, transactions with one-line
 * errors, time travel, and a chain clock for the oracle (its "now" is the latest block's timestamp, so
 * moving the chain's time moves the oracle's epochs with it).
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type Hash,
  type PublicClient,
  type TestClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "../src/lib/hex.js";
import { DevnetError } from "./processes.js";

export interface ContractAddresses {
  token: Hex;
  staking: Hex;
  distributor: Hex;
  minter: Hex;
}

export type Wallet = WalletClient<ReturnType<typeof http>, Chain, Account>;

export interface DevChain {
  url: string;
  chainId: number;
  chain: Chain;
  client: PublicClient;
  test: TestClient;
  contracts: ContractAddresses;
  /** A wallet for a private key (signs locally). */
  wallet(key: Hex): Wallet;
  /** A wallet for an account the node holds unlocked (the Hardhat default accounts). */
  nodeWallet(address: Hex): Wallet;
}

export async function connectChain(url: string, contracts: ContractAddresses): Promise<DevChain> {
  const transport = http(url, { retryCount: 2, timeout: 60_000 });
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: "MSN devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  // Automine answers every transaction in its own block at once: poll receipts fast.
  const client = createPublicClient({ chain, transport, pollingInterval: 25 }) as PublicClient;
  const test = createTestClient({ chain, transport, mode: "hardhat" }) as unknown as TestClient;
  const wallets = new Map<string, Wallet>();
  return {
    url,
    chainId,
    chain,
    client,
    test,
    contracts,
    wallet(key) {
      let w = wallets.get(key);
      if (!w) {
        w = createWalletClient({ chain, transport, account: privateKeyToAccount(key), pollingInterval: 25 });
        wallets.set(key, w);
      }
      return w;
    },
    nodeWallet(address) {
      return createWalletClient({
        chain,
        transport,
        account: { address, type: "json-rpc" } as Account,
        pollingInterval: 25,
      });
    },
  };
}

/** One line for a failed call: the contract's custom error with its arguments, else viem's short message. */
export function describeChainError(err: unknown): string {
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
      const args = (reverted.data.args ?? []).map((a) => String(a)).join(", ");
      return `${reverted.data.errorName}(${args})`;
    }
    return err.shortMessage;
  }
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}

/** Sends a transaction (`action` returns its hash) and waits for a successful receipt. */
export async function sendTx(
  dc: DevChain,
  what: string,
  action: () => Promise<Hash>,
): Promise<TransactionReceipt> {
  let hash: Hash;
  try {
    hash = await action();
  } catch (err) {
    throw new DevnetError(`${what} failed: ${describeChainError(err)}`, { cause: err });
  }
  const receipt = await dc.client.waitForTransactionReceipt({ hash, pollingInterval: 25 });
  if (receipt.status !== "success") throw new DevnetError(`${what} reverted (tx ${hash})`);
  return receipt;
}

export async function latestTimestamp(dc: DevChain): Promise<number> {
  const block = await dc.client.getBlock({ blockTag: "latest" });
  return Number(block.timestamp);
}

/** Mines a block at exactly unix second `t` (later than the latest block). */
export async function travelTo(dc: DevChain, t: number): Promise<void> {
  const now = await latestTimestamp(dc);
  if (t <= now) throw new DevnetError(`cannot travel back in time: to ${t}, the chain is at ${now}`);
  await dc.test.setNextBlockTimestamp({ timestamp: BigInt(t) });
  await dc.test.mine({ blocks: 1 });
}

/**
 * The chain's time as a synchronous clock (what the oracle's context wants): the latest block's
 * timestamp, refreshed on demand after each time travel and every `intervalMs` in the background.
 */
export class ChainClock {
  private value = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dc: DevChain) {}

  readonly now = (): number => this.value;

  async refresh(): Promise<number> {
    this.value = await latestTimestamp(this.dc);
    return this.value;
  }

  start(intervalMs: number): void {
    this.stop();
    const tick = () => {
      this.refresh()
        .catch(() => undefined)
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; `onDone` after each. Rejects on the first error. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onDone?: () => void,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
        onDone?.();
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}
