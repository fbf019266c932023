import { canonicalJson } from "./canonical-json.ts";
import { ARCHIVE_MANIFEST_SCHEMA, compareCodePoints } from "../schema/index.ts";
import type { ManifestedMemberName } from "./member-names.ts";

/** A member's digest and length as the manifest records them. */
export interface MemberDigest {
  readonly path: ManifestedMemberName;
  /** `sha256:` + 64 lowercase hex digits over the exact member bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

/** Builds the exact `manifest.json` text for a run: `files` keyed by path in UTF-8 byte order (§1.5, §2.1). */
export function buildManifestJson(runId: string, digests: readonly MemberDigest[]): string {
  const files = new Map<string, MemberDigest>();
  for (const digest of [...digests].sort((a, b) => compareCodePoints(a.path, b.path))) {
    files.set(digest.path, { path: digest.path, sha256: digest.sha256, bytes: digest.bytes });
  }
  return canonicalJson({ schema: ARCHIVE_MANIFEST_SCHEMA, run_id: runId, files });
}
