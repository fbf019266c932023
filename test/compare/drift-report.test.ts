import { describe, expect, test } from "bun:test";
import {
  buildDriftReport,
  DEFAULT_PROVIDER_HOSTS,
  MARKDOWN_CELL_ITEMS,
  parseDriftProjectionRules,
  renderDriftMarkdown,
  type DriftOptions,
  type DriftRow,
} from "../../src/compare/index.ts";
import { arm, started, type ArmSpec } from "./_arms.ts";

const OPTIONS: DriftOptions = {
  fixturePaths: ["/w/in.txt"],
  providerHosts: [...DEFAULT_PROVIDER_HOSTS],
  rules: parseDriftProjectionRules({ pathAliases: [], networkAliases: [], networkCidrs: [] }),
  provenance: {},
};

function row(dimension: string, a: ArmSpec, b: ArmSpec, options: DriftOptions = OPTIONS): Pick<DriftRow, "classification" | "detail"> {
  const found = buildDriftReport(arm("a", a), arm("b", b), options).rows.find((r) => r.dimension === dimension);
  if (!found) throw new Error(`no row ${dimension}`);
  return { classification: found.classification, detail: found.detail };
}

describe("drift row classification", () => {
  test("empty in both arms is inconclusive", () => {
    expect(row("process_execs", {}, {})).toEqual({ classification: "inconclusive", detail: "dimension empty in both arms" });
  });

  test("one-sided data names the empty arm", () => {
    expect(row("process_execs", {}, { process_execs: ["/usr/bin/node"] })).toEqual({
      classification: "inconclusive",
      detail: "dimension absent in arm-a; cannot tell if not emitted or not measured",
    });
  });

  test("full overlap is task-induced", () => {
    expect(row("mcp_tool_surface", { mcp_tools: ["x"] }, { mcp_tools: ["x"] })).toEqual({ classification: "task-induced", detail: "full overlap" });
  });

  test("non-shared fixture paths only are task-induced; mixed ones are runtime-induced with counts", () => {
    expect([
      row("filesystem_paths_touched", { filesystem_paths: ["/etc/hosts", "/w/in.txt"] }, { filesystem_paths: ["/etc/hosts"] }),
      row("filesystem_paths_touched", { filesystem_paths: ["/w/in.txt", "/x"] }, { filesystem_paths: ["/y"] }),
    ]).toEqual([
      { classification: "task-induced", detail: "all 1 non-shared item(s) match known fixture paths" },
      { classification: "runtime-induced", detail: "3 non-shared item(s); 1 fixture, 2 unclassified" },
    ]);
  });

  test("kernel operations on a fixture path count as fixture items", () => {
    const open = (value: string, access_mode: string) => ({ kind: "openat", value, access_mode, status: "success" });
    expect(
      row("kernel_file_operations", { kernel: [open("/w/in.txt", "read"), open("/etc/hosts", "read")] }, { kernel: [open("/etc/hosts", "read")] }),
    ).toEqual({
      classification: "task-induced",
      detail: "all 1 non-shared item(s) match known fixture paths",
    });
  });

  test("provider hosts: exact or subdomain match, never a substring; only on the network row", () => {
    expect([
      row("network_endpoints", { network_endpoints: ["api.openai.com:443", "1.1.1.1:53"] }, { network_endpoints: ["eu.api.openai.com:443", "1.1.1.1:53"] }),
      row("network_endpoints", { network_endpoints: ["notapi.openai.com.evil:443"] }, { network_endpoints: ["1.1.1.1:53"] }),
      row("filesystem_paths_touched", { filesystem_paths: ["api.openai.com"] }, { filesystem_paths: ["/x"] }),
    ]).toEqual([
      { classification: "provider-induced", detail: "all 2 non-shared item(s) match provider host whitelist" },
      { classification: "runtime-induced", detail: "2 non-shared item(s); 0 provider, 0 fixture, 2 unclassified" },
      { classification: "runtime-induced", detail: "2 non-shared item(s); 0 fixture, 2 unclassified" },
    ]);
  });

  test("diagnostic_only endpoint churn is inconclusive, even when it would be provider-induced", () => {
    const health = { network_endpoint_claim_scope: "diagnostic_only" };
    expect(row("network_endpoints", { network_endpoints: ["api.openai.com:443"], health }, { network_endpoints: ["auth.openai.com:443"] })).toEqual({
      classification: "inconclusive",
      detail:
        "network_endpoints claim scope is diagnostic-only (arm-a=diagnostic_only, arm-b=unspecified); raw endpoint churn is not classified as a hard regression. Raw comparison detail: all 2 non-shared item(s) match provider host whitelist",
    });
  });

  test("diagnostic_only without churn keeps full overlap", () => {
    const health = { network_endpoint_claim_scope: "diagnostic_only" };
    expect(row("network_endpoints", { network_endpoints: ["1.1.1.1:53"], health }, { network_endpoints: ["1.1.1.1:53"], health })).toEqual({
      classification: "task-induced",
      detail: "full overlap",
    });
  });
});

describe("tool invocation order", () => {
  const order = (a: ArmSpec, b: ArmSpec) => {
    const r = buildDriftReport(arm("a", a), arm("b", b), OPTIONS).rows[6];
    return r && [r.only_in_a, r.only_in_b, r.in_both, r.classification, r.detail];
  };
  test("compares ordered sequences by seq, not sets", () => {
    expect([
      order({}, {}),
      order({ sdk: started("read_file") }, {}),
      order({ sdk: started("read_file", "write_file") }, { sdk: started("read_file", "write_file") }),
      order({ sdk: started("read_file", "write_file") }, { sdk: started("write_file", "read_file") }),
    ]).toEqual([
      [[], [], [], "inconclusive", "no tool_call_started events in either arm"],
      [["read_file"], [], [], "inconclusive", "invocation order absent in one arm"],
      [[], [], ["read_file", "write_file"], "task-induced", "identical sequence: read_file -> write_file"],
      [["read_file", "write_file"], ["write_file", "read_file"], [], "runtime-induced", "a: read_file -> write_file | b: write_file -> read_file"],
    ]);
  });

  test("sorts started events stably by seq and keeps everything after the first colon of the call id", () => {
    const sdk = [
      { event_type: "tool_call_started", seq: 2, tool_call_id: "c", tool: "third" },
      { event_type: "tool_call_started", seq: 0, tool_call_id: "a:b", tool: "first" },
      { event_type: "tool_call_started", seq: 1.5, tool_call_id: "x", tool: "not-an-int" },
    ];
    expect(order({ sdk }, { sdk })?.[2]).toEqual(["b:first", "third"]);
  });
});

describe("renderDriftMarkdown", () => {
  test("escapes pipes and backslashes in cells and widens the fence around backticks", () => {
    const report = buildDriftReport(arm("a|1", { mcp_tools: ["to|ol\\x"] }), arm("b", { mcp_tools: ["to|ol\\x"] }), {
      ...OPTIONS,
      provenance: { renderKind: "re_render", comparatorCommit: "ab`c", rawCapturesUnchanged: false },
    });
    const md = renderDriftMarkdown(report).split("\n");
    expect([md[2], md[4], md[13]]).toEqual([
      `- **Arm A:** \`<unknown>\` (\`a\\|1\`, manifest \`${String(report.archive_a.manifest_digest)}\`)`,
      "- **Render:** `re_render`; at `<unknown>`; using comparator ``ab`c``; raw captures unchanged `false`",
      "| `mcp_tool_surface` | `capability_surface.mcp_tools` | **task-induced** | — | — | `to\\|ol\\\\x` | — | full overlap |",
    ]);
  });

  // Issue 14, item 5: drift's Markdown cells held 100+ paths on one line.
  test("a cell with hundreds of paths lists the first ones, then how many more; the JSON keeps them all", () => {
    const paths = (side: string, n: number) => Array.from({ length: n }, (_, i) => `/w/${side}/${String(i).padStart(3, "0")}.txt`);
    const report = buildDriftReport(
      arm("a", { filesystem_paths: [...paths("a", 300), ...paths("both", 30)] }),
      arm("b", { filesystem_paths: [...paths("b", MARKDOWN_CELL_ITEMS), ...paths("both", 30)] }),
      OPTIONS,
    );
    const row =
      renderDriftMarkdown(report)
        .split("\n")
        .find((line) => line.startsWith("| `filesystem_paths_touched`")) ?? "";
    const cells = row.split(" | ");
    const json = report.rows.find((r) => r.dimension === "filesystem_paths_touched");
    expect({
      onlyA: [
        cells[3]?.split(", ").length,
        cells[3]?.endsWith(`\`/w/a/${String(MARKDOWN_CELL_ITEMS - 1).padStart(3, "0")}.txt\`, … and ${300 - MARKDOWN_CELL_ITEMS} more`),
      ],
      // Exactly the cap: no "more" suffix.
      onlyB: [cells[4]?.split(", ").length, cells[4]?.includes("more")],
      both: cells[5]?.endsWith(", … and 5 more"),
      json: [json?.only_in_a.length, json?.only_in_b.length, json?.in_both.length],
    }).toEqual({ onlyA: [MARKDOWN_CELL_ITEMS + 1, true], onlyB: [MARKDOWN_CELL_ITEMS, false], both: true, json: [300, MARKDOWN_CELL_ITEMS, 30] });
  });
});
