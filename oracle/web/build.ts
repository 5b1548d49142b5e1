/**
 * `npm run build:web`: bundles the miners' web app (oracle/web/src) with esbuild into oracle/web/dist, which
 * the oracle serves at `/`. Every custom error of the compiled MSN contracts is injected into the bundle (from
 * Hardhat's artifacts, compiled first when missing) so that the page decodes any revert.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
export const WEB_DIST = path.join(HERE, "dist");

/** The contracts whose errors a miner's transaction can meet (their artifacts include inherited errors). */
const CONTRACTS = [
  "token/MSNToken.sol/MSNToken.json",
  "staking/MinerStaking.sol/MinerStaking.json",
  "rewards/RewardsDistributor.sol/RewardsDistributor.json",
  "emission/EmissionMinter.sol/EmissionMinter.json",
];

interface AbiItem {
  type: string;
  name?: string;
  inputs?: { type: string }[];
}

function artifactPaths(): string[] {
  return CONTRACTS.map((c) => path.join(ROOT, "artifacts/contracts", c));
}

/** Every error declared by the MSN contracts, each signature once. Compiles the contracts when needed. */
export function contractErrorAbi(): AbiItem[] {
  if (!artifactPaths().every((p) => existsSync(p))) {
    const res = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/hardhat/internal/cli/cli.js"), "compile", "--quiet"],
      {
        cwd: ROOT,
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    if (res.status !== 0)
      throw new Error("hardhat compile failed: the web app needs the contracts' artifacts");
  }
  const seen = new Map<string, AbiItem>();
  for (const file of artifactPaths()) {
    const { abi } = JSON.parse(readFileSync(file, "utf8")) as { abi: AbiItem[] };
    for (const item of abi) {
      if (item.type !== "error") continue;
      seen.set(`${item.name}(${(item.inputs ?? []).map((i) => i.type).join(",")})`, item);
    }
  }
  return [...seen.values()];
}

export interface WebBuild {
  outDir: string;
  /** Bytes of the JavaScript bundle, and of its brotli copy (what a browser downloads). */
  bundleBytes: number;
  brotliBytes: number;
  errors: number;
}

export async function buildWebApp(opts: { outDir?: string; minify?: boolean } = {}): Promise<WebBuild> {
  const outDir = opts.outDir ?? WEB_DIST;
  const errors = contractErrorAbi();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(HERE, "src/main.ts")],
    outfile: path.join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: opts.minify ?? true,
    sourcemap: "linked",
    legalComments: "linked",
    logLevel: "warning",
    define: { __MSN_ERROR_ABI__: JSON.stringify(errors) },
  });
  for (const file of ["index.html", "style.css"])
    copyFileSync(path.join(HERE, file), path.join(outDir, file));
  // Compressed copies: the oracle serves them to browsers that accept them (@fastify/static preCompressed).
  let brotliBytes = 0;
  for (const file of ["app.js", "index.html", "style.css"]) {
    const raw = readFileSync(path.join(outDir, file));
    const br = brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } });
    writeFileSync(path.join(outDir, `${file}.br`), br);
    writeFileSync(path.join(outDir, `${file}.gz`), gzipSync(raw, { level: 9 }));
    if (file === "app.js") brotliBytes = br.length;
  }
  return {
    outDir,
    bundleBytes: statSync(path.join(outDir, "app.js")).size,
    brotliBytes,
    errors: errors.length,
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWebApp().then(
    (b) => {
      const rel = path.relative(process.cwd(), b.outDir) || ".";
      process.stdout.write(
        `web app built in ${rel}: app.js ${(b.bundleBytes / 1024).toFixed(0)} KiB ` +
          `(${(b.brotliBytes / 1024).toFixed(0)} KiB brotli), ${b.errors} contract errors decoded\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`build:web failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
