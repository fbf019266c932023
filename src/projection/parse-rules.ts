import { fail, type Result } from "../schema/index.ts";
import { compileRules, type CompiledRules } from "./compile-rules.ts";

/** Parses and compiles the text of a rules file; a JSON syntax error is an issue naming the file. */
export function parseRules(text: string, file: string): Result<CompiledRules> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return fail({
      code: "JSON_INVALID",
      file,
      path: "",
      expected: "a JSON document",
      received: "text that is not JSON",
      message: `projection_rules.v0: not JSON (${detail})`,
    });
  }
  return compileRules(value, { file });
}
