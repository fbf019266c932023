import { describe, expect, test } from "bun:test";
import { chooseCgroupParent } from "../../src/linux/index.ts";

/** A fake cgroup tree: directory → cgroup.type (null for the root, which has no such file). */
function choose(procSelfCgroup: string, tree: Record<string, string | null>, mount = "/sys/fs/cgroup") {
  return chooseCgroupParent({
    mount,
    procSelfCgroup,
    readType: (dir) => tree[dir] ?? undefined,
    exists: (dir) => dir in tree,
  });
}

describe("chooseCgroupParent", () => {
  test("skips a .service leaf and takes its slice (upstream's tested example)", () => {
    const tree = {
      "/sys/fs/cgroup": null,
      "/sys/fs/cgroup/system.slice": "domain",
      "/sys/fs/cgroup/system.slice/actions.runner.x.service": "domain",
    };
    expect(choose("0::/system.slice/actions.runner.x.service\n", tree)).toEqual({ ok: true, parent: "/sys/fs/cgroup/system.slice" });
  });

  test("skips a .scope leaf and takes the user slice (upstream's tested example)", () => {
    const tree = {
      "/sys/fs/cgroup": null,
      "/sys/fs/cgroup/user.slice": "domain",
      "/sys/fs/cgroup/user.slice/user-1000.slice": "domain",
      "/sys/fs/cgroup/user.slice/user-1000.slice/session-263.scope": "domain",
    };
    expect(choose("0::/user.slice/user-1000.slice/session-263.scope\n", tree)).toEqual({
      ok: true,
      parent: "/sys/fs/cgroup/user.slice/user-1000.slice",
    });
  });

  test("walks past threaded domains, whose children would reject cgroup.procs", () => {
    const tree = { "/sys/fs/cgroup": null, "/sys/fs/cgroup/a": "domain", "/sys/fs/cgroup/a/b": "domain threaded" };
    expect(choose("0::/a/b\n", tree)).toEqual({ ok: true, parent: "/sys/fs/cgroup/a" });
  });

  test("accepts the root cgroup of a hybrid mount, where upstream fails", () => {
    const tree = { "/sys/fs/cgroup/unified": null };
    expect(choose("4:memory:/x\n0::/\n", tree, "/sys/fs/cgroup/unified")).toEqual({ ok: true, parent: "/sys/fs/cgroup/unified" });
  });

  test("falls back to the root when no ancestor is a usable domain", () => {
    const tree = { "/sys/fs/cgroup": null, "/sys/fs/cgroup/init.scope": "domain" };
    expect(choose("0::/init.scope\n", tree)).toEqual({ ok: true, parent: "/sys/fs/cgroup" });
  });

  test("fails on a cgroup v1-only host (no 0:: line)", () => {
    expect(choose("4:memory:/x\n", { "/sys/fs/cgroup": null }).ok).toBe(false);
  });

  test("fails when the runner's own cgroup is not under the mount", () => {
    expect(choose("0::/elsewhere\n", { "/sys/fs/cgroup": null })).toEqual({
      ok: false,
      reason: "the runner's own cgroup /elsewhere is not visible under the cgroup2 mount /sys/fs/cgroup",
    });
  });
});
