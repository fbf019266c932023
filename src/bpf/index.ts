export * from "./instruction.ts";
export { BpfError, errnoName, type BpfErrorCode } from "./errors.ts";
export { BpfMap, MapType, u32Key, UpdateFlag, type MapSpec } from "./map.ts";
export { BpfProgram, ProgramType, type ProgramSpec } from "./program.ts";
export { fieldOffset, hasTracepoint, parseFormat, readTracepointFormat, TracepointLink, type TracepointField, type TracepointFormat } from "./tracepoint.ts";
export { RingBufferReader } from "./ring-buffer.ts";
export { loadedPrograms, programInfo, type ProgramInfo } from "./program-info.ts";
export { CgroupAttachType, CgroupLink } from "./cgroup-attach.ts";
export { hasLibc, pageSize } from "./libc.ts";
