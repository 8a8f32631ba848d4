#!/usr/bin/env bash
# Installs the packed tarball into a fresh project and makes calls through the official OpenAI SDK
# against the mock provider: from ESM and CommonJS on Node, from Jest (CommonJS and ESM modes), and
# from the core entry on Bun, Deno and Cloudflare's workerd.
set -euo pipefail
ROOT=$1
WORK=$(mktemp -d)
trap 'kill "${MOCK_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$ROOT"
TARBALL=$(npm pack --silent --pack-destination "$WORK" | tail -1)
cd "$WORK"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
OPENAI_VERSION=$(node -p "require('$ROOT/node_modules/openai/package.json').version")
npm install --no-audit --no-fund "./$TARBALL" "openai@$OPENAI_VERSION" >/dev/null
cp "$ROOT"/.ci/pack/*.mjs "$ROOT"/.ci/pack/*.cjs "$ROOT"/.ci/pack/*.mts "$ROOT"/.ci/pack/*.capnp .

node mock-server.mjs > mock-url.txt &
MOCK_PID=$!
for _ in $(seq 1 100); do [ -s mock-url.txt ] && break; sleep 0.1; done
export MOCK_URL
MOCK_URL=$(head -1 mock-url.txt)
echo "mock provider at $MOCK_URL"

echo "--- node ESM"; node esm.mjs
echo "--- node CommonJS"; node cjs.cjs
echo "--- types"
"$ROOT/node_modules/.bin/tsc" --noEmit --strict --exactOptionalPropertyTypes --target es2022 --lib es2022,dom,dom.iterable \
  --module nodenext --moduleResolution nodenext --types node --typeRoots "$ROOT/node_modules/@types" types-check.mts

echo "--- Jest"
npm install --no-audit --no-fund --loglevel=error jest@30.5.2 >/dev/null
echo "jest $(node_modules/.bin/jest --version), CommonJS mode"
node_modules/.bin/jest --ci jest-cjs.test.cjs
echo "jest, ESM mode (--experimental-vm-modules)"
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci

echo "--- Cloudflare Workers (workerd)"
npm install --no-audit --no-fund --loglevel=error workerd@1.20261123.1 >/dev/null
"$ROOT/node_modules/.bin/esbuild" workerd-worker.mjs --bundle --format=esm --platform=neutral --main-fields=module,main \
  --conditions=workerd,worker,browser --log-level=warning --outfile=workerd-worker.bundle.mjs
echo "$(node_modules/.bin/workerd --version)"; node_modules/.bin/workerd test workerd.capnp

echo "--- runtimes"
npm install --no-save --no-audit --no-fund @oven/bun-linux-x64@1.4.5 @deno/linux-x64-glibc@2.9.6 >/dev/null
echo "bun $(node_modules/@oven/bun-linux-x64/bin/bun --version)"; node_modules/@oven/bun-linux-x64/bin/bun runtime-smoke.mjs
echo "deno $(node_modules/@deno/linux-x64-glibc/deno --version | head -1)"; node_modules/@deno/linux-x64-glibc/deno run --allow-net --allow-env --allow-read runtime-smoke.mjs
echo "pack smoke: all passed"
