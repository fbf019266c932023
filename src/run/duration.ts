/** Parses a duration such as `500ms`, `30s`, `2m`, `1.5h` into whole milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const ms = Math.round(amount * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Prints milliseconds the way a user would write them (`1500ms`, `30s`, `2m`). */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// --- internal ---

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
