import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bpfCall, BpfCommand, newAttr } from "./bpf-call.ts";
import { BpfError, syscallError } from "./errors.ts";
import { addressOf, ioctl, rawSyscall } from "./libc.ts";
import { findSyscallNumber } from "./syscall-numbers.ts";
import type { BpfProgram } from "./program.ts";
import { OwnedFd } from "./owned-fd.ts";

/** One field of a tracepoint record, from its tracefs `format` file. */
export interface TracepointField {
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  /** A `__data_loc` field: a u32 whose low half is the offset of the data in the record, the high half its length. */
  readonly dataLoc: boolean;
}

/** A tracepoint's id and record layout. */
export interface TracepointFormat {
  readonly category: string;
  readonly name: string;
  readonly id: number;
  readonly fields: ReadonlyMap<string, TracepointField>;
}

/** Whether a tracepoint exists on this kernel (e.g. `syscalls/sys_enter_open` does not on arm64). */
export function hasTracepoint(tracefs: string, category: string, name: string): boolean {
  return existsSync(join(tracefs, "events", category, name, "id"));
}

/** Reads a tracepoint's id and field offsets from tracefs. */
export function readTracepointFormat(tracefs: string, category: string, name: string): TracepointFormat {
  const dir = join(tracefs, "events", category, name);
  let format: string;
  let idText: string;
  try {
    format = readFileSync(join(dir, "format"), "utf8");
    idText = readFileSync(join(dir, "id"), "utf8");
  } catch (error) {
    throw new BpfError(
      "BPF_TRACEPOINT_MISSING",
      `read ${dir}/format`,
      0,
      `tracepoint ${category}:${name} is not available (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { category, name, id: Number.parseInt(idText, 10), fields: parseFormat(format) };
}

/** The offset of a field, or an error naming the tracepoint and field (layouts differ between kernels). */
export function fieldOffset(format: TracepointFormat, field: string): number {
  const found = format.fields.get(field);
  if (found === undefined)
    throw new BpfError(
      "BPF_TRACEPOINT_MISSING",
      `read ${format.category}:${format.name} format`,
      0,
      `tracepoint ${format.category}:${format.name} has no field ${field}`,
    );
  return found.offset;
}

/** Parses the `field:` lines of a tracefs `format` file. */
export function parseFormat(text: string): Map<string, TracepointField> {
  const fields = new Map<string, TracepointField>();
  for (const match of text.matchAll(/field:([^;]+);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/g)) {
    const declaration = (match[1] ?? "").trim();
    const name = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\])?$/.exec(declaration)?.[1];
    if (name === undefined) continue;
    fields.set(name, { offset: Number(match[2]), size: Number(match[3]), signed: match[4] === "1", dataLoc: declaration.startsWith("__data_loc") });
  }
  return fields;
}

/** A program attached to a tracepoint through a perf event; closing it detaches the program. */
export class TracepointLink extends OwnedFd {
  private constructor(
    readonly tracepoint: string,
    fd: number,
  ) {
    super(fd);
  }

  /**
   * Attaches `program` to a tracepoint: perf_event_open(PERF_TYPE_TRACEPOINT), PERF_EVENT_IOC_SET_BPF,
   * PERF_EVENT_IOC_ENABLE. The program runs on every CPU from the moment this returns.
   */
  static attach(program: BpfProgram, format: TracepointFormat): TracepointLink {
    const where = `${format.category}:${format.name}`;
    const perfEventOpen = findSyscallNumber("perf_event_open");
    if (perfEventOpen === undefined) throw new BpfError("BPF_UNAVAILABLE", `attach ${where}`, 38, `no syscall table for ${process.arch}`);
    const attr = new Uint8Array(PERF_ATTR_SIZE);
    const view = new DataView(attr.buffer);
    view.setUint32(PERF_ATTR.type, PERF_TYPE_TRACEPOINT, true);
    view.setUint32(PERF_ATTR.size, PERF_ATTR_SIZE, true);
    view.setBigUint64(PERF_ATTR.config, BigInt(format.id), true);
    // A tracepoint's BPF programs hang off the tracepoint itself: one event (cpu 0, any pid) serves all CPUs.
    const opened = rawSyscall(perfEventOpen, addressOf(attr), -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    if (!opened.ok) throw syscallError("BPF_ATTACH_FAILED", `perf_event_open ${where}`, opened.errno);
    const link = new TracepointLink(where, opened.value);
    const setBpf = ioctl(opened.value, PERF_EVENT_IOC_SET_BPF, program.fd);
    if (!setBpf.ok) {
      link.close();
      throw syscallError("BPF_ATTACH_FAILED", `PERF_EVENT_IOC_SET_BPF ${where} (${program.name})`, setBpf.errno);
    }
    const enable = ioctl(opened.value, PERF_EVENT_IOC_ENABLE, 0);
    if (!enable.ok) {
      link.close();
      throw syscallError("BPF_ATTACH_FAILED", `PERF_EVENT_IOC_ENABLE ${where}`, enable.errno);
    }
    return link;
  }
}

/**
 * A BTF-typed raw tracepoint program (`tp_btf`, loaded with `rawTracepointTarget`) attached by
 * BPF_RAW_TRACEPOINT_OPEN; closing it detaches the program. One raw `sys_enter` serves every syscall, where a tracepoint per syscall needs a perf
 * event each, and the program reads its arguments with plain loads.
 */
export class RawTracepointLink extends OwnedFd {
  private constructor(
    readonly tracepoint: string,
    fd: number,
  ) {
    super(fd);
  }

  /** Attaches `program`, loaded for `tracepoint` (the kernel takes the name from its BTF type); it runs on every CPU from the moment this returns. */
  static attach(program: BpfProgram, tracepoint: string): RawTracepointLink {
    const { bytes, view } = newAttr();
    view.setUint32(RAW_OPEN.programFd, program.fd, true);
    const opened = bpfCall(BpfCommand.RAW_TRACEPOINT_OPEN, bytes);
    if (!opened.ok) throw syscallError("BPF_ATTACH_FAILED", `BPF_RAW_TRACEPOINT_OPEN ${tracepoint} (${program.name})`, opened.errno);
    return new RawTracepointLink(tracepoint, opened.value);
  }
}

// --- internal ---

// `union bpf_attr` for BPF_RAW_TRACEPOINT_OPEN (its name stays 0 for a BTF-typed program).
const RAW_OPEN = { programFd: 8 } as const;

// `struct perf_event_attr` (include/uapi/linux/perf_event.h); PERF_ATTR_SIZE_VER7.
const PERF_ATTR_SIZE = 128;
const PERF_ATTR = { type: 0, size: 4, config: 8 } as const;
const PERF_TYPE_TRACEPOINT = 2;
const PERF_FLAG_FD_CLOEXEC = 8;
const PERF_EVENT_IOC_ENABLE = 0x2400;
const PERF_EVENT_IOC_SET_BPF = 0x40042408;
