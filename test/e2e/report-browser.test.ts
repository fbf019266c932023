// The HTML report in a real browser: it renders the run id and the findings from inline script,
// makes no network request, and stays usable with 100k paths (collapsed groups, search).
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeShapeArchive, type RunShape } from "../review/_runs.ts";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";
import { CHROMIUM, openPage } from "./_chromium.ts";

const cannot = skipReason(
  !host.hasBinary || !existsSync(CHROMIUM),
  `the report browser test needs the binary and ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`,
);

const base: RunShape = { runId: "run_rb1", reads: ["/srv/in.txt"], writes: ["/w/out.txt"], execs: ["/usr/bin/sh"], endpoints: ["127.0.0.1:9"] };

describe("report in headless Chromium", () => {
  test.skipIf(cannot)("renders the run id and the findings from inline script, with a CSP of default-src 'none', and makes no network request", async () => {
    using dir = tempDir("report-browser");
    const baselineFile = join(dir.path, "baseline.json");
    expect((await runAssay(["baseline", await writeShapeArchive(dir.path, base), "-o", baselineFile])).exitCode).toBe(0);
    // Values that look like addresses must stay text: nothing may be fetched because of them.
    const head = await writeShapeArchive(dir.path, {
      ...base,
      runId: "run_rb_head",
      writes: ["/w/out.txt", "/w/<img src=http:/x.test/a.png>"],
      endpoints: ["127.0.0.1:9", "93.184.216.34:443"],
    });
    const html = join(dir.path, "report.html");
    const made = await runAssay(["report", head, "--baseline", baselineFile, "-o", html]);
    expect([made.exitCode, readFileSync(html, "utf8").includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`)]).toEqual([0, true]);

    await using page = await openPage(`file://${html}`);
    const seen = await page.evaluate(`JSON.stringify({
      rendered: document.body.dataset.rendered,
      runId: document.getElementById('run-id').textContent,
      findings: [...document.querySelectorAll('#findings tr')].slice(1).map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]),
      images: document.images.length,
      processes: document.getElementById('processes').textContent,
    })`);
    const shot = await page.screenshot();
    if (process.env.ASSAY_REPORT_SCREENSHOT) writeFileSync(process.env.ASSAY_REPORT_SCREENSHOT, shot);
    expect({ seen: JSON.parse(String(seen)), requests: page.requests, png: [...shot.subarray(1, 4)] }).toEqual({
      seen: {
        rendered: "1",
        runId: "run_rb_head",
        findings: [
          ["new-write", "/w/<img src=http:/x.test/a.png>"],
          ["new-endpoint", "93.184.216.34:443"],
        ],
        images: 0,
        processes: "root pid 100: /usr/bin/sh --from-test",
      },
      requests: [`file://${html}`],
      png: [0x50, 0x4e, 0x47],
    });
    // The recorder does see a page that fetches (so the empty list above is a real observation).
    const control = join(dir.path, "control.html");
    writeFileSync(control, '<!doctype html><img src="http://assay-control.test/a.png">');
    await using fetching = await openPage(`file://${control}`);
    expect(fetching.requests).toEqual([`file://${control}`, "http://assay-control.test/a.png"]);
  });

  test.skipIf(cannot)("a run of 100k paths opens with collapsed groups, fills a directory when opened, and searches", async () => {
    using dir = tempDir("report-100k");
    const reads = Array.from({ length: 100_000 }, (_, i) => `/data/set${i % 100}/part${(i / 100) | 0}.bin`);
    const archive = await writeShapeArchive(dir.path, { ...base, runId: "run_rb_big", reads });
    const html = join(dir.path, "big.html");
    expect((await runAssay(["report", archive, "-o", html])).exitCode).toBe(0);
    await using page = await openPage(`file://${html}`);
    const seen = await page.evaluate(`(async () => {
      const before = document.getElementsByTagName('*').length;
      const group = document.querySelector('#files > details:not([data-group^="written"])');
      group.open = true;
      await new Promise((r) => setTimeout(r, 50));
      const dirs = group.querySelectorAll(':scope > details').length;
      const search = document.getElementById('search');
      search.value = 'set42/part999.bin';
      search.dispatchEvent(new Event('input'));
      return JSON.stringify({ before, dirs, hits: document.querySelector('#hits p').textContent, first: document.querySelector('#hits li').textContent });
    })()`);
    const result = JSON.parse(String(seen));
    expect(result.before).toBeLessThan(500);
    expect({ dirs: result.dirs, hits: result.hits, first: result.first, requests: page.requests.length }).toEqual({
      dirs: 100,
      hits: "1 match(es)",
      first: "path  /data/set42/part999.bin",
      requests: 1,
    });
  });
});
