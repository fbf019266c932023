export type * from "./types.ts";
export { noLoss, noneBackend } from "./none/index.ts";
