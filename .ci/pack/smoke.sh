#!/usr/bin/env bash
# Packs Sluice from an unbuilt copy of the source (the `prepack` script builds dist/), installs the
# tarball into a fresh project and makes calls through the official OpenAI SDK against the mock
# provider: from ESM and CommonJS on Node, from Jest (CommonJS and ESM modes), and from the core entry
# on Bun, Deno and Cloudflare's workerd. The declarations are type-checked under every module resolution.
set -euo pipefail
ROOT=$1
WORK=$(mktemp -d)
trap 'kill "${MOCK_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "--- npm pack from a copy without dist/"
mkdir "$WORK/source" "$WORK/project"
tar -C "$ROOT" --exclude=./node_modules --exclude=./dist --exclude=./.tmp --exclude=./.git --exclude='./*.tgz' -cf - . | tar -C "$WORK/source" -xf -
ln -s "$ROOT/node_modules" "$WORK/source/node_modules"
(cd "$WORK/source" && npm pack --pack-destination "$WORK/project" >"$WORK/pack.log" 2>&1) || { cat "$WORK/pack.log"; exit 1; }
TARBALL=$(cd "$WORK/project" && ls sluice-*.tgz)
LISTING=$(tar -tzf "$WORK/project/$TARBALL")
for file in package/LICENSE package/dist/index.js package/dist/index.cjs package/dist/index.d.ts package/dist/index.d.cts; do
  grep -qx "$file" <<<"$LISTING" || { echo "$TARBALL lacks $file"; exit 1; }
done
# The CommonJS build loads its on-demand chunks with require: Jest's CommonJS runtime has no import().
LEFT=$(tar -xzOf "$WORK/project/$TARBALL" --wildcards 'package/dist/*.cjs' | grep -c 'import(' || true)
[ "$LEFT" = 0 ] || { echo "the CommonJS files in $TARBALL still have $LEFT dynamic import()"; exit 1; }
echo "$TARBALL: $(wc -l <<<"$LISTING") files, LICENSE and dist/ included, no import() in CommonJS"

cd "$WORK/project"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
OPENAI_VERSION=$(node -p "require('$ROOT/node_modules/openai/package.json').version")
OTEL_API_VERSION=$(node -p "require('$ROOT/node_modules/@opentelemetry/api/package.json').version")
npm install --no-audit --no-fund "./$TARBALL" "openai@$OPENAI_VERSION" "@opentelemetry/api@$OTEL_API_VERSION" >/dev/null
cp "$ROOT"/.ci/pack/*.mjs "$ROOT"/.ci/pack/*.cjs "$ROOT"/.ci/pack/*.mts "$ROOT"/.ci/pack/*.ts "$ROOT"/.ci/pack/*.capnp .

node mock-server.mjs > mock-url.txt &
MOCK_PID=$!
for _ in $(seq 1 100); do [ -s mock-url.txt ] && break; sleep 0.1; done
export MOCK_URL
MOCK_URL=$(head -1 mock-url.txt)
echo "mock provider at $MOCK_URL"

echo "--- node ESM"; node esm.mjs
echo "--- node CommonJS"; node cjs.cjs

echo "--- types (nodenext, node16, bundler; node10 through typesVersions)"
TSC=("$ROOT/node_modules/.bin/tsc" --noEmit --strict --exactOptionalPropertyTypes --target es2022 --lib es2022,dom,dom.iterable --types node --typeRoots "$ROOT/node_modules/@types")
"${TSC[@]}" --module nodenext --moduleResolution nodenext types-check.mts
cp types-entries.ts types-entries.mts
cp types-entries.ts types-entries.cts
for mode in node16 nodenext; do
  "${TSC[@]}" --module "$mode" --moduleResolution "$mode" types-entries.mts types-entries.cts
  echo "$mode: ok (import and require)"
done
"${TSC[@]}" --module esnext --moduleResolution bundler types-entries.ts
echo "bundler: ok"
"${TSC[@]}" --module commonjs --moduleResolution node10 types-entries.ts
echo "node10: ok"

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
npm install --no-save --no-audit --no-fund --loglevel=error @oven/bun-linux-x64@1.4.5 @deno/linux-x64-glibc@2.9.6 >/dev/null
echo "bun $(node_modules/@oven/bun-linux-x64/bin/bun --version)"; node_modules/@oven/bun-linux-x64/bin/bun runtime-smoke.mjs
echo "deno $(node_modules/@deno/linux-x64-glibc/deno --version | head -1)"; node_modules/@deno/linux-x64-glibc/deno run --allow-net --allow-env --allow-read runtime-smoke.mjs
echo "pack smoke: all passed"
