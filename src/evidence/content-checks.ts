import { checkHealthForArchive, validateMember, type Issue, type ObservationHealth } from "../schema/index.ts";
import { JsonSyntaxError } from "./errors.ts";
import { parseJson, type JsonValue } from "./parse-json.ts";
import type { JsonMemberName } from "./member-names.ts";

/**
 * Checks the JSON members before the writer commits (§1.6), with the same schema rules `verify`
 * applies: each member is its schema's document (schema string, fields, the health record's
 * `validate()` rules), carries the archive's run id, and the health record may go into an archive
 * (never `cgroup_correlation: "failed"`). The writer thus never commits what verify would reject.
 */
export function contentIssues(file: string, runId: string, documents: Partial<Record<JsonMemberName, Uint8Array | JsonValue>>): Issue[] {
  const issues: Issue[] = [];
  for (const member of JSON_MEMBERS) {
    const raw = documents[member];
    if (raw === undefined) continue;
    const parsed = raw instanceof Uint8Array ? parseMemberJson(file, member, raw) : { ok: true as const, value: raw };
    if (!parsed.ok) {
      issues.push(parsed.issue);
      continue;
    }
    const where = { file, member };
    const validated = validateMember(member, parsed.value, where);
    if (!validated.ok) {
      issues.push(...validated.issues);
      continue;
    }
    const document = validated.value as { run_id: string };
    if (document.run_id !== runId) {
      issues.push({
        code: "RUN_ID_MISMATCH",
        file,
        member,
        path: "run_id",
        expected: JSON.stringify(runId),
        received: JSON.stringify(document.run_id),
        message: `run_id differs from the archive's ${JSON.stringify(runId)}: found ${JSON.stringify(document.run_id)}; one archive holds one run`,
      });
    }
    if (member === "observation-health.json") issues.push(...checkHealthForArchive(validated.value as ObservationHealth, where));
  }
  return issues;
}

/** Decodes one JSON member's exact bytes (strict UTF-8, lossless JSON), or says why it cannot. */
export function parseMemberJson(file: string, member: string, bytes: Uint8Array): { ok: true; value: JsonValue } | { ok: false; issue: Issue } {
  let text: string;
  try {
    text = DECODER.decode(bytes);
  } catch {
    // Key order as verify has always printed its issues.
    return {
      ok: false,
      issue: { file, path: "", code: "INVALID_UTF8", member, expected: "UTF-8 text", received: "invalid UTF-8", message: `${member} is not valid UTF-8` },
    };
  }
  try {
    return { ok: true, value: parseJson(text) };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return {
      ok: false,
      issue: {
        file,
        path: "",
        code: "JSON_SYNTAX",
        member,
        line: error.line,
        expected: "one JSON document",
        received: "text that is not JSON",
        message: `${member} is not JSON: ${error.message}`,
      },
    };
  }
}

/** Describes a JSON value briefly for an issue's `received`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (field missing)";
  if (typeof value === "bigint") return value.toString();
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// --- internal ---

const DECODER = new TextDecoder("utf-8", { fatal: true });
const JSON_MEMBERS: readonly JsonMemberName[] = ["capability-surface.json", "correlation-report.json", "observation-health.json"];
