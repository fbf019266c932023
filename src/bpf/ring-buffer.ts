// A reader of a BPF_MAP_TYPE_RINGBUF through mmap (kernel/bpf/ringbuf.c): the consumer position
// on a writable page at offset 0, the producer position on a read-only page after it, then the
// data area, mapped twice in a row so a record that wraps reads as one piece.
//
// The producer page and the data are mapped read-only, and on arm64 JavaScriptCore implements
// `Atomics.load` as a read-modify-write: on that memory it faults (checked on a 6.1 arm64 kernel).
// So they are read with plain loads, each followed by a sequentially consistent operation on the
// writable consumer page whose index is computed from the loaded value (always 0). The address
// dependency orders the plain load before that operation even where it is a load-acquire /
// store-release pair (arm64 without LSE atomics), and its acquire orders it before every later
// load: together, libbpf's smp_load_acquire. x86 never reorders loads; there it only costs the add.
import { syscallError } from "./errors.ts";
import { mmapShared, munmap, pageSize, viewOf } from "./libc.ts";
import type { BpfMap } from "./map.ts";

/** Header bits of a record's length word. */
const BUSY = 0x8000_0000;
const DISCARD = 0x4000_0000;
const HEADER_SIZE = 8;

/** Reads committed records of one ring buffer, in the order they were reserved. */
export class RingBufferReader {
  readonly #consumer: BigUint64Array;
  readonly #producer: DataView;
  readonly #data: Uint8Array;
  readonly #words: DataView;
  readonly #mask: bigint;
  readonly #mappings: Array<[number, number]>;

  private constructor(size: number, consumerAddress: number, producerAddress: number, page: number) {
    this.#mappings = [
      [consumerAddress, page],
      [producerAddress, page + 2 * size],
    ];
    this.#consumer = new BigUint64Array(viewOf(consumerAddress, page), 0, 1);
    const producerArea = viewOf(producerAddress, page + 2 * size);
    this.#producer = new DataView(producerArea, 0, 8);
    this.#data = new Uint8Array(producerArea, page, 2 * size);
    this.#words = new DataView(producerArea, page, 2 * size);
    this.#mask = BigInt(size - 1);
  }

  /** Maps a ring buffer map for reading. */
  static open(map: BpfMap): RingBufferReader {
    const size = map.spec.maxEntries;
    const page = pageSize();
    const consumer = mmapShared(map.fd, page, true, 0);
    if (!consumer.ok) throw syscallError("BPF_MMAP_FAILED", `mmap ${map.spec.name} consumer page`, consumer.errno);
    const producer = mmapShared(map.fd, page + 2 * size, false, page);
    if (!producer.ok) {
      munmap(consumer.value, page);
      throw syscallError("BPF_MMAP_FAILED", `mmap ${map.spec.name} data`, producer.errno);
    }
    return new RingBufferReader(size, consumer.value, producer.value, page);
  }

  /** Bytes written by the kernel and not yet consumed. */
  backlog(): number {
    return Number(this.#producerPosition() - Atomics.load(this.#consumer, 0));
  }

  /**
   * Hands every committed record to `onRecord` (a view valid only during the call) and frees its
   * space; stops at the producer position or at a record still being written. Returns the count.
   */
  drain(onRecord: (record: Uint8Array) => void): number {
    let consumer = Atomics.load(this.#consumer, 0);
    const producer = this.#producerPosition();
    let count = 0;
    while (consumer < producer) {
      const at = Number(consumer & this.#mask);
      const word = this.#words.getUint32(at, true);
      if ((word & BUSY) !== 0) break;
      // the record is committed: its data is read only after this header was
      this.#acquireAfter(word >>> 31);
      const length = word & (~(BUSY | DISCARD) >>> 0);
      if ((word & DISCARD) === 0) {
        onRecord(this.#data.subarray(at + HEADER_SIZE, at + HEADER_SIZE + length));
        count += 1;
      }
      consumer += BigInt((length + HEADER_SIZE + 7) & ~7);
      Atomics.store(this.#consumer, 0, consumer);
    }
    return count;
  }

  // The kernel's producer position, ordered before every read after it.
  #producerPosition(): bigint {
    const position = this.#producer.getBigUint64(0, true);
    // no ring buffer reaches 2^62 bytes written, so the index is 0
    this.#acquireAfter(Number(position >> 62n));
    return position;
  }

  // A sequentially consistent no-op on the consumer page; `dependentZero` is 0, computed from the
  // value just loaded (see the top of the file).
  #acquireAfter(dependentZero: number): void {
    Atomics.add(this.#consumer, dependentZero, 0n);
  }

  /** Unmaps the buffer; safe to call twice. */
  close(): void {
    for (const [address, length] of this.#mappings.splice(0)) munmap(address, length);
  }
}
