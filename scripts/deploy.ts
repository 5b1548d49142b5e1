/**
 * Deploys the MSN genesis to the selected network:
 *   npx hardhat run scripts/deploy.ts --network <hardhat|localhost|custom>
 * Reads deployments/config/<network>.json (or the file in MSN_CONFIG), validates it before any
 * transaction, deploys, checks every balance, prints the allocation table and writes
 * deployments/<network>.json.
 */
import path from "node:path";
import hre from "hardhat";

import { loadAllocationConfig } from "./lib/allocationConfig";
import { deploySystem } from "./lib/deploySystem";

async function main(): Promise<void> {
  const root = path.join(__dirname, "..");
  const file = path.resolve(
    process.env.MSN_CONFIG ?? path.join(root, "deployments", "config", `${hre.network.name}.json`),
  );
  const config = loadAllocationConfig(file);
  console.log(`network ${hre.network.name}, config ${path.relative(root, file)} (hash ${config.configHash})`);
  const system = await deploySystem(hre, config, {
    configFile: path.relative(root, file),
    write: true,
    log: (line) => console.log(line),
  });
  const { contracts, deploymentBlock } = system.record;
  console.log(
    `MSNToken ${contracts.MSNToken}, VestingVault ${contracts.VestingVault}, TestnetAirdrop ${contracts.TestnetAirdrop}, from block ${deploymentBlock}`,
  );
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
