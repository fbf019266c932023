// The one exit-code contract of the command line: every --help shows its command's rows of this
// table, and the README's table is this table (a test compares them).

/** One exit code, what it means, and the commands that can end with it. */
export interface ExitCodeRow {
  readonly code: string;
  readonly meaning: string;
  /** Command names, or "all". */
  readonly commands: readonly string[] | "all";
}

/** Every exit code the binary uses, the same meaning for the same kind of outcome in every command. */
export const EXIT_CODES: readonly ExitCodeRow[] = [
  { code: "0", meaning: "done: the check passed, the document was printed or written", commands: "all" },
  {
    code: "1",
    meaning:
      "the check failed: archive or document invalid (verify, validate), diff not clean (diff), an --assert-claim blocked (drift, claims), " +
      "attestation does not match its archive or key (verify-attestation), the run went outside its baseline (check)",
    commands: ["verify", "validate", "diff", "drift", "claims", "verify-attestation", "check"],
  },
  {
    code: "2",
    meaning:
      "bad usage or unusable input: unknown flag, missing argument, a file that cannot be read or is not what the command takes, an output file that cannot be written; nothing is written",
    commands: "all",
  },
  { code: "3", meaning: "an arm's archive cannot be read (drift only, as upstream)", commands: ["drift"] },
  { code: "40", meaning: "this host cannot do what was asked (run: nothing is run; doctor: no kernel capture works)", commands: ["run", "doctor"] },
  { code: "70", meaning: "an internal error (a bug: please report it)", commands: "all" },
  { code: "124", meaning: "--timeout fired; the archive is still written", commands: ["run"] },
  {
    code: "128+N",
    meaning: "the workload was killed by signal N; 130/143 when the runner itself got SIGINT/SIGTERM (archive still written)",
    commands: ["run"],
  },
  { code: "other", meaning: "the workload's own exit code", commands: ["run"] },
];

/** The rows of the table that apply to `command`. */
export function exitCodesOf(command: string): ExitCodeRow[] {
  return EXIT_CODES.filter((row) => row.commands === "all" || row.commands.includes(command));
}

/** The table as Markdown, as the README shows it. */
export function renderExitCodeMarkdown(): string {
  const lines = ["| exit | meaning | commands |", "|---|---|---|"];
  for (const row of EXIT_CODES)
    lines.push(`| ${row.code} | ${row.meaning} | ${row.commands === "all" ? "all" : row.commands.map((c) => `\`${c}\``).join(", ")} |`);
  return `${lines.join("\n")}\n`;
}
