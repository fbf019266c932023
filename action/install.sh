#!/usr/bin/env bash
# Puts assay-runner on the runner: a given binary, else the release asset of this action's ref,
# else a build from the action's own source (needs Node.js and npm). Adds it to GITHUB_PATH and
# sets the output `path`.
set -euo pipefail
dest="${RUNNER_TEMP:?RUNNER_TEMP is not set}/assay-runner/bin"
mkdir -p "$dest"
bin="$dest/assay-runner"

if [ -n "${INPUT_BINARY:-}" ]; then
  [ -x "$INPUT_BINARY" ] || { echo "::error title=assay-runner install::binary input ${INPUT_BINARY} is not an executable file"; exit 2; }
  cp "$INPUT_BINARY" "$bin"
elif [ -n "${INPUT_VERSION:-}" ] && [ -n "${ACTION_REPOSITORY:-}" ] && command -v curl >/dev/null 2>&1 &&
  curl -fsSL --retry 3 -o "$bin" -H "Authorization: Bearer ${INPUT_TOKEN:-}" \
    "${GITHUB_SERVER_URL:-https://github.com}/${ACTION_REPOSITORY}/releases/download/${INPUT_VERSION}/assay-runner-linux-$(uname -m)"; then
  :
else
  # A self-hosted runner without release access: build from the action's checkout.
  src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  command -v npm >/dev/null 2>&1 || { echo "::error title=assay-runner install::no binary input, no release asset, and no npm to build one"; exit 2; }
  (cd "$src" && npm ci --no-audit --no-fund >&2 && npx bun scripts/build.ts --target=bun-linux-x64-baseline >&2)
  cp "$src/dist/assay-runner" "$bin"
fi
chmod +x "$bin"
"$bin" --version >/dev/null
echo "$dest" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
echo "path=$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
