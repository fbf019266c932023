import type { ArchiveWriter } from "../evidence/index.ts";
import { MANIFESTED_MEMBERS } from "../evidence/index.ts";
import type { SurfaceSets } from "./capability-surface.ts";
import { redactJsonLine, redactSurface } from "./redaction-archive.ts";
import type { Redaction } from "../schema/index.ts";
import {
  buildRedactionHealth,
  createRedactor,
  disabledRedactionHealth,
  RedactionTally,
  resolveRedactionKey,
  SecretSweep,
  UnredactedSecretError,
} from "../redaction/index.ts";
import type { RunSpec } from "./run-spec.ts";

/** A run's redaction, set up before the workload starts so a bad key fails before anything runs. */
export interface PreparedRedaction {
  readonly enabled: boolean;
  /** Rewrites the surface sets (shape, URL userinfo, argv passes; sets re-sorted). */
  redactSurface(sets: SurfaceSets): SurfaceSets;
  /**
   * Redacts one row as it is produced (before it reaches the spool): `line` is one JSON text,
   * with or without its final newline, which is kept; a clean line is returned unchanged.
   */
  redactLine(line: string): string;
  /** Redacts a free-form string of ours (a health note) with `field` as its tally field. */
  redactText(field: string, text: string): string;
  /** The `observation_health.redaction` block for everything redacted so far (§3.4). */
  block(): Redaction;
}

/** Resolves the key (`--redaction-key`) and builds the redactor for the run's mode (archive spec §3.3). */
export function prepareRedaction(spec: Pick<RunSpec, "redact" | "redactionKey">, env: Readonly<Record<string, string | undefined>>): PreparedRedaction {
  if (spec.redact === "disabled_unsafe") {
    return {
      enabled: false,
      redactSurface: (sets) => sets,
      redactLine: (line) => line,
      redactText: (_field, text) => text,
      block: disabledRedactionHealth,
    };
  }
  const mode = spec.redact;
  const key = resolveRedactionKey(spec.redactionKey, { env });
  const redactor = createRedactor(mode, key.bytes);
  const tally = new RedactionTally();
  return {
    enabled: true,
    redactSurface: (sets) => redactSurface(sets, redactor, tally),
    redactLine: (line) => (line.endsWith("\n") ? `${redactJsonLine(line.slice(0, -1), redactor, tally)}\n` : redactJsonLine(line, redactor, tally)),
    redactText: (field, text) => redactor.redactValue(field, text, tally),
    block: () => buildRedactionHealth(mode, tally, { scope: key.scope, keyId: key.keyId }),
  };
}

/** The fail-closed sweep over all seven members' final bytes; throws UnredactedSecretError (exit 2, no archive). */
export async function sweepArchiveMembers(writer: ArchiveWriter, redaction: PreparedRedaction): Promise<void> {
  // With --unsafe-disable-redaction neither the passes nor the sweep run (§3.1).
  if (!redaction.enabled) return;
  for (const member of MANIFESTED_MEMBERS) {
    const sweep = new SecretSweep();
    for await (const chunk of writer.readSpooled(member)) sweep.push(chunk);
    const hit = sweep.finish();
    if (hit !== undefined) {
      // The message names rule, member and line, never the value.
      throw new UnredactedSecretError(
        hit.rule,
        member,
        hit.line,
        `refusing to write the archive: ${member} line ${hit.line} still holds a ${hit.rule}-shaped value after redaction; no archive was written`,
      );
    }
  }
}
