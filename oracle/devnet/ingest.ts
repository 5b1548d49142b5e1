/**
 * The simulated clients at work: sign planned receipts (as a client would, RFC 6979, low s) and post
 * them to the oracle over HTTP in batches, one batch after the other, comparing every answer with what
 * the ingest model expects.
 */
import type { ReceiptResult } from "../src/ingest/reasons.js";
import type { ReceiptSigner } from "../src/receipts/sign.js";
import type { SignedReceipt } from "../src/receipts/types.js";
import { postReceipts } from "./oracleHost.js";
import type { AnswerMismatch, ResultCounts } from "./record.js";
import type { IngestModel, PlannedReceipt } from "./traffic.js";

const MAX_MISMATCHES_KEPT = 20;

export function signPlanned(signer: ReceiptSigner, p: PlannedReceipt): SignedReceipt {
  if (!p.tamper) return signer.sign(p.receipt, p.signer);
  // A forged receipt: the client signed fewer bytes than the receipt claims.
  const signature = signer.signature({ ...p.receipt, bytesServed: p.receipt.bytesServed - 1 }, p.signer);
  return { ...p.receipt, signature };
}

/** The answers to one epoch's receipts, against the model's expectations. */
export class EpochIngest {
  readonly answers: ResultCounts = {};
  readonly mismatches: AnswerMismatch[] = [];
  mismatchCount = 0;
  posted = 0;

  constructor(
    private readonly url: string,
    private readonly signer: ReceiptSigner,
    private readonly model: IngestModel,
    private readonly batchSize: number,
  ) {}

  /** Signs and posts `planned` at chain time `now`; `onBatch(n)` after each batch of n receipts. */
  async post(planned: readonly PlannedReceipt[], now: number, onBatch?: (n: number) => void): Promise<void> {
    for (let i = 0; i < planned.length; i += this.batchSize) {
      const batch = planned.slice(i, i + this.batchSize);
      const signed = batch.map((p) => signPlanned(this.signer, p));
      const expected = this.model.predict(batch, now);
      const got = await postReceipts(this.url, signed);
      this.record(batch, expected, got);
      onBatch?.(batch.length);
    }
  }

  private record(
    batch: readonly PlannedReceipt[],
    expected: readonly ReceiptResult[],
    got: readonly ReceiptResult[],
  ): void {
    for (let k = 0; k < batch.length; k++) {
      const answer = got[k]!;
      this.answers[answer] = (this.answers[answer] ?? 0) + 1;
      this.posted++;
      if (answer !== expected[k]) {
        this.mismatchCount++;
        if (this.mismatches.length < MAX_MISMATCHES_KEPT) {
          const r = batch[k]!.receipt;
          this.mismatches.push({
            intent: batch[k]!.intent,
            node: r.node,
            client: r.client,
            bytesServed: r.bytesServed,
            expected: expected[k]!,
            got: answer,
          });
        }
      }
    }
  }
}
