// Verification thread: receives packed receipt slices, answers validity bytes and digests.
import { parentPort, workerData } from "node:worker_threads";
import { ReceiptVerifier } from "../receipts/verify.js";
import type { ReceiptDomain } from "../receipts/types.js";
import { verifySync } from "./verifier.js";

const port = parentPort!;
const ready = ReceiptVerifier.create((workerData as { domain: ReceiptDomain }).domain);

port.on("message", async (m: { id: number; packed: ArrayBuffer; count: number }) => {
  const verifier = await ready;
  const v = new ArrayBuffer(m.count);
  const d = new ArrayBuffer(m.count * 32);
  verifySync(verifier, Buffer.from(m.packed), m.count, new Uint8Array(v), Buffer.from(d));
  port.postMessage({ id: m.id, valid: v, digests: d }, [v, d]);
});
