import { MANIFESTED_MEMBER_NAMES, MEMBER_NAMES, type MemberName } from "../schema/index.ts";

export type { MemberName } from "../schema/index.ts";

/** The eight archive members in archive order: manifest first, then UTF-8 byte order (§1.1); the schema module's list. */
export const ARCHIVE_MEMBERS: readonly MemberName[] = MEMBER_NAMES;

/** The seven members the manifest lists. */
export type ManifestedMemberName = Exclude<MemberName, "manifest.json">;

/** The NDJSON members (may be empty, written by appending rows). */
export type NdjsonMemberName = Extract<MemberName, `${string}.ndjson`>;

/** The single-document JSON members other than the manifest. */
export type JsonMemberName = Exclude<ManifestedMemberName, NdjsonMemberName>;

/** The seven members the manifest lists, in archive order; the schema module's list. */
export const MANIFESTED_MEMBERS: readonly ManifestedMemberName[] = MANIFESTED_MEMBER_NAMES;

/** Whether a string names one of the eight archive members. */
export function isMemberName(name: string): name is MemberName {
  return (ARCHIVE_MEMBERS as readonly string[]).includes(name);
}

/** Whether a member holds NDJSON rows rather than one JSON document. */
export function isNdjsonMember(name: MemberName): name is NdjsonMemberName {
  return name.endsWith(".ndjson");
}
