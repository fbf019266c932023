import type { Issue } from "./issue.ts";
import { makeIssue, type Where } from "./_to-issues.ts";

/** One validated NDJSON row with the 1-based line it came from. */
export interface LayerRow {
  readonly line: number;
  readonly value: { readonly run_id: string; readonly seq: number | bigint };
}

/**
 * Checks what single rows cannot show: in every NDJSON member `seq` counts 0, 1, 2, … in row
 * order (kernel rows dropped by the normalizer consume no seq, spec §2.3) and every row has the
 * same run id.
 */
export function checkLayer(rows: readonly LayerRow[], where: Omit<Where, "line">): Issue[] {
  const issues: Issue[] = [];
  const first = rows[0];
  for (const [index, row] of rows.entries()) {
    const at = { ...where, line: row.line };
    if (BigInt(row.value.seq) !== BigInt(index)) {
      issues.push(
        makeIssue(at, "SEQ_OUT_OF_ORDER", "seq", String(index), String(row.value.seq), `row ${index + 1} has seq ${row.value.seq}; rows must be numbered 0, 1, 2, … in order, so this one must be ${index}`),
      );
    }
    if (first !== undefined && row.value.run_id !== first.value.run_id) {
      issues.push(
        makeIssue(at, "RUN_ID_MISMATCH", "run_id", JSON.stringify(first.value.run_id), JSON.stringify(row.value.run_id), `row run_id ${JSON.stringify(row.value.run_id)} differs from ${JSON.stringify(first.value.run_id)} on line ${first.line}; one layer belongs to one run`),
      );
    }
  }
  return issues;
}
