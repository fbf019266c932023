// Map helpers called with their key (and value) in stack slots, the shape every program here uses.
import { add, call, Helper, loadMap, mov, R1, R10, R2, R3, R4, type Program } from "./instruction.ts";

/** `R0 = bpf_map_lookup_elem(&map, fp + key)`: the value's address, or 0. */
export function lookupAt(map: string, key: number): Program {
  return [loadMap(R1, map), mov(R2, R10), add(R2, key), call(Helper.map_lookup_elem)];
}

/** `R0 = bpf_map_update_elem(&map, fp + key, fp + value, flags)`: 0, or a negative errno. */
export function updateAt(map: string, key: number, value: number, flags = 0): Program {
  return [loadMap(R1, map), mov(R2, R10), add(R2, key), mov(R3, R10), add(R3, value), mov(R4, flags), call(Helper.map_update_elem)];
}

/** `R0 = bpf_map_delete_elem(&map, fp + key)`: 0 when the entry was there. */
export function deleteAt(map: string, key: number): Program {
  return [loadMap(R1, map), mov(R2, R10), add(R2, key), call(Helper.map_delete_elem)];
}
