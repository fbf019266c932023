// Worker entry (bundled into the binary as its own entrypoint by scripts/build.ts): counts one part
// of a paths file, split at a line boundary by `project --format summary`, and posts the counts back.
import { tallyLinePart, type TallyRequest } from "../projection/index.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<TallyRequest>) => {
  self.postMessage(await tallyLinePart(event.data));
};
