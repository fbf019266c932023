#!/usr/bin/env bash
# Fails the job after the uploads: when the workload failed, or (with fail-on-findings) when the
# run went outside the baseline.
set -uo pipefail
if [ "${WORKLOAD_EXIT:-0}" != 0 ]; then
  echo "::error title=assay-runner::the workload exited ${WORKLOAD_EXIT}"
  exit "$WORKLOAD_EXIT"
fi
if [ "${CHECK_OUTCOME:-}" = outside ] && [ "${INPUT_FAIL_ON_FINDINGS:-true}" = true ]; then
  echo "::error title=assay-runner::the run did something no baseline run did (see the step summary and code scanning)"
  exit 1
fi
exit 0
