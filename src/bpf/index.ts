export * from "./instruction.ts";
export { BpfError, errnoName, type BpfErrorCode } from "./errors.ts";
export { errnoNumber } from "./errno.ts";
export { findSyscallNumber, syscallNumber, type SyscallName } from "./syscall-numbers.ts";
export { BpfMap, MapType, u32Bytes, UpdateFlag, type MapSpec } from "./map.ts";
export { MapBtf } from "./btf.ts";
export { BpfProgram, ProgramType, type ProgramSpec } from "./program.ts";
export {
  fieldOffset,
  hasTracepoint,
  parseFormat,
  RawTracepointLink,
  readTracepointFormat,
  TracepointLink,
  type TracepointField,
  type TracepointFormat,
} from "./tracepoint.ts";
export { syscallRegisters, syscallTracepointFlag, type SyscallRegisters } from "./syscall-registers.ts";
export { rawTracepointTarget, rawTracepointTargets, type RawTracepointTarget } from "./kernel-btf.ts";
export { RingBufferReader } from "./ring-buffer.ts";
export { loadedPrograms, programInfo, type ProgramInfo } from "./program-info.ts";
export { CgroupAttachType, CgroupLink } from "./cgroup-attach.ts";
export { hasLibc, pageSize } from "./libc.ts";
export { closeInBackground } from "./background-close.ts";
export { deleteAt, lookupAt, updateAt, type Slot } from "./map-calls.ts";
