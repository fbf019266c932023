import * as v from "valibot";
import { U16Schema } from "./integers.ts";

/** Schema string of an egress policy file. */
export const EGRESS_POLICY_SCHEMA = "assay.runner.egress_policy.v0";

const PortsSchema = v.pipe(v.array(U16Schema), v.minLength(1, "expected at least one port (leave `ports` out to allow every port)"));

const HOST_PATTERN = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** A host name, or `*.` and a name for every name below it (not the name itself). */
export const HostPatternSchema = v.pipe(
  v.string(),
  v.maxLength(253, "expected a host name of at most 253 characters"),
  v.regex(
    HOST_PATTERN,
    'expected a host name such as "api.example.test" or a wildcard such as "*.example.test" (labels of letters, digits, "-" or "_", at most 63 characters; "*" only as the whole first label)',
  ),
);

/**
 * `assay.runner.egress_policy.v0`: what a session may connect to. An attempt is allowed when
 * its address and port match an endpoint, a CIDR (with its ports, or any port), a bare port, or
 * an address a DNS answer gave for an allowed host name. The enforcement mode (audit or block) is
 * a run flag, not part of the file.
 */
export const EgressPolicySchema = v.strictObject({
  schema: v.literal(EGRESS_POLICY_SCHEMA),
  /** Exact `a.b.c.d:port` / `[v6]:port` peers. */
  endpoints: v.optional(
    v.array(v.pipe(v.string(), v.regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/, 'expected an endpoint "a.b.c.d:port" or "[v6]:port"'))),
    [],
  ),
  /** Networks, each with the ports allowed on it (all when left out). */
  cidrs: v.optional(v.array(v.strictObject({ cidr: v.string(), ports: v.optional(PortsSchema) })), []),
  /** Ports allowed on any address (e.g. 53 when the stub is not used). */
  ports: v.optional(v.array(U16Schema), []),
  /** Host names (with `*.` wildcards) whose answered addresses are allowed, with their ports (all when left out). */
  hosts: v.optional(v.array(v.strictObject({ name: HostPatternSchema, ports: v.optional(PortsSchema) })), []),
});

/** A parsed egress policy. */
export type EgressPolicy = v.InferOutput<typeof EgressPolicySchema>;
