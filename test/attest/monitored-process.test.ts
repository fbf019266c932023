import { describe, expect, test } from "bun:test";
import { monitoredProcessOf } from "../../src/attest/index.ts";

describe("monitoredProcessOf", () => {
  test("names the GitHub run attempt when GITHUB_* variables are set", () => {
    const env = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "123", GITHUB_RUN_ATTEMPT: "2" };
    expect(monitoredProcessOf(env, "runner-7", "run_1")).toEqual({
      hostID: "https://github.com",
      type: "https://actions.github.io/buildtypes/workflow/v1",
      event: "https://github.com/acme/app/actions/runs/123/attempts/2",
    });
  });

  test("falls back to the host and the run id without them", () => {
    expect(monitoredProcessOf({ GITHUB_REPOSITORY: "acme/app" }, "build host", "run_1")).toEqual({
      hostID: "urn:assay-runner:host:build%20host",
      type: "urn:assay-runner:run:v0",
      event: "run_1",
    });
  });
});
