import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { bundleChunks, createKeccak256, toHex, type EpochBundle, type Hash } from "../epoch/index.js";

/** The file name of an epoch's bundle in the bundle directory. */
export function bundleFileName(epoch: number): string {
  return `epoch-${epoch}.json`;
}

/**
 * Writes the canonical bundle to `<dir>/epoch-<e>.json` (via a temporary file, fsync and rename, so the
 * file is either the old one or the whole new one) and returns its keccak256 and size, computed over the
 * bytes as they are written: one pass, about 1 MB in memory at a time.
 */
export async function writeBundleFile(
  dir: string,
  bundle: EpochBundle,
  onProgress?: (bytes: number) => void,
): Promise<{ file: string; hash: Hash; bytes: number }> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, bundleFileName(bundle.epoch));
  const tmp = `${file}.${process.pid}.tmp`;
  const hasher = await createKeccak256();
  hasher.init();
  const fd = openSync(tmp, "w");
  let bytes = 0;
  try {
    for (const chunk of bundleChunks(bundle)) {
      hasher.update(chunk);
      let at = 0;
      while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at);
      bytes += chunk.length;
      onProgress?.(bytes);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return { file, hash: toHex(hasher.digest("binary")), bytes };
}

/** keccak256 of a file's bytes, read in 1 MiB pieces; undefined when the file does not exist. */
export async function hashFile(file: string): Promise<Hash | undefined> {
  if (!existsSync(file)) return undefined;
  const hasher = await createKeccak256();
  hasher.init();
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hasher.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return toHex(hasher.digest("binary"));
}
