import path from "node:path";
import { ROOT } from "./child.js";
import { freePort } from "./hardhatNode.js";

/** `npm start`'s entry point (run with `node --import tsx`). */
export const DEVNET_MAIN = path.join(ROOT, "oracle/devnet/main.ts");

/**
 * The devnet's options for a small, quick simulation (20 nodes of 6 operators, 2 epochs) on free ports,
 * keeping its data and deployments file under `dir`.
 */
export async function smallDevnetArgs(dir: string): Promise<string[]> {
  return [
    "--nodes",
    "20",
    "--operators",
    "6",
    "--epochs",
    "2",
    "--receipts-per-node",
    "8",
    "--port",
    String(await freePort()),
    "--oracle-port",
    String(await freePort()),
    "--data-dir",
    dir,
    "--deployments-dir",
    path.join(dir, "deployments"),
  ];
}
