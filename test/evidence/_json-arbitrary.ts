import fc from "fast-check";

/** JSON values whose numbers JSON.parse/stringify handle exactly (no integer beyond 2^53). */
export const exactJsonValue = fc.jsonValue().filter((value) => !hasUnsafeInteger(value));

function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === "number") return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasUnsafeInteger);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasUnsafeInteger);
  return false;
}
