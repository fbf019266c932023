#!/bin/sh
# A small sample agent for the measured demo run: it reads its input, "thinks", writes its output,
# and reports its tool calls on the SDK channel (assay.runner.sdk_event.v0) the runner gave it.
# With ASSAY_RUNNER_POLICY_DECISION_LOG set it also records the policy decision a wrapper would.
# Usage: agent.sh <work-dir>   (reads <work-dir>/input.txt, writes <work-dir>/output.txt)
set -eu
[ "$#" -eq 1 ] || { echo "usage: $0 <work-dir>" >&2; exit 64; }
work="$1"
log="${ASSAY_RUNNER_SDK_EVENT_LOG:?run me under assay-runner run --sdk-event-log}"
run_id="${ASSAY_RUNNER_RUN_ID:?}"
schema="${ASSAY_RUNNER_SDK_EVENT_SCHEMA:?}"
seq=0

emit() { # event_type [tool_call_id tool]
  if [ "$#" -eq 3 ]; then extra=",\"tool_call_id\":\"$2\",\"tool\":\"$3\""; else extra=""; fi
  printf '{"schema":"%s","run_id":"%s","seq":%d,"event_type":"%s","source":"assay-demo-agent","sdk_name":"assay-demo-sh","sdk_version":"1.0.0"%s}\n' \
    "$schema" "$run_id" "$seq" "$1" "$extra" >> "$log"
  seq=$((seq + 1))
}

: > "$log"
emit tool_call_started tc_demo_read_001 read_file
input="$(cat "$work/input.txt")"
emit tool_call_completed tc_demo_read_001 read_file
if [ -n "${ASSAY_RUNNER_POLICY_DECISION_LOG:-}" ]; then
  printf '{"type":"assay.tool.decision","source":"assay://runner-spike/%s","data":{"tool":"read_file","tool_call_id":"tc_demo_read_001","decision":"allow"}}\n' \
    "$run_id" > "$ASSAY_RUNNER_POLICY_DECISION_LOG"
fi

# The answer is plain work, not a tool call: only read_file goes through the (policy-checked) tool layer.
words=$(printf '%s\n' "$input" | wc -w | tr -d ' ')
printf 'summary: %s words read from input.txt\n' "$words" > "$work/output.txt"
emit run_finished
