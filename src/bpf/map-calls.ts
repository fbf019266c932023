// Map helpers called with their key (and value) in stack slots or at an offset from a register,
// the shapes every program here uses.
import { add, call, Helper, loadMap, mov, R1, R10, R2, R3, R4, type Program, type Register } from "./instruction.ts";

/** A stack offset (from R10), or a register and an offset from it. */
export type Slot = number | readonly [Register, number];

/** `R0 = bpf_map_lookup_elem(&map, key)`: the value's address, or 0. */
export function lookupAt(map: string, key: Slot): Program {
  return [loadMap(R1, map), address(R2, key), call(Helper.map_lookup_elem)];
}

/** `R0 = bpf_map_update_elem(&map, key, value, flags)`: 0, or a negative errno. */
export function updateAt(map: string, key: Slot, value: Slot, flags = 0): Program {
  return [loadMap(R1, map), address(R2, key), address(R3, value), mov(R4, flags), call(Helper.map_update_elem)];
}

/** `R0 = bpf_map_delete_elem(&map, key)`: 0 when the entry was there. */
export function deleteAt(map: string, key: Slot): Program {
  return [loadMap(R1, map), address(R2, key), call(Helper.map_delete_elem)];
}

function address(into: Register, slot: Slot): Program {
  const [base, offset] = typeof slot === "number" ? [R10, slot] : slot;
  return [mov(into, base), add(into, offset)];
}
