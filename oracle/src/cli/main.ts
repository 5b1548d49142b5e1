// `npm run oracle -- <command>`: the oracle's command line.
import { buildProgram } from "./program.js";
import { errorMessage } from "../lib/errors.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  // One line on stderr and a non-zero exit; no stack trace for expected errors.
  process.stderr.write(`error: ${errorMessage(err).split("\n").join("\n  ")}\n`);
  process.exit(1);
}
