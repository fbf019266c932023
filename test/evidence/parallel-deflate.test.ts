import { describe, expect, test } from "bun:test";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { deflateSingleBlock, ParallelDeflater } from "../../src/evidence/parallel-deflate.ts";

async function deflate(input: Uint8Array, blockSize: number, pieces: number): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  const deflater = new ParallelDeflater(async (bytes) => void out.push(bytes.slice()), blockSize, 2);
  const step = Math.max(1, Math.ceil(input.length / pieces));
  for (let at = 0; at < input.length; at += step) await deflater.write(input.subarray(at, at + step));
  await deflater.end();
  return Buffer.concat(out);
}

describe("ParallelDeflater", () => {
  test("produces one raw deflate stream that inflates to the input, across many blocks", async () => {
    let seed = 3;
    const text = Array.from({ length: 20000 }, (_, i) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return `{"seq":${i},"value":"/tmp/${seed % 97}/file-${seed % 13}.txt"}\n`;
    }).join("");
    const input = Buffer.from(text);
    const output = await deflate(input, 64 * 1024, 37);
    expect({ same: Buffer.from(inflateRawSync(output)).equals(input), smaller: output.length < input.length / 4 }).toEqual({ same: true, smaller: true });
  });

  test("deflateSingleBlock gives the exact bytes of the streaming deflater for inputs within one block", async () => {
    const text = Array.from({ length: 3000 }, (_, i) => `{"seq":${i},"path":"/tmp/${i % 17}/f.txt"}\n`).join("");
    const inputs = [new Uint8Array(0), Buffer.from("x"), Buffer.from(text)];
    const pairs = await Promise.all(
      inputs.map(async (input) => ({
        streamed: Buffer.from(await deflate(input, 4 * 2 ** 20, 5)).toString("hex"),
        single: Buffer.from(deflateSingleBlock(input)).toString("hex"),
      })),
    );
    expect(pairs.map((p) => p.single)).toEqual(pairs.map((p) => p.streamed));
  });

  test("ends the stream with the empty final block zlib itself writes for no input", () => {
    expect(Buffer.from(deflateSingleBlock(new Uint8Array(0))).toString("hex")).toEqual(Buffer.from(deflateRawSync(new Uint8Array(0))).toString("hex"));
  });

  test("handles empty input", async () => {
    expect(inflateRawSync(await deflate(new Uint8Array(0), 1024, 1)).length).toBe(0);
  });
});
