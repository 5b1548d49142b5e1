import { createRequire } from "node:module";
import type * as Secp from "secp256k1";

type SecpApi = typeof Secp;

const require = createRequire(import.meta.url);

function load(): { secp: SecpApi; native: boolean } {
  try {
    // The native libsecp256k1 binding (prebuilt for linux-x64 inside the package). The package's
    // main entry silently falls back to a pure-JS implementation ~20x slower; we want to know.
    return { secp: require("secp256k1/bindings.js") as SecpApi, native: true };
  } catch {
    return { secp: require("secp256k1/elliptic.js") as SecpApi, native: false };
  }
}

const loaded = load();

/** secp256k1 (libsecp256k1 when its native binding loads). */
export const secp256k1: SecpApi = loaded.secp;
/** False when the native binding failed to load and the slow pure-JS fallback is in use. */
export const secpIsNative: boolean = loaded.native;
