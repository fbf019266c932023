import { ipv4Endpoint, ipv6Endpoint } from "../endpoint.ts";
import { EVENT_UNIX_CONNECT, type CaptureLoss, type HookCount, type KernelRecord } from "../types.ts";
import { errnoNumber } from "../../bpf/index.ts";

/** The strace options our decoder is written for (`-X raw -xx`: numbers raw, every string byte as `\xNN`). */
// One -q, not -qq: the "+++ exited with N +++" lines tell the workload's own end from the tracer's.
export const STRACE_OUTPUT_OPTIONS: readonly string[] = ["-q", "-X", "raw", "-xx", "-s", "4096", "-e", "signal=none"];

/** The syscalls traced: the capture's hooks plus the clone family, which maps thread ids to process ids. */
export const STRACE_SYSCALLS = "openat,openat2,open,creat,connect,sendto,sendmsg,execve,execveat,clone,clone3,fork,vfork";

/** A hook of the capture, as counted in `CaptureLoss.hooks`. */
export type HookName = keyof CaptureLoss["hooks"];

/**
 * Decodes `strace -f -o FILE` output line by line (pure): joins `<unfinished ...>` with its
 * `<... resumed>` half, maps thread ids to process ids through clone, and counts what it saw.
 */
export class StraceDecoder {
  readonly #pending = new Map<number, string>();
  readonly #tgid = new Map<number, number>();
  readonly #emitted = new Map<HookName, number>();
  readonly #noPeer = { sendto: 0, sendmsg: 0 };
  readonly #nonIp = { sendto: 0, sendmsg: 0 };
  #undecodable = 0;
  #truncated = 0;

  /** Decodes one line (without its newline); returns the record it completes, if any. */
  push(line: string): KernelRecord | undefined {
    const match = /^(\d+) +(.*)$/s.exec(line);
    if (!match) {
      if (line.trim() !== "") this.#undecodable += 1;
      return undefined;
    }
    const tid = Number(match[1]);
    let rest = match[2] ?? "";
    if (rest.startsWith("+++ ") || rest.startsWith("--- ")) return undefined;
    const resumed = /^<\.\.\. [\w]+ resumed>(.*)$/s.exec(rest);
    if (resumed) {
      const head = this.#pending.get(tid);
      this.#pending.delete(tid);
      if (head === undefined) {
        this.#undecodable += 1;
        return undefined;
      }
      rest = head + (resumed[1] ?? "");
    } else if (rest.endsWith(" <unfinished ...>")) {
      this.#pending.set(tid, rest.slice(0, -" <unfinished ...>".length));
      return undefined;
    }
    return this.#decodeCall(tid, rest);
  }

  /** The loss record: ptrace is synchronous, so nothing is dropped; undecodable lines are counted. */
  loss(): CaptureLoss {
    const hooks = Object.fromEntries(hookNames.map((hook): [HookName, HookCount] => [hook, { emitted: this.#emitted.get(hook) ?? 0, dropped: 0 }])) as Record<
      HookName,
      HookCount
    >;
    return {
      ringbufDrops: 0,
      eventSizeMismatch: this.#undecodable,
      hooks,
      sendNoRecoverablePeer: { ...this.#noPeer },
      sendNonIpFamily: { ...this.#nonIp },
      truncatedPaths: this.#truncated,
    };
  }

  #decodeCall(tid: number, text: string): KernelRecord | undefined {
    const call = /^(\w+)\((.*)\)\s+=\s+(.*)$/s.exec(text);
    if (!call) {
      this.#undecodable += 1;
      return undefined;
    }
    const name = call[1] ?? "";
    const args = splitArgs(call[2] ?? "");
    const result = returnValue(call[3] ?? "");
    const pid = this.#tgid.get(tid) ?? tid;
    switch (name) {
      case "clone":
      case "clone3":
      case "fork":
      case "vfork":
        this.#noteChild(pid, name, args, result);
        return undefined;
      case "execve":
      case "execveat": {
        if (result !== 0) return undefined;
        const path = quoted(args[name === "execve" ? 0 : 1]);
        // A thread that execs becomes its process's leader: its id is the process id from now on.
        this.#tgid.delete(tid);
        return this.#record("exec", path === undefined ? undefined : { pid, eventType: 4, value: path.text }, path?.truncated);
      }
      case "openat":
      case "open":
      case "creat":
      case "openat2":
        return this.#decodeOpen(pid, name, args, result);
      case "connect":
      case "sendto":
      case "sendmsg":
        return this.#decodeNetwork(pid, name, args, result);
      default:
        return undefined;
    }
  }

  #decodeOpen(pid: number, name: "openat" | "open" | "creat" | "openat2", args: string[], result: number | undefined): KernelRecord | undefined {
    if (result === undefined) return undefined;
    const pathArg = name === "openat" || name === "openat2" ? args[1] : args[0];
    const path = quoted(pathArg);
    let flags: number | undefined;
    let mode: number | undefined = 0;
    let resolve: number | undefined = 0;
    if (name === "creat") {
      flags = 0o1101;
      mode = number(args[1]);
    } else if (name === "openat2") {
      const how = structFields(args[2] ?? "");
      flags = number(how.get("flags") ?? "0");
      mode = number(how.get("mode") ?? "0");
      resolve = number(how.get("resolve") ?? "0");
    } else {
      const at = name === "openat" ? 2 : 1;
      flags = number(args[at]);
      mode = args[at + 1] === undefined ? 0 : number(args[at + 1]);
    }
    if (path === undefined || flags === undefined || mode === undefined || resolve === undefined) return this.#record(name, undefined);
    return this.#record(name, { pid, eventType: 1, value: path.text, flags, mode, resolve, returnValue: result }, path.truncated);
  }

  #decodeNetwork(pid: number, name: "connect" | "sendto" | "sendmsg", args: string[], result: number | undefined): KernelRecord | undefined {
    let address: string | undefined;
    if (name === "connect") address = args[1];
    else if (name === "sendto") address = args[4];
    else address = structFields(args[1] ?? "").get("msg_name");
    if (address === undefined || address === "NULL" || !address.startsWith("{")) {
      // An unreadable or absent peer; upstream counts it for sends only (§5.2).
      if (name !== "connect") this.#noPeer[name] += 1;
      return undefined;
    }
    const fields = structFields(address);
    const family = familyNumber(fields.get("sa_family"));
    if (family === AF_UNIX && name === "connect") {
      // Not a row (upstream has no unix peers), but the normalizer names daemon sockets in a note:
      // only a connect that reached a listener (or is under way) hands anything over.
      const path = quoted(fields.get("sun_path"));
      if (path === undefined || (result !== 0 && result !== -EINPROGRESS)) return undefined;
      return { pid, eventType: EVENT_UNIX_CONNECT, value: path.text };
    }
    const value =
      family === 2
        ? endpoint(fields.get("sin_addr"), fields.get("sin_port"), 4, ipv4Endpoint)
        : family === 10
          ? endpoint(fields.get("sin6_addr"), fields.get("sin6_port"), 16, ipv6Endpoint)
          : undefined;
    if (family !== 2 && family !== 10) {
      if (name !== "connect") this.#nonIp[name] += 1;
      return undefined;
    }
    const eventType = name === "connect" ? 2 : name === "sendto" ? 6 : 7;
    return this.#record(name, value === undefined ? undefined : { pid, eventType, value });
  }

  #noteChild(pid: number, name: string, args: string[], child: number | undefined): void {
    if (child === undefined || child <= 0) return;
    const flagsText =
      name === "clone" ? args.find((a) => a.startsWith("flags="))?.slice(6) : name === "clone3" ? structFields(args[0] ?? "").get("flags") : undefined;
    // flags=0x1200000|17: the part after "|" is the exit signal.
    const flags = number((flagsText ?? "0").split("|")[0] ?? "0") ?? 0;
    if (flags & CLONE_THREAD) this.#tgid.set(child, pid);
  }

  #record(hook: HookName, record: KernelRecord | undefined, truncated = false): KernelRecord | undefined {
    if (record === undefined) {
      this.#undecodable += 1;
      return undefined;
    }
    this.#emitted.set(hook, (this.#emitted.get(hook) ?? 0) + 1);
    if (!truncated) return record;
    this.#truncated += 1;
    return { ...record, truncated: true };
  }
}

/** A tracee's end as strace writes it (`PID +++ exited with N +++`, `PID +++ killed by SIGX +++`), or undefined for any other line. */
export function parseTraceeEnd(line: string): { readonly pid: number; readonly exitCode: number | null; readonly signalName: string | null } | undefined {
  const match = /^(\d+) +\+\+\+ (?:exited with (\d+)|killed by (SIG[A-Z0-9]+)(?: \(core dumped\))?) \+\+\+$/.exec(line);
  if (!match) return undefined;
  return { pid: Number(match[1]), exitCode: match[2] === undefined ? null : Number(match[2]), signalName: match[3] ?? null };
}

/** Splits a strace argument list at top-level commas (outside quotes, braces and brackets). */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[" || c === "(") depth += 1;
    else if (c === "}" || c === "]" || c === ")") depth -= 1;
    else if (c === "," && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "" || args.length > 0) args.push(last);
  return args;
}

// --- internal ---

const CLONE_THREAD = 0x10000;
const AF_UNIX = 1;
const EINPROGRESS = 115;
const hookNames: readonly HookName[] = ["openat", "openat2", "open", "creat", "connect", "sendto", "sendmsg", "exec"];

function returnValue(text: string): number | undefined {
  const errno = /^-1 (E[A-Z0-9_]+)\b/.exec(text);
  if (errno) {
    const value = errnoNumber(errno[1] ?? "");
    return value === undefined ? -1 : -value;
  }
  return number(text.split(" ")[0] ?? "");
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
  if (/^-?\d+$/.test(t)) return Number(t);
  return undefined;
}

// A `-xx` string: `"\x2f\x65..."`, with `...` after the closing quote when strace cut it at -s.
function quoted(text: string | undefined): { text: string; truncated: boolean } | undefined {
  const match = /^"((?:\\x[0-9a-f]{2})*)"(\.\.\.)?$/i.exec(text ?? "");
  if (!match) return undefined;
  const hex = (match[1] ?? "").replaceAll("\\x", "");
  return { text: Buffer.from(hex, "hex").toString("utf8"), truncated: match[2] !== undefined };
}

function bytesOf(text: string | undefined): Uint8Array | undefined {
  const match = /^"((?:\\x[0-9a-f]{2})*)"$/i.exec(text ?? "");
  return match ? Uint8Array.from(Buffer.from((match[1] ?? "").replaceAll("\\x", ""), "hex")) : undefined;
}

function structFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const inner = text.startsWith("{") && text.endsWith("}") ? text.slice(1, -1) : text;
  for (const part of splitArgs(inner)) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return fields;
}

function familyNumber(text: string | undefined): number | undefined {
  if (text === "AF_INET") return 2;
  if (text === "AF_INET6") return 10;
  return number(text);
}

function endpoint(
  addressText: string | undefined,
  portText: string | undefined,
  size: number,
  format: (address: Uint8Array, port: number) => string,
): string | undefined {
  const address = bytesOf(addressText);
  const port = bytesOf(portText);
  if (address?.length !== size || port?.length !== 2) return undefined;
  return format(address, ((port[0] ?? 0) << 8) | (port[1] ?? 0));
}
