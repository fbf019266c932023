export { findCgroup2Mount, parseMountinfo, type MountEntry } from "./mountinfo.ts";
export { chooseCgroupParent, type CgroupParentChoice, type CgroupParentInput } from "./cgroup-parent.ts";
export { CgroupSession, locateCgroupHost, openCgroupSession, type CgroupHost, type JoinWarmer, type OpenSessionOptions } from "./session.ts";
export { LinuxHostError, type LinuxErrorCode } from "./errors.ts";
export {
  ensureTracefs,
  findExecutable,
  isWritable,
  mayLoadBpf,
  mayPtraceChild,
  readHostFacts,
  TRACEFS_PATH,
  type HostCheck,
  type HostFacts,
} from "./host-probes.ts";
export { RunGuardian } from "./guardian.ts";
