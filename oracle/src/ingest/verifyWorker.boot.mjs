// Entry of a verification thread. Under tsx (how the oracle runs) worker threads do not inherit the
// TypeScript loader, so register it here before loading the worker's TypeScript source; a compiled
// build (verifyWorker.js next to this file) is loaded directly.
import { existsSync } from "node:fs";

const compiled = new URL("./verifyWorker.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("./verifyWorker.ts", import.meta.url).href);
}
