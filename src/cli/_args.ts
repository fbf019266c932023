import * as v from "valibot";
import { UsageError } from "./errors.ts";

/** Parses citty's string/boolean arguments into typed options, or throws a usage error naming the flag. */
export function parseArgsWith<const TSchema extends v.GenericSchema>(schema: TSchema, args: unknown): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, args);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const flag = v.getDotPath(issue);
  const where = flag ? `--${flag}: ` : "";
  throw new UsageError("BAD_ARGUMENT", `${where}${issue.message}`);
}

/** Splits raw arguments at the first `--`: flags before, the workload command after. */
export function splitAtDoubleDash(rawArgs: readonly string[]): { before: string[]; after: string[] | undefined } {
  const index = rawArgs.indexOf("--");
  if (index < 0) return { before: [...rawArgs], after: undefined };
  return { before: rawArgs.slice(0, index), after: rawArgs.slice(index + 1) };
}
