import {
  encodeFunctionData,
  keccak256,
  TransactionReceiptNotFoundError,
  type Abi,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { Db } from "../db/types.js";
import { OracleError, errorMessage } from "../lib/errors.js";
import { fromHex, toHex, type Hex } from "../lib/hex.js";
import type { Logger } from "../lib/logger.js";
import { isRetryable, sleep, withRetry } from "../lib/retry.js";
import { revertReason } from "./revert.js";

export type TxKind = "mint" | "propose" | "accept";

export interface TxRequest {
  kind: TxKind;
  /** The epoch the transaction is for (the key under which it is recorded). */
  epoch: number;
  address: Hex;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  /** True when the chain already shows the effect (sent by us earlier, by another replica, by a keeper). */
  isDone(): Promise<boolean>;
}

export type TxOutcome =
  { status: "mined"; txHash: Hex; blockNumber: number } | { status: "already_done"; txHash: Hex | undefined };

/** Points at which a test can stop the sender (by throwing or killing the process). */
export type TxHookPoint = "stored" | "broadcast";

export interface TxSenderOptions {
  db: Db;
  chain: PublicClient;
  chainId: number;
  account: LocalAccount;
  logger: Logger;
  /** How long to wait for a broadcast transaction before broadcasting it again (ms). */
  timeoutMs: number;
  /** Rebroadcasts before the transaction is replaced by one with the same nonce and higher fees. */
  rebroadcastsBeforeReplace?: number;
  /** Receipt polling interval (ms). */
  pollMs?: number;
  hook?: (point: TxHookPoint, kind: TxKind) => void | Promise<void>;
}

interface StoredTx {
  id: number;
  nonce: number;
  txHash: Hex;
  raw: Hex;
}

/** A transaction whose execution reverted on chain, or would revert (the reason is decoded). */
export class TxRevertedError extends OracleError {
  constructor(
    readonly kind: TxKind,
    readonly reason: string,
    readonly txHash?: Hex,
  ) {
    super(
      "tx_reverted",
      txHash === undefined
        ? `${kind} would revert: ${reason}`
        : `${kind} transaction ${txHash} reverted: ${reason}`,
    );
  }
}

const ROUNDS = 12;

/**
 * Sends the oracle's transactions so that a process killed at any point never sends one twice: each is
 * signed locally and stored (`chain_txs`) before it is broadcast. A later call for the same (kind, epoch)
 * first looks for the stored ones: mined → done; still unknown → waits, rebroadcasts the same bytes, and after
 * a few rounds replaces it (same nonce, higher fees: at most one of them can ever be mined); nonce used by
 * something else → the chain is asked again whether the effect is there (`isDone`). RPC errors are retried
 * with backoff; a revert (simulated before sending, or on chain) stops with the decoded reason.
 */
export class TxSender {
  constructor(private readonly o: TxSenderOptions) {}

  get address(): Hex {
    return this.o.account.address.toLowerCase() as Hex;
  }

  async send(req: TxRequest): Promise<TxOutcome> {
    const { logger } = this.o;
    let rebroadcasts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const open = await this.openTxs(req);
      if (open.length > 0) {
        const mined = await this.findReceipt(req, open);
        if (mined !== undefined) return mined;
        if (await this.retry("check the chain", () => req.isDone())) {
          await this.markOpen(req, "dropped");
          return { status: "already_done", txHash: undefined };
        }
        const nonce = await this.retry("read the nonce", () =>
          this.o.chain.getTransactionCount({ address: this.o.account.address, blockTag: "latest" }),
        );
        const newest = open[open.length - 1]!;
        if (nonce > newest.nonce) {
          // The nonce went to a transaction we do not see mined: give these up and decide afresh.
          logger.warn({ kind: req.kind, epoch: req.epoch, nonce: newest.nonce }, "transaction dropped");
          await this.markOpen(req, "dropped");
          continue;
        }
        if (!(await this.known(newest.txHash))) {
          // Stored but not (or no longer) in the node's pool: a crash before the broadcast, or a drop.
          logger.warn(
            { kind: req.kind, epoch: req.epoch, tx: newest.txHash },
            "stored transaction unknown to the node; broadcasting it",
          );
          await this.broadcast(newest.raw);
        }
        const waited = await this.waitForReceipt(req, open);
        if (waited !== undefined) return waited;
        rebroadcasts++;
        if (rebroadcasts > (this.o.rebroadcastsBeforeReplace ?? 2)) {
          rebroadcasts = 0;
          await this.replace(req, newest);
        } else {
          logger.warn(
            { kind: req.kind, epoch: req.epoch, tx: newest.txHash },
            "transaction not mined yet; rebroadcasting",
          );
          await this.broadcast(newest.raw);
        }
        continue;
      }
      if (await this.retry("check the chain", () => req.isDone())) {
        return { status: "already_done", txHash: undefined };
      }
      const stored = await this.signAndStore(req);
      await this.o.hook?.("stored", req.kind);
      await this.broadcast(stored.raw);
      logger.info(
        { kind: req.kind, epoch: req.epoch, tx: stored.txHash, nonce: stored.nonce },
        "transaction sent",
      );
      await this.o.hook?.("broadcast", req.kind);
    }
    throw new OracleError(
      "tx_not_confirmed",
      `${req.kind} for epoch ${req.epoch}: no transaction confirmed after ${ROUNDS} rounds; it stays recorded and the next run continues`,
      { retryable: true },
    );
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, fn, { logger: this.o.logger });
  }

  private async openTxs(req: TxRequest): Promise<StoredTx[]> {
    const { rows } = await this.o.db.query<{ id: number; nonce: number; tx_hash: Buffer; raw: Buffer }>(
      `SELECT id, nonce, tx_hash, raw FROM chain_txs
       WHERE kind = $1 AND epoch = $2 AND sender = $3 AND status = 'sent' ORDER BY id`,
      [req.kind, req.epoch, fromHex(this.address)],
    );
    return rows.map((r) => ({ id: r.id, nonce: r.nonce, txHash: toHex(r.tx_hash), raw: toHex(r.raw) }));
  }

  private async markOpen(req: TxRequest, status: "dropped"): Promise<void> {
    await this.o.db.query(
      `UPDATE chain_txs SET status = $4, updated_at = now()
       WHERE kind = $1 AND epoch = $2 AND sender = $3 AND status = 'sent'`,
      [req.kind, req.epoch, fromHex(this.address), status],
    );
  }

  /** The receipt of any of `open`, recorded; throws on a revert. */
  private async findReceipt(req: TxRequest, open: StoredTx[]): Promise<TxOutcome | undefined> {
    for (const tx of open) {
      const receipt = await this.retry("read a receipt", () => this.receipt(tx.txHash));
      if (receipt === undefined) continue;
      const status = receipt.status === "success" ? "mined" : "reverted";
      await this.o.db.transaction(async (q) => {
        await q.query(
          "UPDATE chain_txs SET status = 'dropped', updated_at = now() WHERE kind = $1 AND epoch = $2 AND sender = $3 AND status = 'sent' AND id <> $4",
          [req.kind, req.epoch, fromHex(this.address), tx.id],
        );
        await q.query(
          "UPDATE chain_txs SET status = $2, block_number = $3, updated_at = now() WHERE id = $1",
          [tx.id, status, Number(receipt.blockNumber)],
        );
      });
      if (status === "reverted") {
        throw new TxRevertedError(req.kind, await this.reasonAt(req, receipt), tx.txHash);
      }
      return { status: "mined", txHash: tx.txHash, blockNumber: Number(receipt.blockNumber) };
    }
    return undefined;
  }

  /** Whether the node knows the transaction (pending or mined). */
  private async known(hash: Hex): Promise<boolean> {
    try {
      await this.o.chain.getTransaction({ hash });
      return true;
    } catch {
      return false;
    }
  }

  private async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.o.chain.getTransactionReceipt({ hash });
    } catch (err) {
      if (err instanceof TransactionReceiptNotFoundError) return undefined;
      throw err;
    }
  }

  private async waitForReceipt(req: TxRequest, open: StoredTx[]): Promise<TxOutcome | undefined> {
    const end = Date.now() + this.o.timeoutMs;
    let delay = this.o.pollMs ?? 200;
    while (Date.now() < end) {
      const found = await this.findReceipt(req, open);
      if (found !== undefined) return found;
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
    return undefined;
  }

  /** Why a mined transaction reverted: the same call simulated on the state before its block. */
  private async reasonAt(req: TxRequest, receipt: TransactionReceipt): Promise<string> {
    try {
      await this.o.chain.simulateContract({
        address: req.address,
        abi: req.abi,
        functionName: req.functionName,
        args: req.args,
        account: this.o.account.address,
        blockNumber: receipt.blockNumber - 1n,
      } as Parameters<PublicClient["simulateContract"]>[0]);
      return "reverted on chain (the call succeeds on the state before its block, so a transaction before it in the block changed the state)";
    } catch (err) {
      return revertReason(err) ?? errorMessage(err).split("\n")[0]!;
    }
  }

  private async simulate(req: TxRequest): Promise<void> {
    try {
      await this.o.chain.simulateContract({
        address: req.address,
        abi: req.abi,
        functionName: req.functionName,
        args: req.args,
        account: this.o.account.address,
      } as Parameters<PublicClient["simulateContract"]>[0]);
    } catch (err) {
      const reason = revertReason(err);
      if (reason !== undefined) throw new TxRevertedError(req.kind, reason);
      throw err;
    }
  }

  private async signAndStore(req: TxRequest, replacing?: { nonce: number; fees: Fees }): Promise<StoredTx> {
    const { chain, account } = this.o;
    await this.retry(`simulate ${req.kind}`, () => this.simulate(req));
    const data = encodeFunctionData({ abi: req.abi, functionName: req.functionName, args: req.args });
    const nonce =
      replacing?.nonce ??
      (await this.retry("read the nonce", () =>
        chain.getTransactionCount({ address: account.address, blockTag: "pending" }),
      ));
    const gas = await this.retry("estimate gas", () =>
      chain.estimateGas({ account: account.address, to: req.address, data }),
    );
    let fees = await this.retry("estimate fees", () => chain.estimateFeesPerGas());
    if (replacing !== undefined) fees = bump(replacing.fees, fees);
    const raw = await account.signTransaction({
      type: "eip1559",
      chainId: this.o.chainId,
      nonce,
      to: req.address,
      data,
      gas: (gas * 5n) / 4n,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const txHash = keccak256(raw);
    const { rows } = await this.o.db.query<{ id: number }>(
      `INSERT INTO chain_txs (kind, epoch, sender, nonce, tx_hash, raw, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'sent') RETURNING id`,
      [req.kind, req.epoch, fromHex(this.address), nonce, fromHex(txHash), fromHex(raw)],
    );
    return { id: rows[0]!.id, nonce, txHash, raw };
  }

  /** Same nonce, higher fees (at least +25%, which every client accepts as a replacement). */
  private async replace(req: TxRequest, tx: StoredTx): Promise<void> {
    const old = await this.o.chain
      .getTransaction({ hash: tx.txHash })
      .then((t) => ({
        maxFeePerGas: t.maxFeePerGas ?? 0n,
        maxPriorityFeePerGas: t.maxPriorityFeePerGas ?? 0n,
      }))
      .catch(() => ({ maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }));
    const stored = await this.signAndStore(req, { nonce: tx.nonce, fees: old });
    this.o.logger.warn(
      { kind: req.kind, epoch: req.epoch, old: tx.txHash, tx: stored.txHash },
      "transaction replaced with higher fees",
    );
    await this.o.hook?.("stored", req.kind);
    await this.broadcast(stored.raw);
  }

  /** Sends the signed bytes; "already known" and similar answers are fine (the next round checks the chain). */
  private async broadcast(raw: Hex): Promise<void> {
    try {
      await this.o.chain.sendRawTransaction({ serializedTransaction: raw });
    } catch (err) {
      if (isRetryable(err)) this.o.logger.warn({ err: errorMessage(err) }, "broadcast failed; will retry");
      else this.o.logger.debug({ err: errorMessage(err) }, "broadcast answered with an error");
    }
  }
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

function bump(old: Fees, now: Fees): Fees {
  const up = (v: bigint) => (v * 5n) / 4n + 1n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const maxPriorityFeePerGas = max(up(old.maxPriorityFeePerGas), now.maxPriorityFeePerGas);
  const maxFeePerGas = max(max(up(old.maxFeePerGas), now.maxFeePerGas), maxPriorityFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas };
}
