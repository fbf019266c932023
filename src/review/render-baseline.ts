import type { Baseline } from "../schema/index.ts";

/**
 * Renders a baseline as JSON that diffs well in review: one entry per line, fields in schema order,
 * the rules indented. Parsing it back gives the same baseline.
 */
export function renderBaseline(baseline: Baseline): string {
  const lines = ["{"];
  const keys = Object.keys(baseline) as (keyof Baseline)[];
  keys.forEach((key, i) => {
    const comma = i === keys.length - 1 ? "" : ",";
    const value = baseline[key];
    if (Array.isArray(value)) {
      if (value.length === 0) lines.push(`  ${JSON.stringify(key)}: []${comma}`);
      else {
        lines.push(`  ${JSON.stringify(key)}: [`);
        value.forEach((entry, j) => lines.push(`    ${JSON.stringify(entry)}${j === value.length - 1 ? "" : ","}`));
        lines.push(`  ]${comma}`);
      }
    } else if (typeof value === "object" && value !== null) {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replaceAll("\n", "\n  ")}${comma}`);
    } else lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
  });
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
