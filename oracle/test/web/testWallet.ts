/**
 * An EIP-1193 wallet for the browser test: the page's `window.ethereum` forwards every request to this object
 * in Node (through a Playwright binding). It holds a devnet account's key, signs transactions and typed data
 * like a browser wallet would, forwards reads to the chain's JSON-RPC, and can be told to refuse the next
 * request the user would have to approve (code 4001), as a user pressing "Reject" does.
 */
import type { Page } from "playwright-core";
import { createWalletClient, http, type Hex, type PrivateKeyAccount, type TypedDataDefinition } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** The page's global object, in the callbacks run in the browser (this program has no DOM types). */
declare const window: object;

interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

class WalletRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Requests a user approves in a real wallet: these are the ones `rejectNext` refuses. */
const NEEDS_APPROVAL = new Set(["eth_sendTransaction", "eth_signTypedData_v4", "personal_sign"]);

export class TestWallet {
  account: PrivateKeyAccount;
  /** The chain the wallet says it is on; it starts elsewhere so that the page must ask to switch. */
  chainId: number;
  rejectNext = false;
  /** Every method the page called, in order. */
  readonly calls: string[] = [];
  private page: Page | undefined;

  constructor(
    readonly rpcUrl: string,
    readonly devnetChainId: number,
    key: Hex,
    startChainId = 1,
  ) {
    this.account = privateKeyToAccount(key);
    this.chainId = startChainId;
  }

  /** Installs `window.ethereum` in every page of the context that `page` belongs to. */
  async install(page: Page): Promise<void> {
    this.page = page;
    await page.exposeBinding("__msnWalletRequest", async (_source, method: string, params: unknown) => {
      try {
        return { result: await this.handle(method, (params ?? []) as unknown[]) };
      } catch (err) {
        const e = err as Partial<RpcError>;
        return { error: { code: e.code ?? -32603, message: e.message ?? String(err), data: e.data } };
      }
    });
    await page.addInitScript(() => {
      const listeners = new Map<string, Set<(arg: unknown) => void>>();
      const w = window as unknown as {
        ethereum: unknown;
        __msnWalletRequest: (
          method: string,
          params: unknown,
        ) => Promise<{ result?: unknown; error?: RpcError }>;
        __msnWalletEmit: (event: string, arg: unknown) => void;
      };
      w.__msnWalletEmit = (event, arg) => {
        for (const fn of listeners.get(event) ?? []) fn(arg);
      };
      w.ethereum = {
        isMsnTestWallet: true,
        async request({ method, params }: { method: string; params?: unknown }) {
          const answer = await w.__msnWalletRequest(method, params ?? []);
          if (answer.error !== undefined) {
            const err = new Error(answer.error.message) as Error & { code: number; data?: unknown };
            err.code = answer.error.code;
            if (answer.error.data !== undefined) err.data = answer.error.data;
            throw err;
          }
          return answer.result;
        },
        on(event: string, fn: (arg: unknown) => void) {
          if (!listeners.has(event)) listeners.set(event, new Set());
          listeners.get(event)!.add(fn);
        },
        removeListener(event: string, fn: (arg: unknown) => void) {
          listeners.get(event)?.delete(fn);
        },
      };
    });
  }

  /** Switches the wallet to another account and tells the page, as a wallet does. */
  async switchAccount(key: Hex): Promise<void> {
    this.account = privateKeyToAccount(key);
    await this.emit("accountsChanged", [this.account.address]);
  }

  /** Switches the wallet to another chain and tells the page. */
  async switchChain(chainId: number): Promise<void> {
    this.chainId = chainId;
    await this.emit("chainChanged", `0x${chainId.toString(16)}`);
  }

  /** Fires an EIP-1193 event at the page's listeners. */
  async emit(event: string, arg: unknown): Promise<void> {
    await this.page!.evaluate(
      ([e, a]) => {
        (window as unknown as { __msnWalletEmit: (e: string, a: unknown) => void }).__msnWalletEmit(e, a);
      },
      [event, arg] as const,
    );
  }

  private async rpc(method: string, params: unknown[]): Promise<unknown> {
    const res = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as { result?: unknown; error?: RpcError };
    if (body.error) throw new WalletRequestError(body.error.code, body.error.message, body.error.data);
    return body.result;
  }

  async handle(method: string, params: unknown[]): Promise<unknown> {
    this.calls.push(method);
    if (NEEDS_APPROVAL.has(method) && this.rejectNext) {
      this.rejectNext = false;
      throw new WalletRequestError(4001, "User rejected the request.");
    }
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [this.account.address];
      case "eth_chainId":
        return `0x${this.chainId.toString(16)}`;
      case "wallet_switchEthereumChain": {
        const wanted = Number((params[0] as { chainId: string }).chainId);
        if (wanted !== this.devnetChainId)
          throw new WalletRequestError(4902, `Unrecognized chain ID ${wanted}`);
        this.chainId = wanted;
        return null;
      }
      case "eth_sendTransaction": {
        if (this.chainId !== this.devnetChainId) throw new WalletRequestError(4901, "wrong chain");
        const tx = params[0] as { from: Hex; to: Hex; data?: Hex; value?: Hex; gas?: Hex };
        if (tx.from.toLowerCase() !== this.account.address.toLowerCase()) {
          throw new WalletRequestError(4100, `the wallet does not hold ${tx.from}`);
        }
        const client = createWalletClient({ account: this.account, transport: http(this.rpcUrl) });
        return client.sendTransaction({
          chain: null,
          to: tx.to,
          data: tx.data,
          value: tx.value === undefined ? 0n : BigInt(tx.value),
          ...(tx.gas === undefined ? {} : { gas: BigInt(tx.gas) }),
        });
      }
      case "eth_signTypedData_v4": {
        const [address, json] = params as [Hex, string];
        if (address.toLowerCase() !== this.account.address.toLowerCase()) {
          throw new WalletRequestError(4100, `the wallet does not hold ${address}`);
        }
        const typed = JSON.parse(json) as {
          domain: Record<string, unknown>;
          types: Record<string, { name: string; type: string }[]>;
          primaryType: string;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _domain, ...types } = typed.types;
        // JSON carries integers as strings; the (flat) struct's integer fields go back to bigints.
        const message = Object.fromEntries(
          Object.entries(typed.message).map(([k, v]) => {
            const type = types[typed.primaryType]?.find((f) => f.name === k)?.type ?? "";
            return [k, /^u?int\d*$/.test(type) ? BigInt(v as string) : v];
          }),
        );
        return this.account.signTypedData({ ...typed, types, message } as unknown as TypedDataDefinition);
      }
      default:
        return this.rpc(method, params);
    }
  }
}
