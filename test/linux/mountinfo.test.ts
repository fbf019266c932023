import { describe, expect, test } from "bun:test";
import { findCgroup2Mount, parseMountinfo } from "../../src/linux/index.ts";

// Lines as the kernel prints them (proc(5)); the hybrid one is this project's hosts (HOST-NOTES).
const HYBRID = [
  "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
  "25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
  "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
  "27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd",
].join("\n");
const PLAIN = "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
const V1_ONLY = "27 25 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory\n";

describe("findCgroup2Mount", () => {
  test("finds the unified hierarchy of a hybrid layout", () => {
    expect(findCgroup2Mount(HYBRID)).toBe("/sys/fs/cgroup/unified");
  });
  test("finds a plain cgroup v2 mount", () => {
    expect(findCgroup2Mount(PLAIN)).toBe("/sys/fs/cgroup");
  });
  test("returns undefined on a cgroup v1-only host", () => {
    expect(findCgroup2Mount(V1_ONLY)).toBeUndefined();
  });
  test("prefers a mount of the whole hierarchy over a bind of a subtree", () => {
    const bind = "40 30 0:26 /user.slice /mnt/sub rw shared:4 - cgroup2 cgroup2 rw\n";
    expect(findCgroup2Mount(bind + PLAIN)).toBe("/sys/fs/cgroup");
  });
});

describe("parseMountinfo", () => {
  test("decodes octal escapes and skips optional fields", () => {
    const line = "41 30 0:27 / /mnt/with\\040space rw,relatime shared:5 master:1 - cgroup2 none rw";
    expect(parseMountinfo(line)).toEqual([{ mountId: 41, parentId: 30, root: "/", mountPoint: "/mnt/with space", fsType: "cgroup2", source: "none" }]);
  });
  test("skips lines without the separator", () => {
    expect(parseMountinfo("garbage\n\n")).toEqual([]);
  });
});
