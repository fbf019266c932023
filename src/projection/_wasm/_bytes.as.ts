// AssemblyScript (see byte-core.as.ts): helpers over bytes in memory: hashing, UTF-8, JSON escaping, order.

@inline export function put(o: usize, from: usize, length: usize): usize {
  memory.copy(o, from, length);
  return o + length;
}

// JSON string content of UTF-8 bytes, as JSON.stringify writes it: `"`, `\\` and control
// characters escaped (the short forms where JSON has them, else \u00xx), everything else as is.
export function escape(o: usize, p: usize, end: usize): usize {
  for (; p < end; p++) {
    const b = load<u8>(p);
    if (b >= 0x20 && b != 34 && b != 92) {
      store<u8>(o++, b);
      continue;
    }
    store<u8>(o++, 92);
    if (b == 34 || b == 92) store<u8>(o++, b);
    else if (b == 8) store<u8>(o++, 98);
    else if (b == 9) store<u8>(o++, 116);
    else if (b == 10) store<u8>(o++, 110);
    else if (b == 12) store<u8>(o++, 102);
    else if (b == 13) store<u8>(o++, 114);
    else {
      store<u8>(o, 117);
      store<u8>(o, 48, 1);
      store<u8>(o, 48, 2);
      store<u8>(o, hex(b >> 4), 3);
      store<u8>(o, hex(b & 15), 4);
      o += 5;
    }
  }
  return o;
}

@inline export function hex(n: u8): u8 {
  return n < 10 ? 48 + n : 87 + n;
}

@inline export function mix(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

// The filter bit of a key: its length, first two and last bytes; byte-tables.ts computes the same.
@inline export function filterBit(key: usize, length: u32): u32 {
  const second = length > 1 ? <u32>load<u8>(key, 1) : 0;
  const h = (length * 0x9e3779b1) ^ ((<u32>load<u8>(key) | (second << 8)) * 0x85ebca6b) ^ (<u32>load<u8>(key + length - 1) * 0xc2b2ae35);
  return h >>> 16;
}

// The hash of `[p, p+length)` (seeded): two independent lanes of four bytes each, so the chain of
// multiplications is half as long; the last 1–3 bytes as one short word. byte-tables.ts computes the same.
export function hashBytes(p: usize, length: u32, seed: u32): u32 {
  let a: u32 = (length ^ seed) * 0x9e3779b1;
  let b: u32 = seed ^ 0x7f4a7c15;
  const end = p + length;
  for (; p + 8 <= end; p += 8) {
    a = rotl<u32>(a ^ load<u32>(p), 13) * 0x85ebca6b;
    b = rotl<u32>(b ^ load<u32>(p, 4), 17) * 0xc2b2ae35;
  }
  if (p + 4 <= end) {
    a = rotl<u32>(a ^ load<u32>(p), 13) * 0x85ebca6b;
    p += 4;
  }
  if (p < end) {
    // 1–3 bytes: a word read past them (memory after any key or line is readable), the rest masked off.
    const w = load<u32>(p) & ((<u32>1 << (<u32>(end - p) << 3)) - 1);
    b = rotl<u32>(b ^ w, 17) * 0xc2b2ae35;
  }
  return a ^ rotl<u32>(b, 16);
}

// Whether `[a, a+n)` and `[b, b+n)` hold the same bytes: eight at a time, the last eight overlapping;
// below eight bytes one masked word (memory after any key or line is readable).
export function bytesEqual(a: usize, b: usize, n: usize): bool {
  if (n >= 8) {
    const last = n - 8;
    for (let i: usize = 0; i < last; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
    return load<u64>(a + last) == load<u64>(b + last);
  }
  return ((load<u64>(a) ^ load<u64>(b)) & ((<u64>1 << (<u64>n << 3)) - 1)) == 0;
}

// The byte length of the UTF-8 sequence starting at `p` (the line is well-formed).
@inline export function sequenceLength(p: usize): usize {
  const b = <u32>load<u8>(p);
  return b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

// Whether `[a, aEnd)` sorts strictly before `[t, t+tLen)` in byte order.
export function below(a: usize, aEnd: usize, t: usize, tLen: u32): bool {
  const aLen = <u32>(aEnd - a);
  const n = aLen < tLen ? aLen : tLen;
  const c = memory.compare(a, t, n);
  return c < 0 || (c == 0 && aLen < tLen);
}

// Well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF), as a fatal decoder accepts.
export function isUtf8(p: usize, end: usize): bool {
  while (p < end) {
    const b = <u32>load<u8>(p);
    if (b < 0x80) {
      p++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b == 0xe0) lo = 0xa0;
      else if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b == 0xf0) lo = 0x90;
      else if (b == 0xf4) hi = 0x8f;
    } else return false;
    if (p + need >= end) return false;
    const c1 = <u32>load<u8>(p + 1);
    if (c1 < lo || c1 > hi) return false;
    for (let k: u32 = 2; k <= need; k++) {
      const c = <u32>load<u8>(p + k);
      if (c < 0x80 || c > 0xbf) return false;
    }
    p += 1 + need;
  }
  return true;
}

/** How many `\n` bytes `[buf, buf+len)` holds (a bound for the rows of one `scan`). */
export function countNewlines(buf: usize, len: usize): u32 {
  const newlines = i8x16.splat(10);
  const stop = buf + len;
  let n: u32 = 0;
  let p = buf;
  for (; p + 16 <= stop; p += 16) n += <u32>popcnt(<u32>i8x16.bitmask(i8x16.eq(v128.load(p), newlines)));
  for (; p < stop; p++) if (load<u8>(p) == 10) n++;
  return n;
}
