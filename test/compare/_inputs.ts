import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EvidenceSet } from "../../src/compare/index.ts";
import { upstreamFixtures } from "../harness.ts";

// Builders shared by the compare tests: the S5 golden triple and the Gemini cross-runtime inputs.

/** Reads and parses an upstream fixture file (path relative to the fixtures root). */
export function fixtureJson(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(upstreamFixtures, relative), "utf8")) as Record<string, unknown>;
}

/** Reads an upstream fixture file as text. */
export function fixtureText(relative: string): string {
  return readFileSync(join(upstreamFixtures, relative), "utf8");
}

/** A fresh deep copy of the S5 golden evidence set (health, surface, correlation), safe to mutate. */
export function s5(): { health: Record<string, any>; surface: Record<string, any>; correlation: Record<string, any> } {
  return {
    health: fixtureJson("golden/observation-health-openai-agents-kernel-policy-v0.json"),
    surface: fixtureJson("golden/capability-surface-openai-agents-kernel-policy-v0.json"),
    correlation: fixtureJson("golden/correlation-report-openai-agents-kernel-policy-v0.json"),
  };
}

/** A fresh deep copy of the Gemini cross-runtime evidence set. */
export function gemini(): { health: Record<string, any>; surface: Record<string, any>; correlation: Record<string, any> } {
  return {
    health: fixtureJson("cross-runtime-inputs/gemini-google-genai/observation-health.json"),
    surface: fixtureJson("cross-runtime-inputs/gemini-google-genai/capability-surface.json"),
    correlation: fixtureJson("cross-runtime-inputs/gemini-google-genai/correlation-report.json"),
  };
}

/** Wraps three documents as an EvidenceSet with file names that name the side. */
export function evidenceSet(label: string, docs: { health: unknown; surface: unknown; correlation: unknown }): EvidenceSet {
  return {
    ...docs,
    files: { health: `${label}/observation-health.json`, surface: `${label}/capability-surface.json`, correlation: `${label}/correlation-report.json` },
  };
}

/** The S5 and Gemini work-dir prefixes of the cross-runtime golden. */
export const S5_PREFIX = "/tmp/assay-runner-openai-agents-kernel-policy/work/";
export const GEMINI_PREFIX = "/tmp/assay-runner-gemini-google-genai-kernel-policy/work/";
