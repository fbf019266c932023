export type * from "./types.ts";
export { noLoss, noneBackend } from "./none/index.ts";
export { chooseBackend, type CaptureChoice, type CaptureRequest } from "./select.ts";
