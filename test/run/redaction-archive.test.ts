import { describe, expect, test } from "bun:test";
import { redactJsonLine, redactNdjsonMember, redactNdjsonStream, redactSurface } from "../../src/run/redaction-archive.ts";
import { createRedactor, RedactionTally } from "../../src/redaction/index.ts";

const cat = (...parts: string[]) => parts.join("");
const GH = cat("gh", "p_", "0123456789abcdef".repeat(2), "0123");
const redactor = createRedactor("shape_and_flag", new TextEncoder().encode("installation-secret-key"));
const ph = (rule: string, secret: string) => redactor.placeholder(rule, secret);
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function line(input: string) {
  const tally = new RedactionTally();
  const out = redactJsonLine(input, redactor, tally);
  return { out, total: tally.total, byField: Object.fromEntries(tally.byField()) };
}

describe("redactJsonLine", () => {
  test("leaves a clean line byte-identical, spacing included", () => {
    const input = '{ "a" : [1, 2.50, "x"] ,"b":{"c":null} }';
    expect(line(input)).toEqual({ out: input, total: 0, byField: {} });
  });

  test("re-serializes a line with a secret compactly, keys in their order, field = parent key", () => {
    const input = `{"z": 1, "tool": "${GH}", "nested": {"paths": ["/a", "/b/${GH}"]}, "n": 12345678901234567890}`;
    expect(line(input)).toEqual({
      out: `{"z":1,"tool":"${ph("github-token", GH)}","nested":{"paths":["/a","/b/${ph("github-token", GH)}"]},"n":12345678901234567890}`,
      total: 2,
      byField: { paths: 1, tool: 1 },
    });
  });

  test("gives a top-level string the empty field name", () => {
    expect(line(`"${GH}"`)).toEqual({ out: `"${ph("github-token", GH)}"`, total: 1, byField: { "": 1 } });
  });

  test("gives a non-empty all-string command array the argv pass, anywhere in the row", () => {
    const input = JSON.stringify({ row: { command: ["agent", "--password", "pw"] }, other: ["--password", "pw"] });
    expect(line(input)).toEqual({
      out: JSON.stringify({ row: { command: ["agent", "--password", ph("credential-flag-value", "pw")] }, other: ["--password", "pw"] }),
      total: 1,
      byField: { command: 1 },
    });
  });

  test("gives an exec row's argv the argv pass too: a credential flag's value goes whatever its shape", () => {
    const input = `{"kind":"exec","value":"/usr/bin/psql","argv":["psql","--password","hunter2","postgres://u:pw12345@db/x"]}`;
    expect(line(input)).toEqual({
      out: `{"kind":"exec","value":"/usr/bin/psql","argv":["psql","--password","${ph("credential-flag-value", "hunter2")}","postgres://${ph("url-userinfo", "u:pw12345")}@db/x"]}`,
      total: 2,
      byField: { argv: 2 },
    });
  });

  test("gives a command array with a non-string item the shape pass only", () => {
    const input = JSON.stringify({ command: ["agent", "--password", "pw", 1] });
    expect(line(input)).toEqual({ out: input, total: 0, byField: {} });
  });

  test("never redacts object keys", () => {
    const input = JSON.stringify({ [GH]: "x" });
    expect(line(input)).toEqual({ out: input, total: 0, byField: {} });
  });

  test("copies lines serde_json would refuse: not JSON, a lone surrogate escape, nesting beyond 127", () => {
    const deep = `${"[".repeat(128)}"${GH}"${"]".repeat(128)}`;
    const shallow = `${"[".repeat(127)}"${GH}"${"]".repeat(127)}`;
    for (const input of [`not json ${GH}`, `["\\ud800", "${GH}"]`, deep]) expect(line(input)).toEqual({ out: input, total: 0, byField: {} });
    expect(line(shallow).total).toEqual(1);
  });

  test("keeps a __proto__ key as data", () => {
    expect(line(`{"__proto__":"${GH}"}`).out).toEqual(`{"__proto__":"${ph("github-token", GH)}"}`);
  });
});

describe("redactNdjsonMember", () => {
  test("rewrites only the lines with secrets and keeps blank lines, CRLF and a missing final newline", () => {
    const input = `{"a":"clean"}\r\n\n  \n{"tool":"${GH}"}\r\n{"b":1}`;
    const tally = new RedactionTally();
    expect(decode(redactNdjsonMember(encode(input), redactor, tally))).toEqual(`{"a":"clean"}\r\n\n  \n{"tool":"${ph("github-token", GH)}"}\n{"b":1}`);
  });

  test("streams chunk by chunk to the same bytes, even when a chunk ends inside a character", async () => {
    const input = encode(`{"p":"é/${GH}"}\n{"q":"ü"}\n{"r":"${GH}"}`);
    const whole = redactNdjsonMember(input, redactor, new RedactionTally());
    const chunks = [input.subarray(0, 8), input.subarray(8, 9), input.subarray(9, 40), input.subarray(40)];
    const tally = new RedactionTally();
    const parts: Uint8Array[] = [];
    for await (const part of redactNdjsonStream(chunks, redactor, tally)) parts.push(part);
    expect([decode(Buffer.concat(parts)), tally.total]).toEqual([decode(whole), 2]);
  });
});

describe("redactSurface", () => {
  test("re-sorts by UTF-8 bytes and merges entries that redact to the same text", () => {
    const other = cat("gh", "p_", "f".repeat(36));
    const surface = {
      schema: "assay.runner.capability_surface.v0",
      run_id: "r",
      filesystem_paths: ["/z", `/a/${GH}`, `/a/${ph("github-token", GH)}`, "/\u{1F600}", "/\uFF21"],
      network_endpoints: ["127.0.0.53:53", `https://u:p@h/?sig=${"abcdef"}`],
      process_execs: ["python  -m  x", `tool   --token   ${GH}`],
      mcp_tools: [GH, GH.replace("ghp", "gho")],
      policy_decisions: [`allow:${other}`],
    };
    const tally = new RedactionTally();
    const out = redactSurface(surface, redactor, tally);
    expect(out).toEqual({
      ...surface,
      filesystem_paths: ["/\uFF21", "/\u{1F600}", `/a/${ph("github-token", GH)}`, "/z"].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      network_endpoints: ["127.0.0.53:53", `https://${ph("url-userinfo", "u:p")}@h/?${ph("sensitive-query-param", "sig=abcdef")}`],
      process_execs: ["python  -m  x", `tool --token ${ph("credential-flag-value", GH)}`],
      mcp_tools: [ph("github-token", GH), ph("github-token", GH.replace("ghp", "gho"))].sort(),
      policy_decisions: [`allow:${ph("github-token", other)}`],
    });
    expect(Object.keys(out)).toEqual(Object.keys(surface));
    expect(Object.fromEntries(tally.byField())).toEqual({ filesystem_paths: 1, mcp_tools: 2, network_endpoints: 2, policy_decisions: 1, process_execs: 1 });
  });
});
