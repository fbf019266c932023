// The in-kernel open dedupe: per CPU, one direct-mapped cache per path-length tier
// (`DEDUPE_TIERS`), each slot a whole key compared word for word (src/capture/README.md, Dedupe).
// The record is the scratch record in R7, the path's length (with the NUL) in R9.
import {
  add,
  call,
  goTo,
  Helper,
  jump,
  label,
  load,
  loadImm64,
  lookupAt,
  mov,
  mul,
  R0,
  R1,
  R10,
  R2,
  R3,
  R7,
  R9,
  rsh,
  store,
  xor,
  type Program,
} from "../../bpf/index.ts";
import { fresh, Stack } from "./_program-blocks.ts";
import { DEDUPE_KEY_HEADER, DEDUPE_TIERS, DEDUPE_WINDOW, OPEN } from "./record-layout.ts";

/**
 * Builds the key of the record in R7 and tests it against its slot in this CPU's cache: equal, it
 * is a repeat (on to `repeat`); otherwise it takes the slot and falls through. No slot: on to `send`.
 */
export function cachedOrKept(dedupeSlots: number, repeat: string, send: string): Program {
  return [dedupeKey(), perTier((tier) => cachedOrKeptIn(tier, dedupeSlots, repeat, send))];
}

// The dedupe key [flags u32, length u32, the zero-padded window], built in place just before the path.
function dedupeKey(): Program {
  return [load("u64", R1, R7, OPEN.flags), store("u32", R7, OPEN.returnValue, R1), store("u32", R7, OPEN.returnValue + 4, R9)];
}

/** Clears the cache slot of the record in R7 (its key rebuilt: the return value overwrote the first word); R9 the path's length. */
export function forgetKey(dedupeSlots: number): Program {
  const skip = fresh("long_path");
  return [
    jump("jgt", R9, DEDUPE_WINDOW, skip),
    dedupeKey(),
    // a key's length is never 0, so a zero first word matches none
    perTier((tier) => [cacheSlot(tier, dedupeSlots, skip), store("u64", R0, 0, 0)]),
    label(skip),
  ];
}

type DedupeTier = (typeof DEDUPE_TIERS)[number];

// `block` run with the dedupe tier of the path's length (R9, at most DEDUPE_WINDOW).
function perTier(block: (tier: DedupeTier) => Program): Program {
  const done = fresh("tier_done");
  const narrower = DEDUPE_TIERS.slice(0, -1).map((tier) => ({ tier, label: fresh(tier.map) }));
  const widest = DEDUPE_TIERS[DEDUPE_TIERS.length - 1] as DedupeTier;
  return [
    narrower.map(({ tier, label: target }) => jump("jle", R9, tier.window, target)),
    block(widest),
    narrower.map(({ tier, label: target }) => [goTo(done), label(target), block(tier)]),
    label(done),
  ];
}

// `cachedOrKept` for one tier.
function cachedOrKeptIn(tier: DedupeTier, dedupeSlots: number, repeat: string, send: string): Program {
  const miss = fresh("dedupe_miss");
  const words = keyWords(tier);
  return [
    cacheSlot(tier, dedupeSlots, send),
    words.map((word) => [load("u64", R1, R0, word), load("u64", R2, R7, OPEN.returnValue + word), jump("jne", R1, R2, miss)]),
    goTo(repeat),
    label(miss),
    words.map((word) => [load("u64", R1, R7, OPEN.returnValue + word), store("u64", R0, word, R1)]),
  ];
}

// R0 = the slot of the key in the record (R7) in this CPU's part of the tier's cache: slot
// cpu × dedupeSlots + hash(key) mod dedupeSlots. Each CPU has its own part, and programs on one
// CPU never interleave (the kernel skips, and counts, a tracing program started inside another),
// so a slot is never read while half written. On to `none` when the lookup finds nothing.
function cacheSlot(tier: DedupeTier, dedupeSlots: number, none: string): Program {
  return [
    call(Helper.get_smp_processor_id),
    mul(R0, dedupeSlots),
    store("u32", R10, Stack.DEDUPE_SLOT, R0),
    // a multiply-xorshift over the key's words, its top bits the index (a product's top bits depend
    // on every bit below them); its quality only decides how often keys share a slot
    loadImm64(R3, 0x9e3779b97f4a7c15n),
    mov(R1, 0),
    keyWords(tier).map((word) => [load("u64", R2, R7, OPEN.returnValue + word), xor(R1, R2), mul(R1, R3), mov(R2, R1), rsh(R2, 32), xor(R1, R2)]),
    mul(R1, R3),
    rsh(R1, 64 - Math.log2(dedupeSlots)),
    load("u32", R2, R10, Stack.DEDUPE_SLOT),
    add(R1, R2),
    store("u32", R10, Stack.DEDUPE_SLOT, R1),
    lookupAt(tier.map, Stack.DEDUPE_SLOT),
    jump("jeq", R0, 0, none),
  ];
}

// Byte offsets of a tier's key words.
function keyWords(tier: DedupeTier): number[] {
  const words: number[] = [];
  for (let at = 0; at < DEDUPE_KEY_HEADER + tier.window; at += 8) words.push(at);
  return words;
}
