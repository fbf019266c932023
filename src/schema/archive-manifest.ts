import * as v from "valibot";
import { ARCHIVE_MANIFEST_SCHEMA, MANIFESTED_MEMBER_NAMES } from "./constants.ts";
import { U64Schema } from "./integers.ts";
import { invariants, shown, type InvariantViolation } from "./_invariant.ts";
import { RunIdSchema } from "./run-id.ts";

/** A member digest as the manifest writes it: `sha256:` and 64 lowercase hex digits. */
export const Sha256DigestSchema = v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" followed by 64 lowercase hex digits'));

/** One `files` entry of the manifest: the member's path, digest and length (spec §1.5). */
export const ManifestEntrySchema = v.object({
  path: v.string(),
  sha256: Sha256DigestSchema,
  bytes: U64Schema,
});

const ArchiveManifestEntries = v.object({
  schema: v.literal(ARCHIVE_MANIFEST_SCHEMA),
  run_id: RunIdSchema,
  files: v.record(v.string(), ManifestEntrySchema),
});

/**
 * `manifest.json` (`assay.runner.archive_manifest.v0`, spec §2.1): lists exactly the seven
 * non-manifest members, each under its own path; it never lists itself.
 */
export const ArchiveManifestSchema = v.pipe(
  ArchiveManifestEntries,
  v.rawCheck<v.InferOutput<typeof ArchiveManifestEntries>>(invariants<v.InferOutput<typeof ArchiveManifestEntries>>(manifestViolations)),
);

/** One manifest entry. */
export type ManifestEntry = v.InferOutput<typeof ManifestEntrySchema>;
/** A parsed `manifest.json`. */
export type ArchiveManifest = v.InferOutput<typeof ArchiveManifestSchema>;

// --- internal ---

// Key order inside `files` is not checked: upstream readers deserialize into a BTreeMap and
// ignore it, and the exact bytes are what `verify` digests anyway.
function manifestViolations(manifest: v.InferOutput<typeof ArchiveManifestEntries>): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const expected = new Set<string>(MANIFESTED_MEMBER_NAMES);
  const listed = Object.keys(manifest.files);
  for (const name of MANIFESTED_MEMBER_NAMES) {
    if (!(name in manifest.files)) {
      violations.push({
        path: ["files", name],
        expected: `an entry for ${shown(name)}`,
        received: "no entry",
        message: `manifest lists no entry for member ${shown(name)}; it must list exactly the 7 non-manifest members`,
      });
    }
  }
  for (const name of listed) {
    if (!expected.has(name)) {
      violations.push({
        path: ["files", name],
        expected: `one of ${MANIFESTED_MEMBER_NAMES.map(shown).join(", ")}`,
        received: shown(name),
        message:
          name === "manifest.json"
            ? "manifest lists itself; it must list only the 7 other members"
            : `manifest lists unknown member ${shown(name)}; it must list exactly the 7 non-manifest members`,
      });
    }
    const entry = manifest.files[name];
    if (entry !== undefined && entry.path !== name) {
      violations.push({
        path: ["files", name, "path"],
        expected: shown(name),
        received: shown(entry.path),
        message: `manifest entry ${shown(name)} has path ${shown(entry.path)}; an entry's path must equal its key`,
      });
    }
  }
  return violations;
}
