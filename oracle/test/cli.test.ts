import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli, type ChildResult } from "./helpers/child.js";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres.js";
import { account, addr, b32 } from "./helpers/keys.js";
import { startServerProcess, type ServerProcess } from "./helpers/child.js";
import { serverSetup } from "./helpers/serverEnv.js";
import { DOMAIN, nodes, ops } from "./helpers/world.js";
import { ReceiptSigner } from "../src/receipts/index.js";

function failedWithOneLine(r: ChildResult, message: RegExp | string): void {
  expect(r.code, r.stderr).to.equal(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).to.have.length(1);
  if (typeof message === "string") expect(lines[0]).to.equal(message);
  else expect(lines[0]).to.match(message);
  expect(r.stdout).to.equal("");
}

describe("CLI: oracle clients", function () {
  let pg: TestDatabase;
  let env: Record<string, string>;

  before(async () => {
    pg = await createTestDatabase("msn_ingest_cli");
    env = { DATABASE_URL: pg.url };
  });
  after(async () => pg?.drop());

  it("adds clients, lists them as a table, disables one by address", async () => {
    const a = addr("cli-client-a");
    const b = addr("cli-client-b");
    const added = await runCli(["clients", "add", a, "--operator", addr("cli-op"), "--quota", "500GB"], env);
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout.trim()).to.equal(
      `added client ${a} (operator ${addr("cli-op")}, quota 466 GiB per epoch)`,
    );
    const addedB = await runCli(
      ["clients", "add", b.toUpperCase().replace("0X", "0x"), "--operator", addr("cli-op2")],
      env,
    );
    expect(addedB.stdout).to.match(/quota 100 TiB per epoch/); // the default quota
    const disabled = await runCli(["clients", "disable", a], env);
    expect(disabled.stdout.trim()).to.equal(`disabled client ${a}`);

    const list = await runCli(["clients", "list"], env);
    expect(list.code).to.equal(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).to.match(/^ADDRESS\s+OPERATOR\s+QUOTA\/EPOCH\s+STATUS\s+ADDED$/);
    expect(lines).to.have.length(3);
    expect(lines[1]).to.match(
      new RegExp(`^${a}\\s+${addr("cli-op")}\\s+466 GiB\\s+disabled\\s+\\d{4}-\\d\\d-\\d\\dT`),
    );
    expect(lines[2]).to.match(new RegExp(`^${b}\\s+${addr("cli-op2")}\\s+100 TiB\\s+active`));

    const json = JSON.parse((await runCli(["clients", "list", "--json"], env)).stdout) as {
      address: string;
      disabled: boolean;
    }[];
    expect(json.map((c) => [c.address, c.disabled])).to.deep.equal([
      [a, true],
      [b, false],
    ]);
  });

  it("exits non-zero with a one-line reason on bad input", async () => {
    const existing = addr("cli-existing");
    expect((await runCli(["clients", "add", existing, "--operator", addr("op")], env)).code).to.equal(0);
    const [badAddress, duplicate, noOperator, badQuota, unknown, badConfig, unknownCommand] =
      await Promise.all([
        runCli(["clients", "add", "0x1234", "--operator", addr("op")], env),
        runCli(["clients", "add", existing, "--operator", addr("op")], env),
        runCli(["clients", "add", addr("x")], env),
        runCli(["clients", "add", addr("y"), "--operator", addr("op"), "--quota", "lots"], env),
        runCli(["clients", "disable", addr("nobody")], env),
        runCli(["clients", "list"], { ...env, ORACLE_DB_POOL_SIZE: "0" }),
        runCli(["clients", "remove", existing], env),
      ]);
    failedWithOneLine(
      badAddress,
      'error: client address must be a 0x-prefixed 20-byte hex address, got "0x1234"',
    );
    failedWithOneLine(duplicate, `error: client ${existing} is already registered`);
    failedWithOneLine(noOperator, "error: required option '--operator <address>' not specified");
    failedWithOneLine(
      badQuota,
      'error: quota must be a byte count such as 1000000, 500GB or 10TiB, got "lots"',
    );
    failedWithOneLine(unknown, `error: no client ${addr("nobody")}`);
    failedWithOneLine(
      badConfig,
      'error: invalid configuration: ORACLE_DB_POOL_SIZE: must be an integer from 1 to 100 (got "0")',
    );
    failedWithOneLine(unknownCommand, "error: unknown command 'remove'");
  });

  it("works while a server runs on the embedded database, through the server's admin socket", async () => {
    const setup = await serverSetup("pglite", { [nodes.B1]: ops.B });
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess(setup.env);
      const url = server.url;
      const env = { ORACLE_DATA_DIR: setup.env.ORACLE_DATA_DIR! };
      const c = account("cli-live-client");
      const added = await runCli(["clients", "add", c.address, "--operator", ops.C, "--quota", "1GB"], env);
      expect(added.code, added.stderr).to.equal(0);
      expect(added.stdout).to.match(
        /^added client 0x[0-9a-f]{40} \(operator 0x[0-9a-f]{40}, quota 954 MiB per epoch\)/,
      );
      failedWithOneLine(
        await runCli(["clients", "add", c.address, "--operator", ops.C], env),
        `error: client ${c.address.toLowerCase()} is already registered`,
      );
      const list = await runCli(["clients", "list"], env);
      expect(list.stdout).to.include(c.address.toLowerCase());

      // The running server sees the new client at once, and its disabling too.
      const signer = await ReceiptSigner.create(DOMAIN);
      const epoch = Math.floor((Date.now() / 1000 - Number(setup.env.ORACLE_GENESIS_TIME)) / 3600);
      let n = 0;
      const post = async () => {
        const r = signer.sign(
          { node: nodes.B1, client: c.address, epoch, session: b32(`cli-live-${n++}`), bytesServed: 1000 },
          c.key,
        );
        const res = await fetch(`${url}/v1/receipts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ receipts: [r] }),
        });
        return ((await res.json()) as { results: string[] }).results[0];
      };
      expect(await post()).to.equal("accepted");
      expect((await runCli(["clients", "disable", c.address], env)).code).to.equal(0);
      expect(await post()).to.equal("client_disabled");
    } finally {
      await server?.stop();
      await setup.cleanup();
    }
  });

  it("works on the embedded database, and refuses one another process holds", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "msn-cli-"));
    try {
      const dataDir = path.join(dir, "db");
      const list = await runCli(["clients", "list"], { ORACLE_DATA_DIR: dataDir });
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout.trim()).to.equal("no clients");
      // This test process plays a running server holding the database.
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path.join(dataDir, ".oracle.lock"), String(process.pid));
      failedWithOneLine(
        await runCli(["clients", "list"], { ORACLE_DATA_DIR: dataDir }),
        /^error: cannot open the database, PGlite at .*: the embedded database .* is in use by process \d+; stop it first \(or use PostgreSQL via DATABASE_URL\)$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
