import { describe, expect, test } from "bun:test";
import { checkPolicyConsistency, IDEMPOTENT_NOTE, projectCapabilityDiff, renderPythonJson, type CapabilityDiff } from "../../src/compare/index.ts";
import { evidenceSet, fixtureText, s5 } from "./_inputs.ts";

function diff(mutateHead: (head: ReturnType<typeof s5>) => void = () => {}, mutateBase: (base: ReturnType<typeof s5>) => void = () => {}) {
  const base = s5();
  const head = s5();
  mutateBase(base);
  mutateHead(head);
  return projectCapabilityDiff(evidenceSet("base", base), evidenceSet("head", head));
}

function value(result: ReturnType<typeof diff>): CapabilityDiff {
  if (!result.ok) throw new Error(result.issues[0].message);
  return result.value;
}

describe("projectCapabilityDiff", () => {
  test("diffing the S5 triple with itself reproduces the idempotent golden byte for byte", () => {
    expect(renderPythonJson(value(diff()))).toBe(fixtureText("golden/capability-diff-s5-idempotent-v0.json"));
  });

  test("a policy change allow→deny with the binding following is clean, noteless and names the change", () => {
    const d = value(
      diff((h) => {
        h.surface.policy_decisions = ["deny:read_file"];
        h.correlation.bindings[0].policy_decision = "deny";
      }),
    );
    expect([d.status, d.notes, d.surface.policy_decisions, d.policy_outcomes.changed]).toEqual([
      "clean",
      [],
      { added: ["deny:read_file"], removed: ["allow:read_file"], unchanged: [] },
      [{ tool_call_id: "tc_runner_policy_001", base: "allow", head: "deny" }],
    ]);
  });

  test("the same surface change with the binding still allow violates policy consistency", () => {
    const d = value(diff((h) => (h.surface.policy_decisions = ["deny:read_file"])));
    const checked = checkPolicyConsistency(d, "<diff>");
    expect(checked.ok ? "accepted" : checked.issues[0].message).toBe("policy surface changed for stable binding ids without policy_outcomes.changed");
  });

  test("ringbuf drops on the head give partial:health with head_health_clean false, and a note that says why", () => {
    const d = value(diff((h) => (h.health.ringbuf_drops = 2)));
    expect([d.status, d.preconditions.head_health_clean, d.preconditions.base_health_clean, d.notes]).toEqual([
      "partial:health",
      false,
      true,
      ["capability_diff_partial: head observation health is not clean: ringbuf_drops is 2, expected 0"],
    ]);
  });

  test("sdk_layer present is not clean in v0", () => {
    expect(value(diff((h) => (h.health.sdk_layer = "present"))).status).toBe("partial:health");
  });

  test("a boolean false drop count is not clean (stricter than upstream's == 0)", () => {
    expect(value(diff((h) => (h.health.ringbuf_drops = false))).status).toBe("partial:health");
  });

  test("a partial head correlation gives partial:correlation", () => {
    expect(value(diff((h) => (h.correlation.status = "partial"))).status).toBe("partial:correlation");
  });

  test("health problems take precedence over correlation problems", () => {
    const d = value(
      diff((h) => {
        h.correlation.status = "partial";
        h.health.kernel_layer = "absent";
      }),
    );
    expect(d.status).toBe("partial:health");
  });

  test("empty bindings give partial:correlation with stable ids not present", () => {
    const d = value(diff((h) => (h.correlation.bindings = [])));
    expect([d.status, d.preconditions.stable_tool_call_ids_present, d.notes]).toEqual([
      "partial:correlation",
      false,
      ["capability_diff_partial: head has no tool-call bindings, which a run with an agent layer needs for a clean diff"],
    ]);
  });

  test("a renamed binding id stays clean but loses the idempotent note", () => {
    const d = value(diff((h) => (h.correlation.bindings[0].tool_call_id = "tc_other")));
    expect([d.status, d.binding_ids, d.notes]).toEqual(["clean", { added: ["tc_other"], removed: ["tc_runner_policy_001"], unchanged: [] }, []]);
  });

  test("the idempotent note ignores run ids: equal content of two runs still gets it", () => {
    const d = value(
      diff((h) => {
        for (const doc of [h.health, h.surface, h.correlation]) doc.run_id = "run_other";
      }),
    );
    expect([d.head_run_id, d.notes]).toEqual(["run_other", [IDEMPOTENT_NOTE]]);
  });

  test("surface duplicates collapse and every list is in code-point order", () => {
    const d = value(diff((h) => (h.surface.mcp_tools = ["\u{1F600}", "\uFF21", "read_file", "read_file"])));
    expect(d.surface.mcp_tools).toEqual({ added: ["\uFF21", "\u{1F600}"], removed: [], unchanged: ["read_file"] });
  });

  describe("rejects structural faults naming file and field", () => {
    const cases: [string, (h: ReturnType<typeof s5>) => void, string, string][] = [
      [
        "a duplicate tool_call_id",
        (h) => h.correlation.bindings.push({ ...h.correlation.bindings[0] }),
        "head/correlation-report.json",
        "bindings.1.tool_call_id",
      ],
      ["missing bindings", (h) => delete h.correlation.bindings, "head/correlation-report.json", "bindings"],
      ["an empty tool_call_id", (h) => (h.correlation.bindings[0].tool_call_id = ""), "head/correlation-report.json", "bindings.0.tool_call_id"],
      ["a non-string policy_decision", (h) => (h.correlation.bindings[0].policy_decision = 1), "head/correlation-report.json", "bindings.0.policy_decision"],
      ["a surface run_id mismatch", (h) => (h.surface.run_id = "run_other"), "head/capability-surface.json", "run_id"],
      ["a wrong health schema", (h) => (h.health.schema = "assay.runner.observation_health.v9"), "head/observation-health.json", "schema"],
      ["an empty run_id", (h) => (h.health.run_id = ""), "head/observation-health.json", "run_id"],
      ["a surface category with a non-string", (h) => (h.surface.process_execs = [1]), "head/capability-surface.json", "process_execs"],
      ["a missing surface category", (h) => delete h.surface.network_endpoints, "head/capability-surface.json", "network_endpoints"],
    ];
    for (const [name, mutate, file, path] of cases) {
      test(name, () => {
        const result = diff(mutate);
        expect(result.ok ? undefined : { file: result.issues[0].file, path: result.issues[0].path }).toEqual({ file, path });
      });
    }
  });
});

// Issue 14, item 4: two clean runs without an agent diffed as partial:health with empty notes.
describe("projectCapabilityDiff of runs without an agent", () => {
  const noAgent = (side: ReturnType<typeof s5>) => {
    side.health.policy_layer = "absent";
    side.health.sdk_layer = "absent";
    side.correlation.bindings = [];
    side.surface.mcp_tools = [];
    side.surface.policy_decisions = [];
  };

  test("two clean runs are clean, with binding ids not required, and agree with their fidelity verdict", () => {
    const d = value(diff(noAgent, noAgent));
    expect([d.status, d.preconditions, d.notes]).toEqual([
      "clean",
      {
        base_health_clean: true,
        head_health_clean: true,
        base_correlation_clean: true,
        head_correlation_clean: true,
        stable_tool_call_ids_required: false,
        stable_tool_call_ids_present: false,
      },
      [IDEMPOTENT_NOTE],
    ]);
  });

  test("an agent run against a run without one still needs bindings on both sides", () => {
    const d = value(diff(noAgent));
    expect([d.status, d.preconditions.stable_tool_call_ids_required, d.notes]).toEqual([
      "partial:correlation",
      true,
      ["capability_diff_partial: head has no tool-call bindings, which a run with an agent layer needs for a clean diff"],
    ]);
  });

  test("a run with only a policy log declared an agent layer: its missing SDK layer keeps it partial, and the note says so", () => {
    const d = value(diff((h) => (h.health.sdk_layer = "absent")));
    expect([d.status, d.notes]).toEqual([
      "partial:health",
      ['capability_diff_partial: head observation health is not clean: sdk_layer is "absent", expected "self_reported" (the run declared an agent layer)'],
    ]);
  });

  test("every partial diff names each cause in its notes", () => {
    const d = value(
      diff((h) => {
        noAgent(h);
        h.health.kernel_layer = "partial_ringbuf_drops";
        h.correlation.status = "partial";
      }, noAgent),
    );
    expect([d.status, d.notes]).toEqual([
      "partial:health",
      [
        'capability_diff_partial: head observation health is not clean: kernel_layer is "partial_ringbuf_drops", expected "complete"',
        'capability_diff_partial: head correlation is not clean: status is "partial", expected "clean"',
      ],
    ]);
  });
});
