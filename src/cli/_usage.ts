import type { ArgsDef, CommandMeta } from "citty";
import type { Command } from "./_command.ts";
import { EXIT_CODES, exitCodesOf, type ExitCodeRow } from "./_exit-codes.ts";

/** Renders a command's --help: description, synopsis, flags, exit codes, examples; plain text, no trailing blanks. */
export function renderCommandHelp(name: string, command: Command, args: ArgsDef): string {
  const { help, meta } = command;
  const flags = Object.entries(args).filter(([, def]) => def.type !== "positional");
  const positionals = Object.entries(args).filter(([, def]) => def.type === "positional");
  const synopsis =
    help.synopsis ?? [flags.length > 0 ? "[OPTIONS]" : "", ...positionals.map(([key, def]) => positionalLabel(key, def))].filter(Boolean).join(" ");
  const out: string[] = [];
  if (meta.description) out.push(...wrap(meta.description, WIDTH), "");
  out.push(`Usage: assay-runner ${name}${synopsis ? ` ${synopsis}` : ""}`);
  if (positionals.length > 0) {
    out.push("", "Arguments:");
    out.push(...table(positionals.map(([key, def]) => [positionalLabel(key, def).replace(/^\[(.*)\]$/, "$1"), describe(def)])));
  }
  if (flags.length > 0) {
    out.push("", "Options:");
    out.push(...table(flags.map(([key, def]) => [flagLabel(key, def), describe(def)])));
  }
  out.push("", "Exit codes:", ...exitTable(exitCodesOf(name)));
  if (help.examples.length > 0) {
    out.push("", help.examples.length === 1 ? "Example:" : "Examples:", ...help.examples.map((example) => `  ${example}`));
  }
  return `${out.join("\n")}\n`;
}

/** Renders the root --help: what the binary does, the commands, the exit codes. */
export function renderRootHelp(description: string, commands: readonly (readonly [string, string])[]): string {
  const out = [...wrap(description, WIDTH), "", "Usage: assay-runner COMMAND [OPTIONS]", "", "Commands:"];
  out.push(...table(commands.map(([name, summary]) => [name, summary])));
  out.push("", "Every command takes --help and --json (one JSON document on stdout; messages go to stderr).");
  const rows = EXIT_CODES.map((row) => ({ ...row, meaning: row.commands === "all" ? row.meaning : `${row.meaning} [${row.commands.join(", ")}]` }));
  out.push("", "Exit codes (the same meaning in every command):", ...exitTable(rows));
  return `${out.join("\n")}\n`;
}

/** The first sentence of a command's description, for the root command list. */
export function summaryOf(meta: CommandMeta): string {
  const description = meta.description ?? "";
  const first = /^(.*?[.:])(\s|$)/.exec(description)?.[1] ?? description;
  return first.replace(/[.:]$/, "");
}

// --- internal ---

const WIDTH = 100;

type ArgDef = ArgsDef[string];

function positionalLabel(key: string, def: ArgDef): string {
  const hint = "valueHint" in def && def.valueHint ? def.valueHint : key.toUpperCase();
  return def.required === false ? `[${hint}]` : hint;
}

function flagLabel(key: string, def: ArgDef): string {
  const hint = "valueHint" in def && def.valueHint && def.type !== "boolean" ? ` ${def.valueHint}` : "";
  const aliases = "alias" in def && def.alias !== undefined ? [def.alias].flat().map((a) => (a.length === 1 ? `-${a}` : `--${a}`)) : [];
  return [...aliases, `--${key}`].join(", ") + hint;
}

function describe(def: ArgDef): string {
  return def.description ?? "";
}

function exitTable(rows: readonly ExitCodeRow[]): string[] {
  return table(rows.map((row) => [row.code, row.meaning]));
}

// Two columns: the left padded to its widest cell (at most 34), the right wrapped to the width.
function table(rows: readonly (readonly [string, string])[]): string[] {
  const left = Math.min(34, Math.max(...rows.map(([name]) => name.length)));
  const lines: string[] = [];
  for (const [name, text] of rows) {
    const indent = 2 + left + 2;
    const body = wrap(text, WIDTH - indent);
    if (body.length === 0) lines.push(`  ${name}`);
    else if (name.length > left) lines.push(`  ${name}`, ...body.map((line) => `${" ".repeat(indent)}${line}`));
    else lines.push(...body.map((line, i) => (i === 0 ? `  ${name.padEnd(left)}  ${line}` : `${" ".repeat(indent)}${line}`)));
  }
  return lines;
}

// Greedy word wrap; a word longer than the width gets a line of its own.
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ").filter((w) => w.length > 0)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}
