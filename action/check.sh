#!/usr/bin/env bash
# Writes the HTML report and checks the archive against the committed baseline (SARIF, step summary
# and annotations come from `check` itself under GITHUB_ACTIONS=true). The check's outcome is an
# output; the finish step decides whether the job fails, after the uploads.
set -uo pipefail
bin="${ASSAY_BIN:?ASSAY_BIN is not set}"
archive="${ASSAY_ARCHIVE:?ASSAY_ARCHIVE is not set}"
out_dir="$(dirname "$archive")"
report="$out_dir/report.html"
sarif="$out_dir/assay.sarif"
baseline="${INPUT_BASELINE:-.assay/baseline.json}"
{
  echo "report=$report"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

if [ ! -f "$baseline" ]; then
  "$bin" report "$archive" -o "$report" || exit 2
  {
    echo "## assay-runner: no baseline yet"
    echo
    echo "\`$baseline\` does not exist. Download the evidence artifact of a few good runs and commit a baseline:"
    echo
    echo "    assay-runner baseline run1.tar.gz run2.tar.gz run3.tar.gz -o $baseline"
  } >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
  echo "::warning title=assay-runner check::no baseline at $baseline; nothing was checked"
  echo "outcome=no-baseline" >> "$GITHUB_OUTPUT"
  exit 0
fi

"$bin" report "$archive" --baseline "$baseline" -o "$report" || exit 2
GITHUB_ACTIONS=true "$bin" check "$archive" --baseline "$baseline" --sarif "$sarif"
status=$?
case "$status" in
  0) echo "outcome=inside" >> "$GITHUB_OUTPUT" ;;
  1) echo "outcome=outside" >> "$GITHUB_OUTPUT" ;;
  *) echo "outcome=error" >> "$GITHUB_OUTPUT"; exit "$status" ;;
esac
echo "sarif=$sarif" >> "$GITHUB_OUTPUT"
exit 0
