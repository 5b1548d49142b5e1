import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_TEST_GET_TEST_FILES,
} from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

/**
 * Offline compiler: Hardhat cannot download solc on these machines, so the pinned
 * npm `solc` (solc-js, WASM) is handed to it instead. The version here must equal
 * the exact version pinned in package.json.
 */
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version().replace(/\.Emscripten\.clang$/, ""),
  };
});

// `hardhat test` with no file arguments runs the unit and integration suites only: the fork suite
// (test/fork, `npm run test:fork`) needs FORK_URL, and test/shared holds fixtures, not tests.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  if (args.testFiles.length > 0) return files;
  const skip = [path.join(__dirname, "test", "fork"), path.join(__dirname, "test", "shared")];
  return files.filter((f) => !skip.some((dir) => f.startsWith(dir + path.sep)));
});

// Every file in tasks/ registers its own Hardhat tasks (msn:*). Skipped while TypeChain
// types do not exist yet, so that a clean clone can still run `hardhat compile`.
const tasksDir = path.join(__dirname, "tasks");
if (!process.env.MSN_SKIP_TASKS && existsSync(tasksDir)) {
  for (const file of readdirSync(tasksDir).sort()) {
    if (/\.ts$/.test(file) && !file.endsWith(".d.ts")) require(path.join(tasksDir, file));
  }
}

const accounts = process.env.DEPLOYER_PRIVATE_KEY ? [process.env.DEPLOYER_PRIVATE_KEY] : undefined;

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: {
    hardhat: {
      // The fork suite (test/fork) points the in-process network at a deployed chain.
      ...(process.env.FORK_URL ? { forking: { url: process.env.FORK_URL } } : {}),
    },
    localhost: { url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
    ...(process.env.RPC_URL
      ? { custom: { url: process.env.RPC_URL, ...(accounts ? { accounts } : {}) } }
      : {}),
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: {
    enabled: process.env.REPORT_GAS !== undefined,
    currency: "USD",
    noColors: true,
    showMethodSig: false,
  },
  mocha: { timeout: 120_000 },
  paths: { tests: "./test" },
};

export default config;
