import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  buildDriftReport,
  DEFAULT_PROVIDER_HOSTS,
  IDEMPOTENT_NOTE,
  parseDriftProjectionRules,
  projectCapabilityDiff,
  renderPythonJson,
  SURFACE_CATEGORIES,
  type DriftOptions,
} from "../../src/compare/index.ts";
import { sortUnique } from "../../src/evidence/index.ts";
import { arm, type ArmSpec } from "./_arms.ts";
import { evidenceSet } from "./_inputs.ts";

// Any Unicode text, astral characters included, so code-point ordering is exercised.
const text = fc.string({ unit: "binary", maxLength: 12 });
const values = fc.array(text, { maxLength: 12 });

const cleanEvidence = fc
  .record({
    runId: fc.string({ minLength: 1, maxLength: 10 }),
    surface: fc.record(Object.fromEntries(SURFACE_CATEGORIES.map((c) => [c, values])) as Record<(typeof SURFACE_CATEGORIES)[number], typeof values>),
    bindings: fc.uniqueArray(fc.record({ tool_call_id: fc.string({ minLength: 1, maxLength: 8 }), policy_decision: fc.option(text, { nil: null }) }), {
      minLength: 1,
      maxLength: 5,
      selector: (b) => b.tool_call_id,
    }),
  })
  .map(({ runId, surface, bindings }) => ({
    health: {
      schema: "assay.runner.observation_health.v0",
      run_id: runId,
      platform: "linux",
      kernel_layer: "complete",
      ringbuf_drops: 0,
      policy_layer: "present",
      sdk_layer: "self_reported",
      cgroup_correlation: "clean",
      notes: [],
    },
    surface: { schema: "assay.runner.capability_surface.v0", run_id: runId, ...surface },
    correlation: { schema: "assay.runner.correlation_report.v0", run_id: runId, status: "clean", bindings, ambiguities: [] },
  }));

describe("capability diff properties", () => {
  test("diff(x, x) is clean, carries only the idempotent note and lists every value as unchanged", () => {
    fc.assert(
      fc.property(cleanEvidence, (x) => {
        const result = projectCapabilityDiff(evidenceSet("base", x), evidenceSet("head", structuredClone(x)));
        if (!result.ok) return false;
        const d = result.value;
        expect([d.status, d.notes, d.policy_outcomes.changed]).toEqual(["clean", [IDEMPOTENT_NOTE], []]);
        for (const c of SURFACE_CATEGORIES) expect(d.surface[c]).toEqual({ added: [], removed: [], unchanged: sortUnique(x.surface[c]) });
        return true;
      }),
    );
  });

  test("the rendered diff does not depend on the order of surface values or bindings", () => {
    fc.assert(
      fc.property(cleanEvidence, cleanEvidence, fc.infiniteStream(fc.nat()), (base, head, seeds) => {
        const shuffled = structuredClone(head);
        for (const c of SURFACE_CATEGORIES) shuffled.surface[c] = shuffle(shuffled.surface[c], seeds);
        shuffled.correlation.bindings = shuffle(shuffled.correlation.bindings, seeds);
        const render = (h: typeof head) => {
          const r = projectCapabilityDiff(evidenceSet("base", base), evidenceSet("head", h));
          return r.ok ? renderPythonJson(r.value) : r.issues[0].message;
        };
        expect(render(shuffled)).toBe(render(head));
      }),
    );
  });
});

const pathValues = fc.array(fc.constantFrom("/etc/hosts", "/w/in.txt", "/a/x", "/b/y", "\u{1F600}", "\uFF21", "api.openai.com:443", "1.1.1.1:53"), {
  maxLength: 6,
});
const armSpec: fc.Arbitrary<ArmSpec> = fc.record({
  filesystem_paths: pathValues,
  network_endpoints: pathValues,
  process_execs: pathValues,
  mcp_tools: pathValues,
  kernel: fc.array(
    fc.record({ kind: fc.constant("openat"), value: fc.constantFrom("/w/in.txt", "/a/x", "/etc/hosts"), access_mode: fc.constantFrom("read", "write") }),
    { maxLength: 4 },
  ),
  sdk: fc
    .array(fc.constantFrom("read_file", "write_file"), { maxLength: 3 })
    .map((tools) => tools.map((tool, seq) => ({ event_type: "tool_call_started", seq, tool, tool_call_id: `t${seq}` }))),
});
const OPTIONS: DriftOptions = {
  fixturePaths: ["/w/in.txt"],
  providerHosts: [...DEFAULT_PROVIDER_HOSTS],
  rules: parseDriftProjectionRules({ pathAliases: ["/a/x=workdir/x", "/b/y=workdir/x"], networkAliases: ["1.1.1.1:53=dns"], networkCidrs: [] }),
  provenance: {},
};

describe("drift properties", () => {
  test("drift(b, a) swaps only_in_a and only_in_b of drift(a, b) and keeps every classification", () => {
    fc.assert(
      fc.property(armSpec, armSpec, (specA, specB) => {
        const ab = buildDriftReport(arm("a", specA), arm("b", specB), OPTIONS);
        const ba = buildDriftReport(arm("b", specB), arm("a", specA), OPTIONS);
        expect(ba.rows.map((r) => [r.dimension, r.only_in_b, r.only_in_a, r.in_both, r.classification])).toEqual(
          ab.rows.map((r) => [r.dimension, r.only_in_a, r.only_in_b, r.in_both, r.classification]),
        );
        expect(ba.summary).toEqual(ab.summary);
      }),
    );
  });

  test("the rendered report is deterministic and does not depend on surface or kernel row order", () => {
    fc.assert(
      fc.property(armSpec, armSpec, fc.infiniteStream(fc.nat()), (specA, specB, seeds) => {
        const shuffled: ArmSpec = {
          ...specA,
          filesystem_paths: shuffle(specA.filesystem_paths ?? [], seeds),
          network_endpoints: shuffle(specA.network_endpoints ?? [], seeds),
          kernel: shuffle(specA.kernel ?? [], seeds),
        };
        const render = (s: ArmSpec) => renderPythonJson(buildDriftReport(arm("a", s), arm("b", specB), OPTIONS));
        expect(render(shuffled)).toBe(render(specA));
      }),
    );
  });
});

function shuffle<T>(items: readonly T[], seeds: IterableIterator<number>): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (seeds.next().value ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
