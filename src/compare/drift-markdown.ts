import { PROJECTION_SAMPLE_LIMIT } from "./drift-projection.ts";
import type { DriftReport } from "./drift-report.ts";

/** Renders a drift report as upstream's Markdown table (spec §3.6), byte for byte. */
export function renderDriftMarkdown(report: DriftReport): string {
  const a = report.archive_a;
  const b = report.archive_b;
  const render = (report.provenance.render_metadata ?? {}) as Record<string, unknown>;
  const lines = [
    "# Cross-Runtime Drift Report",
    "",
    armLine("A", a),
    armLine("B", b),
    `- **Render:** ${renderLine(render)}`,
    "",
    "| Dimension | Source | Classification | Only in A | Only in B | In both | Projection | Detail |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const row of report.rows) {
    lines.push(
      `| \`${escapeCell(row.dimension)}\` | \`${escapeCell(row.source)}\` | **${escapeCell(row.classification)}** | ${list(row.only_in_a)} | ${list(row.only_in_b)} | ${list(row.in_both)} | ${projectionCell(row.projection)} | ${escapeCell(row.detail)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

// --- internal ---

function escapeCell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|");
}

/** Items a Markdown list cell shows before it says how many more there are; the JSON report keeps them all. */
export const MARKDOWN_CELL_ITEMS = 25;

// deviation: upstream lists every item, so a run with hundreds of paths makes one unreadable line;
// past MARKDOWN_CELL_ITEMS a cell shows the first ones and "… and K more" (upstream's goldens hold
// at most 20 items a cell and stay byte-identical).
function list(items: readonly string[]): string {
  if (items.length === 0) return "—";
  const shown = items
    .slice(0, MARKDOWN_CELL_ITEMS)
    .map((item) => `\`${escapeCell(item)}\``)
    .join(", ");
  const more = items.length - MARKDOWN_CELL_ITEMS;
  return more > 0 ? `${shown}, … and ${more} more` : shown;
}

function armLine(label: string, arm: Record<string, unknown>): string {
  const runtime = typeof arm.runtime_label === "string" && arm.runtime_label ? arm.runtime_label : "<unknown>";
  return `- **Arm ${label}:** \`${escapeCell(runtime)}\` (\`${escapeCell(String(arm.path))}\`, manifest \`${String(arm.manifest_digest)}\`)`;
}

function renderLine(render: Record<string, unknown>): string {
  const optional = (value: unknown): string => (typeof value === "string" && value ? value : "<unknown>");
  const parts = [
    inlineCode(String(render.kind ?? "unspecified")),
    `at ${inlineCode(optional(render.rendered_at))}`,
    `using comparator ${inlineCode(optional(render.comparator_commit))}`,
  ];
  if (typeof render.source_run_url === "string" && render.source_run_url) parts.push(`from ${inlineCode(render.source_run_url)}`);
  if (typeof render.raw_captures_unchanged === "boolean") parts.push(`raw captures unchanged ${inlineCode(String(render.raw_captures_unchanged))}`);
  return parts.join("; ");
}

function inlineCode(value: string): string {
  // Python's " ".join(value.split()) collapses whitespace; the fence is one backtick longer than any run inside.
  const single = value
    .split(/\s+/)
    .filter((part) => part.length > 0)
    .join(" ");
  const longest = Math.max(0, ...(single.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${single}${fence}`;
}

function projectionCell(projection: Record<string, unknown>): string {
  if (projection.status !== "applied") return "—";
  const claim = escapeCell(String(projection.claim_level ?? "inconclusive"));
  const inBoth = projection.in_both;
  const parts = [Array.isArray(inBoth) && inBoth.length > 0 ? `${claim}: ${list(inBoth.map(String))}` : claim];
  const mappings = projection.mappings;
  if (Array.isArray(mappings) && mappings.length > 0) {
    const seen = new Set<string>();
    const examples: string[] = [];
    for (const mapping of mappings as Record<string, unknown>[]) {
      const raw = String(mapping.raw_value ?? "");
      const projected = String(mapping.projected_value ?? "");
      const key = JSON.stringify([raw, projected]);
      if (raw && projected && !seen.has(key)) {
        seen.add(key);
        examples.push(`\`${escapeCell(raw)}\` -> \`${escapeCell(projected)}\``);
      }
      if (examples.length >= PROJECTION_SAMPLE_LIMIT) break;
    }
    if (examples.length > 0) {
      const unique = new Set(
        (mappings as Record<string, unknown>[])
          .filter((m) => m.raw_value && m.projected_value)
          .map((m) => JSON.stringify([String(m.raw_value), String(m.projected_value)])),
      ).size;
      const suffix = unique > PROJECTION_SAMPLE_LIMIT ? `; +${unique - PROJECTION_SAMPLE_LIMIT} more` : "";
      parts.push(`maps: ${examples.join(", ")}${suffix}`);
    }
  }
  const unmatched = projection.unmatched_summary;
  if (unmatched !== null && typeof unmatched === "object") {
    const counts: string[] = [];
    for (const side of ["a", "b"]) {
      const item = (unmatched as Record<string, unknown>)[side];
      if (item !== null && typeof item === "object") counts.push(`${side}=${escapeCell(String((item as Record<string, unknown>).count ?? 0))}`);
    }
    if (counts.length > 0) parts.push(`unmatched raw: ${counts.join(", ")}`);
  }
  return parts.join("<br>");
}
