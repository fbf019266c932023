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
  const first = rows[0];
  return first === undefined ? [] : rows.flatMap((row, index) => checkLayerRow(row, index, first, where));
}

/**
 * `checkLayer` for one row at a time, for readers that stream a layer instead of holding it:
 * `index` is the row's position among the layer's rows, `first` the layer's first row.
 */
export function checkLayerRow(row: LayerRow, index: number, first: LayerRow, where: Omit<Where, "line">): readonly Issue[] {
  // Called once per row of layers with millions of rows: allocate only when something is wrong.
  const { seq, run_id: runId } = row.value;
  const seqOk = typeof seq === "number" ? seq === index : seq === BigInt(index);
  if (seqOk && runId === first.value.run_id) return NO_ISSUES;
  const issues: Issue[] = [];
  const at = { ...where, line: row.line };
  if (!seqOk) {
    issues.push(
      makeIssue(
        at,
        "SEQ_OUT_OF_ORDER",
        "seq",
        String(index),
        String(row.value.seq),
        `row ${index + 1} has seq ${row.value.seq}; rows must be numbered 0, 1, 2, … in order, so this one must be ${index}`,
      ),
    );
  }
  if (row.value.run_id !== first.value.run_id) {
    issues.push(
      makeIssue(
        at,
        "RUN_ID_MISMATCH",
        "run_id",
        JSON.stringify(first.value.run_id),
        JSON.stringify(row.value.run_id),
        `row run_id ${JSON.stringify(row.value.run_id)} differs from ${JSON.stringify(first.value.run_id)} on line ${first.line}; one layer belongs to one run`,
      ),
    );
  }
  return issues;
}

// --- internal ---

const NO_ISSUES: readonly Issue[] = Object.freeze([]);
