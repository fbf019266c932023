#!/usr/bin/env bun
// Enforces the import arrows of ARCHITECTURE.md: which src folder may import which, only through
// a folder's index.ts, and which packages each may use. Sources are parsed with the TypeScript
// compiler, so every form of import is seen whole: multi-line `import {…} from`, `export … from`,
// `import x = require()`, dynamic `import()`, `require()` and `typeof import()` types.
// Also enforces the size limits of issue 19: no function over 80 lines and no file over 400
// lines, unless a reason line says why (see `checkSizes`).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** Folders each src folder may import (besides itself); `*` is any folder. */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  schema: [],
  evidence: ["schema"],
  projection: ["schema"],
  compare: ["schema", "evidence", "projection"],
  linux: [],
  bpf: [],
  capture: ["schema", "linux", "bpf"],
  egress: ["schema", "bpf"],
  redaction: ["schema"],
  run: ["schema", "evidence", "linux", "capture", "redaction", "egress"],
  review: ["schema", "evidence", "projection", "compare"],
  attest: ["schema", "evidence"],
  // Any folder of src.
  cli: ["*"],
  "main.ts": ["cli"],
};

/** A forbidden import found in a source file. */
export interface LaneViolation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly reason: string;
}

/** Checks every file of a source tree (path relative to src → contents) against the lanes. */
export function checkLanes(files: ReadonlyMap<string, string>): LaneViolation[] {
  const violations: LaneViolation[] = [];
  for (const [file, source] of files) {
    const lane = laneOf(file);
    for (const found of importsIn(file, source)) {
      const reason = found.specifier === undefined ? COMPUTED : judge(file, lane, found.specifier);
      if (reason) violations.push({ file, line: found.line, specifier: found.specifier ?? found.text, reason });
    }
  }
  return violations;
}

/** The most lines a function may span, from its first line to its closing brace. */
export const MAX_FUNCTION_LINES = 80;

/** The most lines a file may have without a reason line at its top. */
export const MAX_FILE_LINES = 400;

/** A function or a file over its size limit, without a reason line. */
export interface SizeViolation {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * Checks every file of a source tree (path relative to src → contents) for functions over
 * MAX_FUNCTION_LINES and files over MAX_FILE_LINES. A longer function passes with a line comment
 * `// Over 80 lines …: <reason>` among the comment lines right above it; a longer file passes when
 * its first line is `// Over 400 lines …: <reason>`.
 */
export function checkSizes(files: ReadonlyMap<string, string>): SizeViolation[] {
  const violations: SizeViolation[] = [];
  for (const [file, source] of files) {
    const lines = source.split("\n");
    const count = source.endsWith("\n") ? lines.length - 1 : lines.length;
    if (count > MAX_FILE_LINES && !FILE_REASON.test(lines[0] ?? "")) {
      violations.push({
        file,
        line: 1,
        reason: `file has ${count} lines, over ${MAX_FILE_LINES}: split it, or say why on its first line ("// Over ${MAX_FILE_LINES} lines …: <reason>")`,
      });
    }
    for (const fn of functionsIn(file, source)) {
      if (fn.lines > MAX_FUNCTION_LINES && !hasReasonAbove(lines, fn.line)) {
        violations.push({
          file,
          line: fn.line,
          reason: `${fn.name} has ${fn.lines} lines, over ${MAX_FUNCTION_LINES}: split it, or say why on a line above it ("// Over ${MAX_FUNCTION_LINES} lines …: <reason>")`,
        });
      }
    }
  }
  return violations;
}

// --- internal ---

const cliOnlyPackages = new Set(["citty", "consola"]);

function laneOf(file: string): string {
  return file.includes("/") ? (file.split("/")[0] ?? file) : file;
}

// A module that names its import at run time cannot be checked, so it is refused.
const COMPUTED = "import with a computed specifier: name the module with a string literal";

interface FoundImport {
  readonly line: number;
  // Undefined when the specifier is not a string literal.
  readonly specifier: string | undefined;
  readonly text: string;
}

// Every module reference in one source file, with the 1-based line where its statement starts.
function importsIn(file: string, source: string): FoundImport[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: FoundImport[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined): void => {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
    const literal = specifier !== undefined && (ts.isStringLiteral(specifier) || ts.isNoSubstitutionTemplateLiteral(specifier));
    found.push({ line, specifier: literal ? specifier.text : undefined, text: specifier?.getText(sourceFile) ?? node.getText(sourceFile) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier !== undefined) add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal);
    } else if (ts.isCallExpression(node) && isModuleCall(node.expression)) {
      add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

// `import(…)`, `require(…)` and `require.resolve(…)`.
function isModuleCall(callee: ts.Expression): boolean {
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === "require";
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "require" && callee.name.text === "resolve";
}

function judge(file: string, lane: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) {
    const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? "");
    if (lane === "schema" && pkg !== "valibot") return "schema imports only valibot";
    if (cliOnlyPackages.has(pkg) && lane !== "cli" && lane !== "main.ts") return `${pkg} is for src/cli only`;
    return undefined;
  }
  const target = relative(".", join(dirname(file), specifier))
    .split(sep)
    .join("/");
  // The version is read from package.json by main.ts and by commands that record it (attest).
  if (target.startsWith("..")) return (lane === "main.ts" || lane === "cli") && target === "../package.json" ? undefined : "import leaves src";
  if (target === "package.json" || target === "../package.json") return undefined;
  const targetLane = laneOf(target);
  if (targetLane === lane) return undefined;
  if (targetLane === "main.ts") return "nothing imports main.ts";
  const allowed = allowedImports[lane] ?? [];
  if (!allowed.includes("*") && !allowed.includes(targetLane)) return `${lane} may not import ${targetLane}`;
  if (target !== `${targetLane}/index.ts` && lane !== "main.ts") return `import ${targetLane} through ${targetLane}/index.ts`;
  return undefined;
}

const FILE_REASON = new RegExp(`^// Over ${MAX_FILE_LINES} lines\\b[^:]*: *\\S`);
const FUNCTION_REASON = new RegExp(`^\\s*// Over ${MAX_FUNCTION_LINES} lines\\b[^:]*: *\\S`);

interface FoundFunction {
  readonly name: string;
  // 1-based line of its first token (decorators and modifiers included), and how many lines it spans.
  readonly line: number;
  readonly lines: number;
}

// Every function with a body: declarations, methods, accessors, constructors, function expressions and arrows.
function functionsIn(file: string, source: string): FoundFunction[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FoundFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const first = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
      const last = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      found.push({ name: functionName(node, sourceFile), line: first, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

// `function name`, `method name`, or what an anonymous function is assigned to.
function functionName(node: ts.SignatureDeclaration, sourceFile: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  const named =
    node.name ?? (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) ? parent.name : undefined);
  return named === undefined ? "an anonymous function" : `function ${named.getText(sourceFile)}`;
}

// A reason line among the comment lines right above `line` (1-based); JSDoc lines are read too.
function hasReasonAbove(lines: readonly string[], line: number): boolean {
  for (let index = line - 2; index >= 0; index--) {
    const text = lines[index] ?? "";
    if (FUNCTION_REASON.test(text)) return true;
    if (!/^\s*(\/\/|\/\*|\*)/.test(text)) return false;
  }
  return false;
}

function readTree(dir: string, base = dir, files = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readTree(path, base, files);
    else if (entry.name.endsWith(".ts")) files.set(relative(base, path).split(sep).join("/"), readFileSync(path, "utf8"));
  }
  return files;
}

if (import.meta.main) {
  const src = resolve(import.meta.dir, "../src");
  const tree = readTree(src);
  const violations = checkLanes(tree);
  for (const v of violations) console.error(`src/${v.file}:${v.line}: "${v.specifier}": ${v.reason}`);
  const oversized = checkSizes(tree);
  for (const v of oversized) console.error(`src/${v.file}:${v.line}: ${v.reason}`);
  if (violations.length > 0) console.error(`lane-check: ${violations.length} forbidden import(s)`);
  if (oversized.length > 0) console.error(`lane-check: ${oversized.length} function(s) or file(s) over the size limits`);
  if (violations.length > 0 || oversized.length > 0) process.exit(1);
  console.error(`lane-check: import boundaries hold; no function over ${MAX_FUNCTION_LINES} lines, no file over ${MAX_FILE_LINES} without a reason`);
}
