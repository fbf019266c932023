// Validates SARIF logs against the vendored OASIS SARIF 2.1.0 schema (JSON Schema draft-04, hence
// ajv-draft-04; the three formats the schema names are added by pattern, since ajv-formats is not needed).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import { repoRoot } from "../harness.ts";

/** A validator for the vendored SARIF 2.1.0 schema (draft-04), with the formats it names. */
export function sarifValidator(): (log: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat("uri", /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/);
  ajv.addFormat("uri-reference", /^[^\s]*$/);
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  const validate = ajv.compile(JSON.parse(readFileSync(join(repoRoot, "test/fixtures/review/sarif-schema-2.1.0.json"), "utf8")));
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
