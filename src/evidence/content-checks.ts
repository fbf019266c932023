import { MEMBER_SCHEMAS, type Issue } from "../schema/index.ts";
import { JsonSyntaxError } from "./errors.ts";
import { parseJson, type JsonValue } from "./parse-json.ts";
import type { JsonMemberName } from "./member-names.ts";


/**
 * Checks the cross-member rules upstream's writer enforces before writing (§1.6): every JSON member
 * is an object with its schema string and the archive's run id, and the health record is coherent
 * (drops ⇒ partial kernel layer, non-Linux ⇒ no kernel layer, cgroup correlation never `failed`).
 */
export function contentIssues(file: string, runId: string, documents: Partial<Record<JsonMemberName, Uint8Array | JsonValue>>): Issue[] {
  const issues: Issue[] = [];
  for (const member of JSON_MEMBERS) {
    const raw = documents[member];
    if (raw === undefined) continue;
    const document = raw instanceof Uint8Array ? parseMember(file, member, raw, issues) : raw;
    if (document === undefined) continue;
    if (!isRecord(document)) {
      issues.push(issue(file, member, "", "NOT_AN_OBJECT", "a JSON object", describeValue(document), "member is not a JSON object"));
      continue;
    }
    const schema = MEMBER_SCHEMAS[member];
    if (document.schema !== schema) {
      issues.push(issue(file, member, "schema", "SCHEMA_MISMATCH", JSON.stringify(schema), describeValue(document.schema), `schema must be ${JSON.stringify(schema)}`));
    }
    if (document.run_id !== runId) {
      issues.push(issue(file, member, "run_id", "RUN_ID_MISMATCH", JSON.stringify(runId), describeValue(document.run_id), `run_id differs from the manifest's ${JSON.stringify(runId)}`));
    }
    if (member === "observation-health.json") healthIssues(file, document, issues);
  }
  return issues;
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

function healthIssues(file: string, health: Record<string, unknown>, issues: Issue[]): void {
  const member = "observation-health.json";
  const drops = health.ringbuf_drops;
  if ((typeof drops === "number" || typeof drops === "bigint") && drops > 0 && health.kernel_layer !== "partial_ringbuf_drops") {
    issues.push(issue(file, member, "kernel_layer", "HEALTH_DROPS_NOT_PARTIAL", '"partial_ringbuf_drops"', describeValue(health.kernel_layer), `ringbuf_drops is ${drops} but kernel_layer is not partial_ringbuf_drops`));
  }
  if (typeof health.platform === "string" && health.platform !== "linux" && health.kernel_layer !== "absent") {
    issues.push(issue(file, member, "kernel_layer", "HEALTH_KERNEL_LAYER_OFF_LINUX", '"absent"', describeValue(health.kernel_layer), `platform ${health.platform} cannot carry a kernel layer`));
  }
  if (health.cgroup_correlation === "failed") {
    issues.push(issue(file, member, "cgroup_correlation", "HEALTH_CGROUP_FAILED", '"clean" or "partial"', '"failed"', "cgroup_correlation failed is never written to an archive"));
  }
}

function parseMember(file: string, member: string, bytes: Uint8Array, issues: Issue[]): JsonValue | undefined {
  let text: string;
  try {
    text = DECODER.decode(bytes);
  } catch {
    issues.push(issue(file, member, "", "INVALID_UTF8", "UTF-8 text", "invalid UTF-8", "member is not valid UTF-8"));
    return undefined;
  }
  try {
    return parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    issues.push({ ...issue(file, member, "", "INVALID_JSON", "one JSON document", "invalid JSON", error.message), line: error.line });
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function issue(file: string, member: string, path: string, code: string, expected: string, received: string, message: string): Issue {
  return { code, file, member, path, expected, received, message };
}
