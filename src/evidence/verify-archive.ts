import {
  checkArchiveDocuments,
  validateMember,
  type ArchiveManifest,
  type CapabilitySurface,
  type CorrelationReport,
  type Issue,
  type KernelEvent,
  type ObservationHealth,
  type PolicyEvent,
  type RunEvent,
  type SdkEvent,
} from "../schema/index.ts";
import { readArchive, type ArchiveKind } from "./archive-reader.ts";
import { describeValue, parseMemberJson } from "./content-checks.ts";
import { ARCHIVE_MEMBERS, isMemberName, isNdjsonMember, MANIFESTED_MEMBERS, type MemberName } from "./member-names.ts";
import { NdjsonLineSplitter } from "./ndjson-lines.ts";
import { RowChecker, type MemberResult } from "./row-checker.ts";
import { parseJson } from "./parse-json.ts";
import { DEFAULT_READ_LIMITS, type MemberSink, type ReadLimits } from "./tar-parser.ts";

/** Bounds of a verification on top of the reader's limits. */
export interface VerifyOptions {
  readonly limits?: ReadLimits;
  /** Longest NDJSON line kept for parsing; longer lines are reported, not read into memory. */
  readonly maxLineBytes?: number;
  /** Largest single-document JSON member (manifest, surface, correlation, health). */
  readonly maxJsonMemberBytes?: number;
}

/** What verification measured about one member. */
export interface VerifiedMember {
  readonly name: string;
  readonly bytes: number;
  /** `sha256:` + hex over the exact member bytes. */
  readonly sha256: string;
  /** NDJSON members: non-blank lines. */
  readonly rows?: number;
}

/** The outcome of verifying one archive: every issue found, not just the first. */
export interface VerifyReport {
  readonly path: string;
  readonly kind: ArchiveKind;
  readonly valid: boolean;
  /** The manifest's run id, when it has one. */
  readonly runId?: string;
  /** `sha256:` + hex of the exact manifest bytes: the archive identity (§1.5). */
  readonly manifestDigest?: string;
  readonly members: readonly VerifiedMember[];
  readonly issues: readonly Issue[];
}

/**
 * Verifies an archive (`.tar.gz` or extracted directory) in bounded memory: the exact member set,
 * the manifest's digests and lengths over the exact bytes, every document and NDJSON row against
 * its schema, one run id throughout, `seq` order, and the cross-member rules (§1.5–1.7, §2).
 * Throws ArchiveReadError only when the path cannot be read at all.
 */
export async function verifyArchive(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const state = new Verification(path, options);
  const outcome = await readArchive(path, (name, size) => state.openMember(name, size), options.limits ?? DEFAULT_READ_LIMITS);
  return state.finish(outcome.kind, outcome.issues);
}

// --- internal ---

const DEFAULT_MAX_LINE = 4 * 2 ** 20;
const DEFAULT_MAX_JSON = 64 * 2 ** 20;
const MAX_ISSUES_PER_MEMBER = 50;
const DECODER = new TextDecoder("utf-8", { fatal: true });

class Verification {
  private readonly issues: Issue[] = [];
  private readonly issueCounts = new Map<string, number>();
  private readonly results = new Map<MemberName, MemberResult>();
  private readonly unknown: VerifiedMember[] = [];
  private readonly maxLine: number;
  private readonly maxJson: number;
  // Kernel rows can run to gigabytes; the cross-member checks only need each distinct kind/value once.
  private readonly kernelDistinct = new Map<string, KernelEvent>();

  constructor(
    readonly file: string,
    options: VerifyOptions,
  ) {
    this.maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE;
    this.maxJson = options.maxJsonMemberBytes ?? DEFAULT_MAX_JSON;
  }

  openMember(name: string, size: number): MemberSink | undefined {
    const hasher = new Bun.CryptoHasher("sha256");
    if (!isMemberName(name)) {
      this.issue({
        code: "MEMBER_UNKNOWN",
        member: name,
        expected: `only ${ARCHIVE_MEMBERS.join(", ")}`,
        received: JSON.stringify(name),
        message: `archive holds unknown member ${JSON.stringify(name)}`,
      });
      let bytes = 0;
      return {
        write: (chunk) => {
          hasher.update(chunk);
          bytes += chunk.length;
        },
        end: () => this.unknown.push({ name, bytes, sha256: `sha256:${hasher.digest("hex")}` }),
      };
    }
    const result: MemberResult = { name, bytes: 0, sha256: "", rows: 0, valid: true, documents: [] };
    const finish = () => {
      result.sha256 = `sha256:${hasher.digest("hex")}`;
      this.results.set(name, result);
    };
    if (isNdjsonMember(name)) {
      const rows = new RowChecker(this, result);
      const splitter = new NdjsonLineSplitter(this.maxLine, (line) => rows.onLine(line));
      return {
        write: (chunk) => {
          hasher.update(chunk);
          result.bytes += chunk.length;
          splitter.write(chunk);
        },
        end: () => {
          splitter.end();
          rows.end();
          finish();
        },
      };
    }
    if (size > this.maxJson) {
      result.valid = false;
      this.issue({
        code: "MEMBER_TOO_LARGE",
        member: name,
        expected: `at most ${this.maxJson} bytes`,
        received: `${size} bytes`,
        message: `JSON member ${name} is too large to check (${size} bytes)`,
      });
    }
    const chunks: Uint8Array[] = [];
    return {
      write: (chunk) => {
        hasher.update(chunk);
        result.bytes += chunk.length;
        if (result.bytes <= this.maxJson) chunks.push(chunk.slice());
      },
      end: () => {
        if (result.bytes <= this.maxJson) result.content = Buffer.concat(chunks);
        finish();
      },
    };
  }

  /** Records an issue about this archive, capping each member's share so a broken layer cannot flood the report. */
  issue(fields: Omit<Issue, "file" | "path"> & { path?: string }): void {
    this.push({ file: this.file, path: "", ...fields });
  }

  /** Records an issue from the schema module (same cap). */
  push(issue: Issue): void {
    const key = issue.member ?? "";
    const count = (this.issueCounts.get(key) ?? 0) + 1;
    this.issueCounts.set(key, count);
    if (count <= MAX_ISSUES_PER_MEMBER) this.issues.push(issue);
  }

  keepKernelRow(row: KernelEvent): void {
    const key = `${row.kind}\u0000${row.value ?? ""}`;
    if (!this.kernelDistinct.has(key)) this.kernelDistinct.set(key, row);
  }

  finish(kind: ArchiveKind, readIssues: readonly Issue[]): VerifyReport {
    this.issues.unshift(...readIssues);
    const structural = readIssues.length > 0;
    for (const name of ARCHIVE_MEMBERS) {
      if (!this.results.has(name) && !structural) {
        this.issue({
          code: "MEMBER_MISSING",
          member: name,
          expected: "the member",
          received: "no such member",
          message: `archive lacks required member ${name}`,
        });
      }
    }
    for (const name of ARCHIVE_MEMBERS) if (!isNdjsonMember(name)) this.checkJsonMember(name);
    const manifestResult = this.results.get("manifest.json");
    const manifest = manifestResult?.documents[0] as ArchiveManifest | undefined;
    const manifestValue = manifestResult?.content === undefined ? undefined : this.tryParse(manifestResult.content);
    this.checkDigests(manifestValue);
    const runId = typeof (manifestValue as { run_id?: unknown } | undefined)?.run_id === "string" ? (manifestValue as { run_id: string }).run_id : undefined;
    this.checkCrossMember(manifest, runId);
    const members: VerifiedMember[] = [
      ...ARCHIVE_MEMBERS.flatMap((name) => {
        const r = this.results.get(name);
        if (r === undefined) return [];
        return [isNdjsonMember(name) ? { name, bytes: r.bytes, sha256: r.sha256, rows: r.rows } : { name, bytes: r.bytes, sha256: r.sha256 }];
      }),
      ...this.unknown,
    ];
    const issues = [...this.issues, ...this.omitted()];
    return {
      path: this.file,
      kind,
      valid: issues.length === 0,
      ...(runId === undefined ? {} : { runId }),
      ...(manifestResult === undefined ? {} : { manifestDigest: manifestResult.sha256 }),
      members,
      issues,
    };
  }

  // --- internal ---

  // A broken layer can produce millions of issues; the first few per member are kept, the rest counted.
  private omitted(): Issue[] {
    const out: Issue[] = [];
    for (const [key, count] of this.issueCounts) {
      if (count <= MAX_ISSUES_PER_MEMBER) continue;
      const more = count - MAX_ISSUES_PER_MEMBER;
      out.push({
        code: "MORE_ISSUES",
        file: this.file,
        ...(key === "" ? {} : { member: key }),
        path: "",
        expected: "",
        received: `${more} more`,
        message: `${more} more issues in ${key || "the archive"} not listed`,
      });
    }
    return out;
  }

  private checkJsonMember(name: MemberName): void {
    const result = this.results.get(name);
    if (result?.content === undefined) return;
    const value = this.parseDocument(name, result.content);
    if (value === undefined) {
      result.valid = false;
      return;
    }
    const validated = validateMember(name, value, { file: this.file, member: name });
    if (validated.ok) result.documents.push(validated.value);
    else {
      result.valid = false;
      for (const issue of validated.issues) this.push(issue);
    }
  }

  private parseDocument(member: MemberName, bytes: Uint8Array): unknown {
    const parsed = parseMemberJson(this.file, member, bytes);
    if (parsed.ok) return parsed.value;
    this.push(parsed.issue);
    return undefined;
  }

  private tryParse(bytes: Uint8Array): unknown {
    try {
      return parseJson(DECODER.decode(bytes));
    } catch {
      return undefined;
    }
  }

  // Best effort even when the manifest fails its schema: every entry that names a present member is compared.
  private checkDigests(manifest: unknown): void {
    const files = (manifest as { files?: unknown } | undefined)?.files;
    if (files === null || typeof files !== "object" || Array.isArray(files)) return;
    for (const name of MANIFESTED_MEMBERS) {
      const entry = (files as Record<string, unknown>)[name];
      const actual = this.results.get(name);
      if (entry === undefined || actual === undefined || entry === null || typeof entry !== "object") continue;
      const { sha256, bytes } = entry as { sha256?: unknown; bytes?: unknown };
      const at = `files[${JSON.stringify(name)}]`;
      if (sha256 !== actual.sha256) {
        this.issue({
          code: "MEMBER_DIGEST_MISMATCH",
          member: name,
          path: `${at}.sha256`,
          expected: describeValue(sha256),
          received: actual.sha256,
          message: `${name} does not match its manifest digest (bytes changed after the archive was written)`,
        });
      }
      const sameLength = (typeof bytes === "number" || typeof bytes === "bigint") && BigInt(bytes) === BigInt(actual.bytes);
      if (!sameLength) {
        this.issue({
          code: "MEMBER_SIZE_MISMATCH",
          member: name,
          path: `${at}.bytes`,
          expected: describeValue(bytes),
          received: String(actual.bytes),
          message: `${name} has ${actual.bytes} bytes, the manifest says ${describeValue(bytes)}`,
        });
      }
    }
  }

  private checkCrossMember(manifest: ArchiveManifest | undefined, runId: string | undefined): void {
    // Each NDJSON layer's rows were compared with the layer's first row; tie the first row to the manifest.
    for (const name of ARCHIVE_MEMBERS) {
      const result = this.results.get(name);
      const first = result?.documents[0] as { run_id?: string } | undefined;
      if (runId === undefined || result === undefined) continue;
      if (!isNdjsonMember(name)) {
        if (name !== "manifest.json" && first?.run_id !== undefined && first.run_id !== runId) {
          this.issue({
            code: "RUN_ID_MISMATCH",
            member: name,
            path: "run_id",
            expected: JSON.stringify(runId),
            received: JSON.stringify(first.run_id),
            message: `run_id ${JSON.stringify(first.run_id)} differs from the manifest's ${JSON.stringify(runId)}; one archive holds one run`,
          });
        }
        continue;
      }
      const rowRunId = result.firstRunId;
      if (rowRunId !== undefined && rowRunId !== runId) {
        this.issue({
          code: "RUN_ID_MISMATCH",
          member: name,
          line: result.firstLine ?? 1,
          path: "run_id",
          expected: JSON.stringify(runId),
          received: JSON.stringify(rowRunId),
          message: `run_id ${JSON.stringify(rowRunId)} differs from the manifest's ${JSON.stringify(runId)}; one archive holds one run`,
        });
      }
    }
    const docs = (name: MemberName) => this.results.get(name);
    const all = ARCHIVE_MEMBERS.map(docs);
    if (manifest === undefined || all.some((r) => r === undefined || !r.valid)) return;
    const kernel = docs("layers/kernel.ndjson")!;
    const issues = checkArchiveDocuments(
      {
        manifest,
        surface: docs("capability-surface.json")!.documents[0] as CapabilitySurface,
        correlation: docs("correlation-report.json")!.documents[0] as CorrelationReport,
        health: docs("observation-health.json")!.documents[0] as ObservationHealth,
        events: docs("events.ndjson")!.documents as RunEvent[],
        kernel: [...this.kernelDistinct.values()],
        policy: docs("layers/policy.ndjson")!.documents as PolicyEvent[],
        sdk: docs("layers/sdk.ndjson")!.documents as SdkEvent[],
      },
      this.file,
    );
    for (const issue of issues) {
      // Run ids were checked above (streaming, every row); kernel counts are redone with the real row count.
      if (issue.code === "RUN_ID_MISMATCH") continue;
      if (/^bindings\.\d+\.kernel_event_count$/.test(issue.path)) continue;
      this.push(issue);
    }
    const correlation = docs("correlation-report.json")!.documents[0] as CorrelationReport;
    for (const [i, binding] of correlation.bindings.entries()) {
      if (BigInt(binding.kernel_event_count) === BigInt(kernel.rows)) continue;
      this.issue({
        code: "CORRELATION_MISMATCH",
        member: "correlation-report.json",
        path: `bindings.${i}.kernel_event_count`,
        expected: String(kernel.rows),
        received: String(binding.kernel_event_count),
        message: `binding ${i} counts ${binding.kernel_event_count} kernel events but the kernel layer has ${kernel.rows} rows`,
      });
    }
  }
}
