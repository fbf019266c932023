// Drives Debian's headless Chromium through the DevTools protocol: open a page, record every
// network request it makes, evaluate expressions, take a screenshot.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pollUntil } from "../harness.ts";

/** Path of Debian's chromium, when installed. */
export const CHROMIUM = "/usr/bin/chromium";
// The browser itself: /usr/bin/chromium is a shell script that runs it as a child, so killing the
// script left the browser writing its profile after the test had removed it.
const BROWSER = "/usr/lib/chromium/chromium";

/** A page opened in a fresh headless browser. */
export interface BrowserPage extends AsyncDisposable {
  /** URLs of every request the page made, the document itself included, in order. */
  readonly requests: string[];
  evaluate(expression: string): Promise<unknown>;
  screenshot(): Promise<Uint8Array>;
}

/** Launches headless Chromium on a fresh profile with the network mapped to nowhere, and loads `url`. */
export async function openPage(url: string): Promise<BrowserPage> {
  const profile = mkdtempSync(join(tmpdir(), "assay-chromium-"));
  const proc = Bun.spawn(
    [
      existsSync(BROWSER) ? BROWSER : CHROMIUM,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND",
      "--window-size=1280,1400",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  // Its helper processes outlive it for a moment and may still write the profile: removed until it stays gone.
  const close = async () => {
    proc.kill();
    await proc.exited;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      rmSync(profile, { recursive: true, force: true });
      await Bun.sleep(200);
      if (!existsSync(profile)) return;
    }
  };
  try {
    return await drive(url, profile, close);
  } catch (error) {
    await close();
    throw error;
  }
}

async function drive(url: string, profile: string, close: () => Promise<void>): Promise<BrowserPage> {
  const portFile = join(profile, "DevToolsActivePort");
  await pollUntil(
    () => existsSync(portFile) && readFileSync(portFile, "utf8").includes("\n"),
    (ready) => ready,
    30_000,
  );
  const [port, path] = readFileSync(portFile, "utf8").split("\n");
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners: ((method: string, params: any) => void)[] = [];
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(JSON.stringify(message.error)));
      else waiter?.resolve(message.result);
    } else for (const listen of listeners) listen(message.method, message.params);
  };
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const requests: string[] = [];
  let loaded = false;
  listeners.push((method, params) => {
    if (method === "Network.requestWillBeSent") requests.push(params.request.url);
    if (method === "Page.loadEventFired") loaded = true;
  });
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Network.enable", {}, sessionId);
  await send("Page.enable", {}, sessionId);
  await send("Page.navigate", { url }, sessionId);
  await pollUntil(
    () => loaded,
    (done) => done,
    30_000,
  );
  return {
    requests,
    async evaluate(expression) {
      const result = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
      return result.result.value;
    },
    async screenshot() {
      const { data } = await send("Page.captureScreenshot", { format: "png" }, sessionId);
      return Buffer.from(data, "base64");
    },
    async [Symbol.asyncDispose]() {
      socket.close();
      await close();
    },
  };
}
