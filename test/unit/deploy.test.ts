import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";

import {
  AllocationConfigError,
  canonicalJson,
  configHash,
  formatMSN,
  loadAllocationConfig,
  MONTH_SECONDS,
  validateAllocationConfig,
  type VestingAllocation,
} from "../../scripts/lib/allocationConfig";
import { describeSchedule, formatAllocationTable } from "../../scripts/lib/deploySystem";
import { DEFAULT_CONFIG_FILE, MSN } from "../shared/tokenVestingFixture";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;
const ROOT = path.join(__dirname, "..", "..");
const ZERO = "0x0000000000000000000000000000000000000000";
const rawDefault = (): Raw => JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));
const alloc = (raw: Raw, id: string) => raw.allocations.find((a: Raw) => a.id === id);

/** Asserts that the checker rejects `raw` with a message containing every fragment. */
function expectRejected(raw: Raw, ...fragments: string[]): AllocationConfigError {
  let error: unknown;
  try {
    validateAllocationConfig(raw, "test");
  } catch (e) {
    error = e;
  }
  expect(error, "the config was accepted").to.be.instanceOf(AllocationConfigError);
  for (const f of fragments) expect((error as Error).message).to.contain(f);
  return error as AllocationConfigError;
}

describe("deploy config checker (scripts/lib/allocationConfig)", () => {
  describe("the default configs", () => {
    for (const network of ["hardhat", "localhost"]) {
      it(`accepts deployments/config/${network}.json with the SPEC §2 split`, () => {
        const config = loadAllocationConfig(path.join(ROOT, "deployments", "config", `${network}.json`));
        const byId = Object.fromEntries(config.allocations.map((a) => [a.id, a]));
        expect(byId.privateSale.amount).to.equal(MSN(26_000_000));
        expect(byId.publicSale.amount).to.equal(MSN(5_000_000));
        expect(byId.ecosystem.amount).to.equal(MSN(27_000_000));
        expect(byId.foundation.amount).to.equal(MSN(20_000_000));
        expect(byId.team.amount).to.equal(MSN(15_000_000));
        expect(byId.partners.amount).to.equal(MSN(6_000_000));
        expect(byId.testnet.amount).to.equal(MSN(1_000_000));
        expect(config.allocations.reduce((s, a) => s + a.amount, 0n)).to.equal(MSN(100_000_000));
      });
    }

    it("maps the SPEC schedules onto grant fields (months of 365/12 days)", () => {
      const config = loadAllocationConfig(DEFAULT_CONFIG_FILE);
      const grant = (id: string) =>
        (config.allocations.find((a) => a.id === id) as VestingAllocation).grants[0];
      // "12-month cliff, then linear over 24 months": cliff 12 months, fully vested 12 + 24 months after start.
      expect(grant("privateSale")).to.include({
        startOffset: 0,
        cliff: 12 * MONTH_SECONDS,
        duration: 36 * MONTH_SECONDS,
        revocable: false,
      });
      // "12-month cliff, then linear over 36 months, revocable".
      expect(grant("team")).to.include({
        cliff: 12 * MONTH_SECONDS,
        duration: 48 * MONTH_SECONDS,
        revocable: true,
      });
      // "6-month cliff, then linear over 24 months".
      expect(grant("partners")).to.include({ cliff: 6 * MONTH_SECONDS, duration: 30 * MONTH_SECONDS });
      // "linear over 48 months".
      expect(grant("ecosystem")).to.include({ cliff: 0, duration: 48 * MONTH_SECONDS });
      expect(grant("ecosystem").beneficiary).to.equal(config.roles.ecosystemTreasury);
      expect(grant("foundation").beneficiary).to.equal(config.roles.foundationTreasury);
      expect(12 * MONTH_SECONDS).to.equal(365 * 86_400);
    });

    it("computes the airdrop root from the listed recipients", () => {
      const config = loadAllocationConfig(DEFAULT_CONFIG_FILE);
      const airdrop = config.allocations.find((a) => a.kind === "airdrop")!;
      expect(airdrop.kind === "airdrop" && airdrop.merkleRoot).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("keeps unknown top-level sections for later deploy steps", () => {
      const raw = rawDefault();
      raw.emission = { epochLength: 86_400 };
      expect(validateAllocationConfig(raw).sections).to.deep.equal({ emission: { epochLength: 86_400 } });
    });
  });

  describe("rejects, before any transaction", () => {
    it("allocations that fall short of 100,000,000 MSN, naming the difference", () => {
      const raw = rawDefault();
      alloc(raw, "partners").amount = "5000000";
      alloc(raw, "partners").grants = [];
      expectRejected(raw, "allocations sum to 99,000,000 MSN: 1,000,000 MSN short");
    });

    it("allocations above 100,000,000 MSN, down to the wei", () => {
      const raw = rawDefault();
      alloc(raw, "publicSale").amount = "5000000.000000000000000001";
      expectRejected(
        raw,
        "allocations sum to 100,000,000.000000000000000001 MSN: 0.000000000000000001 MSN over",
      );
    });

    it("a zero address as a role, a grant beneficiary, an unlocked recipient or an airdrop account", () => {
      for (const mutate of [
        (r: Raw) => (r.roles.governance = ZERO),
        (r: Raw) => (alloc(r, "team").grants[1].beneficiary = ZERO),
        (r: Raw) => (alloc(r, "publicSale").recipient = ZERO),
        (r: Raw) => (alloc(r, "testnet").recipients[0].account = ZERO),
      ]) {
        const raw = rawDefault();
        mutate(raw);
        expectRejected(raw, "is the zero address");
      }
    });

    it("a string that is not an address, and a wrong checksum", () => {
      const raw = rawDefault();
      alloc(raw, "privateSale").grants[0].beneficiary = "0x1234";
      expectRejected(raw, `allocation "privateSale" grant 0.beneficiary: "0x1234" is not an address`);
      const raw2 = rawDefault();
      raw2.roles.publicSale = "0x15D34AAf54267DB7D7c367839AAf71A00a2C6A65";
      expectRejected(
        raw2,
        "roles.publicSale: 0x15D34AAf54267DB7D7c367839AAf71A00a2C6A65 has an invalid checksum",
      );
    });

    it("a grant whose cliff exceeds its duration", () => {
      const raw = rawDefault();
      alloc(raw, "partners").grants[0].schedule = { cliffMonths: 31, durationMonths: 30, revocable: false };
      expectRejected(
        raw,
        `allocation "partners" grant 0.schedule: cliff (31 months) exceeds duration (30 months)`,
      );
      const raw2 = rawDefault();
      alloc(raw2, "team").schedule.cliffMonths = 49;
      expectRejected(raw2, `allocation "team".schedule: cliff (49 months) exceeds duration (48 months)`);
    });

    it("a zero duration", () => {
      const raw = rawDefault();
      alloc(raw, "ecosystem").schedule.durationMonths = 0;
      expectRejected(raw, "durationMonths is 0");
    });

    it("an amount of 0 for an allocation, a grant or an airdrop recipient", () => {
      const raw = rawDefault();
      alloc(raw, "team").grants[2].amount = "0";
      expectRejected(raw, `allocation "team" grant 2.amount is 0`);
      const raw2 = rawDefault();
      alloc(raw2, "testnet").recipients[1].amount = 0;
      expectRejected(raw2, `allocation "testnet" recipient 1.amount is 0`);
      const raw3 = rawDefault();
      alloc(raw3, "publicSale").amount = "0";
      expectRejected(raw3, `allocation "publicSale".amount is 0`);
    });

    it("amounts that are not MSN amounts", () => {
      const raw = rawDefault();
      alloc(raw, "team").grants[0].amount = "6e6";
      expectRejected(raw, `"6e6" is not an MSN amount`);
      const raw2 = rawDefault();
      alloc(raw2, "team").grants[0].amount = 1.5;
      expectRejected(raw2, "1.5 is not an MSN amount");
    });

    it("a duplicate grant, within an allocation or across two", () => {
      const raw = rawDefault();
      const team = alloc(raw, "team");
      team.grants[1] = { ...team.grants[0] };
      team.grants.pop();
      expectRejected(raw, `allocation "team" grant 1: duplicate grant`, `as allocation "team" grant 0`);
      const raw2 = rawDefault();
      const pr = alloc(raw2, "privateSale");
      pr.grants.push({
        beneficiary: alloc(raw2, "team").grants[2].beneficiary,
        amount: "4000000",
        schedule: { cliffMonths: 12, durationMonths: 48, revocable: false },
      });
      pr.amount = "30000000";
      alloc(raw2, "ecosystem").amount = "23000000";
      alloc(raw2, "ecosystem").grants[0].amount = "23000000";
      expectRejected(
        raw2,
        `allocation "team" grant 2: duplicate grant`,
        `as allocation "privateSale" grant 3`,
      );
    });

    it("grants that add up to more than their allocation", () => {
      const raw = rawDefault();
      alloc(raw, "privateSale").grants[0].amount = "11000000";
      expectRejected(
        raw,
        `allocation "privateSale": grants sum to 27,000,000 MSN, 1,000,000 MSN above the allocation of 26,000,000 MSN`,
      );
    });

    it("airdrop recipients above the testnet allocation, or listed twice", () => {
      const raw = rawDefault();
      alloc(raw, "testnet").recipients[0].amount = "900000";
      expectRejected(raw, `allocation "testnet": recipients sum to 1,225,000 MSN, 225,000 MSN above`);
      const raw2 = rawDefault();
      const rs = alloc(raw2, "testnet").recipients;
      rs[1].account = rs[0].account;
      expectRejected(raw2, `allocation "testnet" recipient 1: duplicate account`);
    });

    it("an airdrop with both or neither of recipients and merkleRoot, a bad root or claim period", () => {
      const raw = rawDefault();
      alloc(raw, "testnet").merkleRoot = "0x" + "11".repeat(32);
      expectRejected(raw, "give either recipients");
      const raw2 = rawDefault();
      delete alloc(raw2, "testnet").recipients;
      alloc(raw2, "testnet").merkleRoot = "0x1234";
      expectRejected(raw2, "merkleRoot must be a non-zero 32-byte hex string");
      const raw3 = rawDefault();
      alloc(raw3, "testnet").claimPeriodDays = 0;
      expectRejected(raw3, "claimPeriodDays must be a positive whole number of days");
    });

    it("accepts an airdrop given by its root alone", () => {
      const raw = rawDefault();
      delete alloc(raw, "testnet").recipients;
      alloc(raw, "testnet").merkleRoot = "0x" + "ab".repeat(32);
      const config = validateAllocationConfig(raw);
      const airdrop = config.allocations.find((a) => a.kind === "airdrop")!;
      expect(airdrop.kind === "airdrop" && airdrop.merkleRoot).to.equal("0x" + "ab".repeat(32));
    });

    it("no airdrop allocation, or two", () => {
      const raw = rawDefault();
      alloc(raw, "testnet").kind = "unlocked";
      alloc(raw, "testnet").recipient = "role:ecosystemTreasury";
      delete alloc(raw, "testnet").recipients;
      expectRejected(raw, `exactly one allocation of kind "airdrop" is required`, "found 0");
      const raw2 = rawDefault();
      const testnet = alloc(raw2, "testnet");
      testnet.amount = "500000";
      testnet.recipients = testnet.recipients.slice(0, 2);
      raw2.allocations.push({ ...testnet, id: "testnet2", recipients: testnet.recipients.slice(0, 1) });
      expectRejected(raw2, "found 2");
    });

    it("missing or unknown roles, an unknown kind, a duplicate id, a wrong version or genesis time", () => {
      const raw = rawDefault();
      delete raw.roles.foundationTreasury;
      raw.allocations.find((a: Raw) => a.id === "foundation").grants[0].beneficiary = "role:nobody";
      raw.allocations[1].kind = "locked";
      raw.allocations[2].id = raw.allocations[0].id;
      raw.version = 2;
      raw.genesisTime = "soon";
      const error = expectRejected(
        raw,
        "roles.foundationTreasury is missing",
        `unknown role "nobody"`,
        `.kind must be "vesting", "unlocked" or "airdrop"`,
        "duplicate allocation id",
        "version must be 1",
        "genesisTime must be",
      );
      expect(error.problems.length).to.be.greaterThanOrEqual(6);
    });

    it("every problem at once: a bad schedule does not hide a wrong sum", () => {
      const raw = rawDefault();
      alloc(raw, "team").schedule.cliffMonths = 60;
      alloc(raw, "publicSale").amount = "4000000";
      const error = expectRejected(raw, "cliff (60 months) exceeds duration", "1,000,000 MSN short");
      expect(error.problems).to.have.length(2);
    });

    it("unknown schedule fields and bad month counts", () => {
      const raw = rawDefault();
      alloc(raw, "team").schedule.cliff = 12;
      expectRejected(raw, `unknown field "cliff"`);
      const raw2 = rawDefault();
      alloc(raw2, "team").schedule.durationMonths = 2000;
      expectRejected(raw2, "durationMonths must be a whole number of months from 0 to 1634");
      const raw3 = rawDefault();
      alloc(raw3, "team").schedule.revocable = "yes";
      expectRejected(raw3, "revocable must be true or false");
    });

    it("structurally broken configs", () => {
      expect(() => validateAllocationConfig([])).to.throw(AllocationConfigError, "must be a JSON object");
      expectRejected(
        { version: 1, genesisTime: "deployment", roles: rawDefault().roles, allocations: [] },
        "non-empty array",
      );
      const raw = rawDefault();
      raw.allocations[0].grants = "none";
      expectRejected(raw, "grants must be an array");
    });

    it("a file that is missing or not JSON, naming the file", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "msn-config-"));
      const bad = path.join(dir, "bad.json");
      writeFileSync(bad, "{ not json");
      expect(() => loadAllocationConfig(bad)).to.throw(
        AllocationConfigError,
        `invalid allocation config (${bad}): not valid JSON`,
      );
      expect(() => loadAllocationConfig(path.join(dir, "missing.json"))).to.throw(
        AllocationConfigError,
        "cannot read the file",
      );
    });
  });

  describe("config hash and formatting", () => {
    it("hashes the canonical JSON: key order does not matter, values do", () => {
      const a = { b: 1, a: [{ y: "2", x: true }], c: null };
      const b = { c: null, a: [{ x: true, y: "2" }], b: 1 };
      expect(canonicalJson(a)).to.equal('{"a":[{"x":true,"y":"2"}],"b":1,"c":null}');
      expect(configHash(a)).to.equal(configHash(b));
      expect(configHash({ ...a, b: 2 })).to.not.equal(configHash(a));
      expect(validateAllocationConfig(rawDefault()).configHash).to.equal(configHash(rawDefault()));
    });

    it("formats MSN amounts with thousands separators and exact decimals", () => {
      expect(formatMSN(MSN(99_000_000))).to.equal("99,000,000");
      expect(formatMSN(1n)).to.equal("0.000000000000000001");
      expect(formatMSN(-MSN(1_500))).to.equal("-1,500");
      expect(
        describeSchedule({ startOffsetMonths: 3, cliffMonths: 12, durationMonths: 36, revocable: true }),
      ).to.equal("starts +3 mo, 12-mo cliff, linear to 36 mo, revocable");
      const table = formatAllocationTable([
        { allocation: "x", amount: MSN(1), recipient: "r", schedule: "s", check: "MISMATCH", ok: false },
      ]);
      expect(table.split("\n").at(-1)).to.match(/^total +\| +1 \| +\| +\| MISMATCH$/);
    });
  });

  describe("scripts/deploy.ts", () => {
    it("exits non-zero with a one-line reason, and writes nothing, when the config is bad", async function () {
      this.timeout(120_000);
      const dir = mkdtempSync(path.join(tmpdir(), "msn-config-"));
      const file = path.join(dir, "short.json");
      const raw = rawDefault();
      alloc(raw, "publicSale").amount = "4000000";
      writeFileSync(file, JSON.stringify(raw));
      const out = path.join(ROOT, "deployments", "hardhat.json");
      const before = existsSync(out) ? readFileSync(out, "utf8") : undefined;
      let failure: { code?: number; stderr?: string } | undefined;
      try {
        await promisify(execFile)("npx", ["hardhat", "run", "scripts/deploy.ts"], {
          cwd: ROOT,
          env: { ...process.env, MSN_CONFIG: file, HARDHAT_NETWORK: "hardhat" },
        });
      } catch (e) {
        failure = e as { code?: number; stderr?: string };
      }
      expect(failure?.code).to.equal(1);
      const lines = failure!.stderr!.split("\n").filter((l) => l.startsWith("deploy failed"));
      expect(lines).to.have.length(1);
      expect(lines[0]).to.contain("allocations sum to 99,000,000 MSN: 1,000,000 MSN short");
      expect(existsSync(out) ? readFileSync(out, "utf8") : undefined).to.equal(before);
    });
  });
});
