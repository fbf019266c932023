import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readArchive, type ReadLimits, type ReadOptions } from "../evidence/index.ts";
import { compileRules, type CompiledRules } from "../projection/index.ts";
import { type PathProjector, projectRun, readRunEvidence, ReviewInputError, type ProjectedRun } from "../review/index.ts";
import { formatIssue, validateBaseline, validateProjectionRules, type Baseline, type ProjectionRules } from "../schema/index.ts";

// Inputs the review commands (baseline, check, report) share. Every failure is a ReviewInputError (exit 2).

/** The rules a baseline uses when none are given: no declared paths, the built-in heuristics. */
export const DEFAULT_REVIEW_RULES: unknown = { schema: "assay.runner.projection_rules.v0", heuristics: ["builtin"] };

/** Reads and validates a projection rules file (or the defaults when `file` is undefined). */
export function readReviewRules(file: string | undefined): ProjectionRules {
  const value = file === undefined ? DEFAULT_REVIEW_RULES : readJson(file);
  const rules = validateProjectionRules(value, { file: file ?? "<default rules>" });
  if (!rules.ok) throw new ReviewInputError(rules.issues.map(formatIssue).join("; "), { file: file ?? "<default rules>" });
  return rules.value;
}

/** Compiles validated rules for projection. */
export function compileReviewRules(rules: ProjectionRules, file: string): CompiledRules {
  const compiled = compileRules(rules, { file });
  if (!compiled.ok) throw new ReviewInputError(compiled.issues.map(formatIssue).join("; "), { file });
  return compiled.value;
}

/** Reads and validates a baseline file. */
export function readBaselineFile(file: string): Baseline {
  const baseline = validateBaseline(readJson(file), { file });
  if (!baseline.ok) throw new ReviewInputError(baseline.issues.map(formatIssue).join("; "), { file });
  return baseline.value;
}

/** An archive's members by name, and how messages name one of them. */
export interface OpenedMembers {
  readonly members: ReadonlyMap<string, Uint8Array>;
  readonly where: (name: string) => string;
}

/**
 * Reads an archive (a .tar.gz or an extracted directory): the members named in `wanted`, or all,
 * each into one buffer (a 100-run baseline reads a gigabyte of layers it mostly does not keep).
 */
export async function openMembers(path: string, wanted?: ReadonlySet<string>): Promise<OpenedMembers> {
  const members = new Map<string, Uint8Array>();
  let outcome: Awaited<ReturnType<typeof readArchive>>;
  try {
    outcome = await readArchive(
      path,
      (name, size) => (wanted === undefined || wanted.has(name) ? memberBuffer(size, (bytes) => members.set(name, bytes)) : undefined),
      LIMITS,
      IN_MEMORY,
    );
  } catch (error) {
    throw new ReviewInputError(`${path}: cannot read archive: ${(error as Error).message}`, { file: path }, { cause: error });
  }
  // Hand-packed archives may carry directory entries; only the members matter.
  const issue = outcome.issues.find((i) => i.code !== "MEMBER_NOT_REGULAR_FILE");
  if (issue !== undefined) throw new ReviewInputError(`${path}: not a readable evidence archive: ${formatIssue(issue)}`, { file: path });
  return { members, where: outcome.kind === "directory" ? (name) => join(path, name) : (name) => `${path}!${name}` };
}

/** Projects a run from its opened members. */
export function projectMembers(path: string, opened: OpenedMembers, projector: PathProjector): ProjectedRun {
  const evidence = readRunEvidence(path, (name) => opened.members.get(name), opened.where, sha256Hex);
  return projectRun(evidence, projector);
}

/** Opens an archive, reading only the members review needs, and projects it. */
export async function openProjectedRun(path: string, projector: PathProjector): Promise<ProjectedRun> {
  return projectMembers(path, await openMembers(path, REVIEW_MEMBERS), projector);
}

/** Hex sha256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

// --- internal ---

const REVIEW_MEMBERS = new Set(["manifest.json", "capability-surface.json", "observation-health.json", "layers/kernel.ndjson"]);

// Review holds the members it reads in memory anyway: inflate archives of up to this many bytes in
// one piece (a 100k-path run is 30 MB), and keep the members as views of it.
const IN_MEMORY: ReadOptions = { inMemoryBytes: 256 * 2 ** 20 };

// A member's bytes in one buffer. A member that arrives in one chunk is kept as that view (stream
// chunks are not reused once handed out; copying a 100-run baseline's kernel layers took a tenth of
// its time). Otherwise sized from the header up to a bound, grown past it only by data actually read
// (a header cannot make us allocate a gigabyte).
function memberBuffer(size: number, done: (bytes: Uint8Array) => void): { write(chunk: Uint8Array): void; end(): void } {
  let single: Uint8Array | undefined;
  let buffer = new Uint8Array(0);
  let length = 0;
  return {
    write(chunk) {
      if (length === 0 && single === undefined) {
        single = chunk;
        return;
      }
      if (single !== undefined) {
        buffer = new Uint8Array(Math.max(Math.min(size, 64 * 2 ** 20), single.length));
        buffer.set(single);
        length = single.length;
        single = undefined;
      }
      if (length + chunk.length > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, length + chunk.length));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(chunk, length);
      length += chunk.length;
    },
    end() {
      if (single !== undefined) done(single);
      else done(length === buffer.length ? buffer : buffer.subarray(0, length));
    },
  };
}

const LIMITS: ReadLimits = { maxMembers: 64, maxMemberBytes: 2 ** 30, maxTotalBytes: 2 ** 30 };

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ReviewInputError(`${file}: cannot read: ${(error as Error).message}`, { file }, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ReviewInputError(`${file}: not JSON: ${(error as Error).message}`, { file }, { cause: error });
  }
}
