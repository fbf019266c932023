import { openSync } from "node:fs";
import { bpfCall, BpfCommand, newAttr } from "./bpf-call.ts";
import { syscallError } from "./errors.ts";
import { closeFd } from "./libc.ts";
import type { BpfProgram } from "./program.ts";

/** `enum bpf_attach_type` values for cgroup packet and socket-address programs. */
export const CgroupAttachType = {
  INET_INGRESS: 0,
  INET_EGRESS: 1,
  INET4_CONNECT: 10,
  INET6_CONNECT: 11,
  UDP4_SENDMSG: 14,
  UDP6_SENDMSG: 15,
  UDP4_RECVMSG: 19,
  UDP6_RECVMSG: 20,
} as const;

// `union bpf_attr` for BPF_PROG_ATTACH / BPF_PROG_DETACH.
const ATTACH = { target: 0, program: 4, type: 8, flags: 12 } as const;
// Other programs (another run's, a host agent's) may stay attached beside ours.
const BPF_F_ALLOW_MULTI = 2;

/** A program attached to a cgroup directory; closing detaches it. */
export class CgroupLink {
  #cgroupFd: number;

  private constructor(
    readonly program: BpfProgram,
    readonly attachType: number,
    cgroupFd: number,
  ) {
    this.#cgroupFd = cgroupFd;
  }

  /** Attaches `program` to the cgroup at `cgroupPath` (BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI). */
  static attach(program: BpfProgram, cgroupPath: string, attachType: number): CgroupLink {
    const cgroupFd = openSync(cgroupPath, "r");
    const { bytes, view } = newAttr();
    view.setUint32(ATTACH.target, cgroupFd, true);
    view.setUint32(ATTACH.program, program.fd, true);
    view.setUint32(ATTACH.type, attachType, true);
    view.setUint32(ATTACH.flags, BPF_F_ALLOW_MULTI, true);
    const result = bpfCall(BpfCommand.PROG_ATTACH, bytes);
    if (!result.ok) {
      closeFd(cgroupFd);
      throw syscallError("BPF_ATTACH_FAILED", `BPF_PROG_ATTACH ${program.name} to ${cgroupPath}`, result.errno);
    }
    return new CgroupLink(program, attachType, cgroupFd);
  }

  /** Detaches (BPF_PROG_DETACH) and closes the cgroup fd; safe to call twice. */
  close(): void {
    if (this.#cgroupFd < 0) return;
    const { bytes, view } = newAttr();
    view.setUint32(ATTACH.target, this.#cgroupFd, true);
    view.setUint32(ATTACH.program, this.program.fd, true);
    view.setUint32(ATTACH.type, this.attachType, true);
    bpfCall(BpfCommand.PROG_DETACH, bytes);
    closeFd(this.#cgroupFd);
    this.#cgroupFd = -1;
  }
}
