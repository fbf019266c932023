import { describe, expect, test } from "bun:test";
import { parseFormat } from "../../src/bpf/index.ts";

// The format file of sched:sched_process_fork on kernel 6.18 (fork's comm fields became __data_loc there).
const forkFormat = `name: sched_process_fork
ID: 366
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;
\tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;
\tfield:__data_loc char[] child_comm;\toffset:16;\tsize:4;\tsigned:0;
\tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;

print fmt: "comm=%s pid=%d child_comm=%s child_pid=%d", __get_str(parent_comm), REC->parent_pid, __get_str(child_comm), REC->child_pid
`;

describe("parseFormat", () => {
  test("reads each field's offset, size, sign and __data_loc from a tracefs format file", () => {
    const fields = parseFormat(forkFormat);
    expect({ child: fields.get("child_pid"), comm: fields.get("parent_comm"), names: [...fields.keys()] }).toEqual({
      child: { offset: 20, size: 4, signed: true, dataLoc: false },
      comm: { offset: 8, size: 4, signed: false, dataLoc: true },
      names: ["common_type", "common_flags", "common_preempt_count", "common_pid", "parent_comm", "parent_pid", "child_comm", "child_pid"],
    });
  });

  test("names array and pointer fields by their identifier", () => {
    const fields = parseFormat("\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n");
    expect([...fields.entries()].map(([name, field]) => [name, field.offset])).toEqual([
      ["comm", 8],
      ["filename", 24],
    ]);
  });
});
