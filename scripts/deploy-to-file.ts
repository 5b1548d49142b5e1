/**
 * Deploys the whole MSN system exactly like scripts/deploy.ts, but writes the deployment record to the file
 * named by MSN_DEPLOYMENT_OUT instead of deployments/<network>.json, so that the oracle's tests and benchmarks
 * (which start their own `hardhat node`) never overwrite a developer's deployments/localhost.json:
 *
 *   MSN_DEPLOYMENT_OUT=/tmp/x.json LOCALHOST_RPC_URL=http://127.0.0.1:8555 \
 *     npx hardhat run scripts/deploy-to-file.ts --network localhost
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";

import { loadAllocationConfig } from "./lib/allocationConfig";
import { deploySystem } from "./lib/deploySystem";

async function main(): Promise<void> {
  const out = process.env.MSN_DEPLOYMENT_OUT;
  if (!out) throw new Error("set MSN_DEPLOYMENT_OUT to the file the deployment record goes to");
  const root = path.join(__dirname, "..");
  const file = path.resolve(
    process.env.MSN_CONFIG ?? path.join(root, "deployments", "config", `${hre.network.name}.json`),
  );
  const system = await deploySystem(hre, loadAllocationConfig(file), {
    configFile: path.relative(root, file),
    write: false,
  });
  writeFileSync(out, JSON.stringify(system.record, null, 2) + "\n");
  console.log(`deployed from block ${system.record.deploymentBlock}; record written to ${out}`);
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
