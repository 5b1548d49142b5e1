import { existsSync } from "node:fs";
import { BrowserProvider, ContractFactory, Contract, formatEther, getAddress, isAddress } from "ethers";
import { task } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import { createProvider } from "hardhat/internal/core/providers/construction";
import type { EthereumProvider, HardhatRuntimeEnvironment } from "hardhat/types";
import type { EmissionMinter, MSNToken } from "../typechain-types";
import { deploymentPath, readDeployment } from "../scripts/lib/deployments";

const TASK = "msn:schedule";

interface ScheduleSource {
  minter: EmissionMinter;
  token: MSNToken;
  /** Where the figures come from, for the heading. */
  description: string;
  /** Whether GENESIS_TIME is a real launch date worth printing. */
  deployed: boolean;
}

interface ScheduleRow {
  year: number;
  rateBps: bigint;
  budget: bigint;
  cumulative: bigint;
  totalSupply: bigint;
  from: bigint;
  to: bigint;
}

function fail(message: string): never {
  throw new HardhatPluginError(TASK, message);
}

/** 1234567.5e18 wei -> "1,234,567.5" (MSN, exact: no rounding). */
export function formatMsn(wei: bigint): string {
  const [whole, fraction] = formatEther(wei).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === "0" ? grouped : `${grouped}.${fraction}`;
}

function formatBps(bps: bigint): string {
  return `${bps / 100n}.${(bps % 100n).toString().padStart(2, "0")}`;
}

function formatDate(unixSeconds: bigint): string {
  return new Date(Number(unixSeconds) * 1000).toISOString().slice(0, 10);
}

async function attach(
  hre: HardhatRuntimeEnvironment,
  address: string,
  description: string,
): Promise<ScheduleSource> {
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    fail(`no contract at ${address} on network "${hre.network.name}"`);
  }
  const minter = (await hre.ethers.getContractAt("EmissionMinter", address)) as unknown as EmissionMinter;
  let tokenAddress: string;
  try {
    tokenAddress = await minter.TOKEN();
    await minter.EMISSION_EPOCHS();
  } catch {
    fail(`${address} on network "${hre.network.name}" is not an EmissionMinter`);
  }
  const token = (await hre.ethers.getContractAt("MSNToken", tokenAddress)) as unknown as MSNToken;
  return { minter, token, description, deployed: true };
}

/**
 * Deploys MSNToken and EmissionMinter from their compiled artifacts on an in-process Hardhat network
 * (the current one if it is `hardhat`, a fresh one otherwise), so that every figure comes from the
 * contract code itself.
 */
async function deployLocally(hre: HardhatRuntimeEnvironment): Promise<ScheduleSource> {
  const eip1193: EthereumProvider =
    hre.network.name === "hardhat"
      ? hre.network.provider
      : await createProvider(hre.config, "hardhat", hre.artifacts);
  const provider = new BrowserProvider(eip1193);
  const signer = await provider.getSigner(0);
  const [tokenArtifact, minterArtifact] = await Promise.all([
    hre.artifacts.readArtifact("MSNToken"),
    hre.artifacts.readArtifact("EmissionMinter"),
  ]);
  // The token refuses any genesis split that does not add up to its GENESIS_SUPPLY constant.
  const genesisSupply = 100_000_000n * 10n ** 18n;
  const tokenFactory = new ContractFactory(tokenArtifact.abi, tokenArtifact.bytecode, signer);
  const token = await tokenFactory.deploy([signer.address], [genesisSupply], signer.address);
  await token.waitForDeployment();
  const latest = await provider.getBlock("latest");
  if (latest === null) fail("the in-process Hardhat network returned no block");
  const minterFactory = new ContractFactory(minterArtifact.abi, minterArtifact.bytecode, signer);
  const minter = await minterFactory.deploy(
    await token.getAddress(),
    signer.address,
    BigInt(latest.timestamp) + 1n,
    86_400n,
  );
  await minter.waitForDeployment();
  return {
    minter: new Contract(
      await minter.getAddress(),
      minterArtifact.abi,
      provider,
    ) as unknown as EmissionMinter,
    token: new Contract(await token.getAddress(), tokenArtifact.abi, provider) as unknown as MSNToken,
    description: "computed by the EmissionMinter artifact deployed on an in-process Hardhat network",
    deployed: false,
  };
}

async function resolveSource(
  hre: HardhatRuntimeEnvironment,
  args: { minter?: string; local: boolean },
): Promise<ScheduleSource> {
  if (args.minter !== undefined && args.local) fail("use either --minter or --local, not both");
  if (args.minter !== undefined) {
    if (!isAddress(args.minter)) fail(`--minter is not an address: "${args.minter}"`);
    const address = getAddress(args.minter);
    return attach(hre, address, `EmissionMinter ${address} on network "${hre.network.name}"`);
  }
  if (args.local) return deployLocally(hre);

  const file = deploymentPath(hre.network.name);
  if (!existsSync(file)) {
    console.log(`(no ${file}: computing the schedule locally)`);
    return deployLocally(hre);
  }
  const record = readDeployment(hre.network.name);
  const address = record.contracts.EmissionMinter;
  if (address === undefined) {
    console.log(`(${file} records no EmissionMinter: computing the schedule locally)`);
    return deployLocally(hre);
  }
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  if (BigInt(record.chainId) !== chainId) {
    fail(
      `${file} was written for chain id ${record.chainId}, but network "${hre.network.name}" is ${chainId}`,
    );
  }
  if (hre.network.name === "hardhat" && (await hre.ethers.provider.getCode(address)) === "0x") {
    // An in-process network starts empty: a recorded address from an earlier run is gone.
    console.log(`(${file} names ${address}, which this in-process network does not hold: computing locally)`);
    return deployLocally(hre);
  }
  return attach(hre, address, `EmissionMinter ${address} on network "${hre.network.name}" (from ${file})`);
}

async function readSchedule(source: ScheduleSource): Promise<{ rows: ScheduleRow[]; after: ScheduleRow }> {
  const { minter, token } = source;
  const [genesisTime, year, genesisSupply] = await Promise.all([
    minter.GENESIS_TIME(),
    minter.YEAR(),
    token.GENESIS_SUPPLY(),
  ]);
  const row = async (y: number): Promise<ScheduleRow> => {
    const from = genesisTime + BigInt(y) * year;
    const to = from + year;
    const [rateBps, budget, cumulative] = await Promise.all([
      minter.rateBps(y),
      minter.yearBudget(y),
      minter.emitted(to),
    ]);
    return { year: y, rateBps, budget, cumulative, totalSupply: genesisSupply + cumulative, from, to };
  };
  const rows = await Promise.all(Array.from({ length: 10 }, (_, y) => row(y)));
  return { rows, after: await row(10) };
}

task(TASK, "Prints the ten-year emission schedule, read from the EmissionMinter contract")
  .addOptionalParam("minter", "EmissionMinter address (default: deployments/<network>.json)")
  .addFlag("local", "compute from the compiled contract on an in-process Hardhat network")
  .setAction(async (args: { minter?: string; local: boolean }, hre) => {
    const source = await resolveSource(hre, args);
    const { minter, token } = source;
    const { rows, after } = await readSchedule(source);
    const [epochLength, year, totalEmission, maxSupply, genesisTime] = await Promise.all([
      minter.EPOCH_LENGTH(),
      minter.YEAR(),
      minter.TOTAL_EMISSION(),
      token.MAX_SUPPLY(),
      minter.GENESIS_TIME(),
    ]);

    console.log(`MSN emission schedule: ${source.description}`);
    if (source.deployed) console.log(`genesis ${formatDate(genesisTime)} (T0 = ${genesisTime})`);
    console.log(
      `year = 365 days = ${year} s; epoch = ${epochLength} s (${year / epochLength} per year); ` +
        `rates apply to the 100M genesis supply, not compounding; year y is 0-based from T0, as in rateBps(y)`,
    );
    console.log("");

    const header = [
      "year",
      ...(source.deployed ? ["from", "to"] : []),
      "rate %",
      "budget MSN",
      "cumulative MSN",
      "total supply MSN",
    ];
    const body = [...rows, after].map((r) => [
      r === after ? `${r.year}+` : String(r.year),
      ...(source.deployed ? [formatDate(r.from), r === after ? "" : formatDate(r.to)] : []),
      formatBps(r.rateBps),
      formatMsn(r.budget),
      formatMsn(r.cumulative),
      formatMsn(r.totalSupply),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    console.log(line(header));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const cells of body) console.log(line(cells));
    console.log("");

    const last = rows[rows.length - 1];
    const sumOfBudgets = rows.reduce((sum, r) => sum + r.budget, 0n);
    const consistent =
      sumOfBudgets === totalEmission && last.cumulative === totalEmission && last.totalSupply === maxSupply;
    console.log(
      `sum of budgets ${formatMsn(sumOfBudgets)} MSN; TOTAL_EMISSION ${formatMsn(totalEmission)} MSN; ` +
        `token MAX_SUPPLY ${formatMsn(maxSupply)} MSN: ${consistent ? "consistent" : "INCONSISTENT"}`,
    );
    if (!consistent) fail("the schedule does not add up to the token's cap");
  });
