/** What the summary keeps of one file path. */
export interface FileTally {
  /** Access modes seen (`read`, `write`, `read_write`, `unknown`); empty when rows carry none (pre-2026-05-25 producers). */
  readonly access: Set<string>;
  /** Operation flags seen (`create`, `truncate`, `append`, `exclusive`). */
  readonly operations: Set<string>;
  opens: number;
  failed: number;
  blocked: number;
}

/** What the summary keeps of one network endpoint (the row's `value`, e.g. `1.2.3.4:443`). */
export interface EndpointTally {
  readonly syscalls: Set<string>;
  count: number;
  blocked: number;
  firstSeenSeq: number;
}

/** What the summary keeps of one executed program. */
export interface ExecTally {
  count: number;
  firstSeenSeq: number;
}

/** Per-path, per-endpoint and per-program tallies of a kernel layer, in one pass over its rows. */
export class KernelSummary {
  readonly files = new Map<string, FileTally>();
  readonly endpoints = new Map<string, EndpointTally>();
  readonly execs = new Map<string, ExecTally>();
  /** Rows read, and rows whose value was null (nothing recoverable). */
  rows = 0;
  valuelessRows = 0;

  /** Adds one `assay.runner.kernel_event.v0` row (already verified). */
  add(row: KernelRow): void {
    this.rows++;
    const value = row.value;
    if (typeof value !== "string") {
      this.valuelessRows++;
      return;
    }
    const seq = typeof row.seq === "number" ? row.seq : Number(row.seq);
    switch (row.kind) {
      case "openat":
      case "file_blocked": {
        const tally = this.files.get(value) ?? this.fileTally(value);
        if (row.kind === "file_blocked") tally.blocked++;
        else {
          tally.opens++;
          if (row.status === "error") tally.failed++;
          if (typeof row.access_mode === "string") tally.access.add(row.access_mode);
          if (Array.isArray(row.operation_flags)) for (const flag of row.operation_flags) if (typeof flag === "string") tally.operations.add(flag);
        }
        return;
      }
      case "connect":
      case "sendto":
      case "sendmsg":
      case "connect_blocked": {
        let tally = this.endpoints.get(value);
        if (tally === undefined) {
          tally = { syscalls: new Set(), count: 0, blocked: 0, firstSeenSeq: seq };
          this.endpoints.set(value, tally);
        }
        tally.count++;
        if (row.kind === "connect_blocked") tally.blocked++;
        else tally.syscalls.add(row.kind);
        return;
      }
      case "exec": {
        const tally = this.execs.get(value);
        if (tally === undefined) this.execs.set(value, { count: 1, firstSeenSeq: seq });
        else tally.count++;
        return;
      }
      default:
        return;
    }
  }

  // --- internal ---

  private fileTally(path: string): FileTally {
    const tally: FileTally = { access: new Set(), operations: new Set(), opens: 0, failed: 0, blocked: 0 };
    this.files.set(path, tally);
    return tally;
  }
}

/** The fields of a kernel row the summary reads. */
export interface KernelRow {
  readonly seq?: unknown;
  readonly kind?: unknown;
  readonly value?: unknown;
  readonly status?: unknown;
  readonly access_mode?: unknown;
  readonly operation_flags?: unknown;
}
