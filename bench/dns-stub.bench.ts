// The name lookup through the runner's stub resolver must add ≤ 1 ms to a resolve-then-connect
// (issue 15). Prints the medians of interleaved rounds on loopback.
import { measureStubLatency } from "./_dns-latency.ts";

const result = await measureStubLatency(Number(process.env.DNS_ROUNDS ?? 500));
console.log(
  `resolve-then-connect on loopback, ${result.rounds} interleaved rounds: direct ${result.directMs.toFixed(3)} ms, through the stub ${result.stubMs.toFixed(3)} ms; added ${result.addedMs.toFixed(3)} ms median (goal ≤ 1 ms)`,
);
