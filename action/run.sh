#!/usr/bin/env bash
# Runs the workload step under `assay-runner run` and records the archive. The workload's exit code
# becomes an output instead of failing this step, so the archive is still uploaded and checked;
# the finish step fails the job afterwards.
set -uo pipefail
bin="${ASSAY_BIN:?ASSAY_BIN is not set}"
out_dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/assay-runner/out"
mkdir -p "$out_dir"
run_id="run_${GITHUB_RUN_ID:-local}_${GITHUB_RUN_ATTEMPT:-1}_${GITHUB_JOB:-job}"
run_id="$(printf '%s' "$run_id" | tr -c 'A-Za-z0-9_-' '_')"
archive="$out_dir/$run_id.tar.gz"

# A cgroup session and kernel capture need root; GitHub-hosted runners have passwordless sudo.
sudo_cmd=()
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n --preserve-env); fi

"${sudo_cmd[@]}" "$bin" run --capture "${INPUT_CAPTURE:-auto}" --run-id "$run_id" -o "$archive" \
  ${INPUT_TIMEOUT:+--timeout "$INPUT_TIMEOUT"} -- bash -eo pipefail -c "${INPUT_COMMAND:?the command input is empty}"
status=$?
[ -n "${sudo_cmd[*]}" ] && [ -f "$archive" ] && sudo -n chown "$(id -u):$(id -g)" "$archive"
{
  echo "archive=$archive"
  echo "run-id=$run_id"
  echo "exit-code=$status"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
if [ ! -f "$archive" ]; then
  echo "::error title=assay-runner run::no archive was written (exit $status)"
  exit "$status"
fi
exit 0
