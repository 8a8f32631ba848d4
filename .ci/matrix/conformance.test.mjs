/**
 * The SDK conformance suite of the CI matrix: one SDK at one version (its driver named by
 * `SLUICE_SDK`, see drivers/), wrapped by the packed Sluice, against the mock provider of
 * `sluice/testing`. For each API surface the driver offers, it checks text, a stream read to the
 * end, a stream broken off by `break`, a tool call, an upstream error and a stream that fails
 * mid-way: what the SDK returned or raised, and what Sluice recorded. Runs with `node --test`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createSluice } from 'sluice';
import { createMockProvider } from 'sluice/testing';

const KEY = 'provider-key-123';
/** How long a call may take to produce its record before the test fails naming what is missing. */
const RECORD_DEADLINE_MS = 5000;

const name = process.env.SLUICE_SDK;
assert.ok(name, 'SLUICE_SDK names the driver to run');
/** @type {{ flavours: import('./drivers/types.mjs').Flavour[] }} */
const driver = await import(`./drivers/${name}.mjs`);

/** @type {import('sluice/testing').MockProvider} */
let mock;
before(async () => {
  mock = await createMockProvider({ apiKey: KEY });
});
after(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

/** One provider per dialect, all on the mock; a model id's prefix picks the provider. */
function gateway() {
  return createSluice({
    providers: {
      oa: { kind: 'openai', baseURL: mock.baseURL, apiKey: KEY },
      an: { kind: 'anthropic', baseURL: mock.url, apiKey: KEY },
      ge: { kind: 'gemini', baseURL: mock.url, apiKey: KEY },
    },
    env: {},
  });
}

/**
 * The record of the next call to end, or a rejection naming the wait when none comes in time.
 * @param {import('sluice').Sluice} sluice
 * @param {string} what
 */
function nextRecord(sluice, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no record within ${RECORD_DEADLINE_MS} ms after ${what}`)), RECORD_DEADLINE_MS);
    sluice.once('request:end', ({ record }) => {
      clearTimeout(timer);
      resolve(record);
    });
  });
}

/**
 * Resolves with the error the promise rejected with, or fails when it resolved.
 * @param {Promise<unknown>} promise
 */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: 'expected the call to fail' });
}

for (const flavour of driver.flavours) {
  describe(flavour.name, () => {
    const routes = [['own dialect', flavour.model]];
    if (flavour.translated !== null) routes.push(['translated', flavour.translated]);
    for (const [route, model] of routes) {
      test(`${route}: text, with usage in the record`, async () => {
        const sluice = gateway();
        const ended = nextRecord(sluice, 'a text answer');
        mock.script({ kind: 'reply', content: 'Hello from the mock', usage: { prompt_tokens: 12, completion_tokens: 5 } });
        const answer = await flavour.text(flavour.client(sluice, mock), model);
        assert.equal(answer.text, 'Hello from the mock');
        assert.deepEqual(answer.usage, { input: 12, output: 5 });
        const record = await ended;
        assert.equal(record.outcome, 'completed');
        assert.equal(record.status, 200);
        assert.equal(record.usage?.inputTokens, 12);
        assert.equal(record.usage?.outputTokens, 5);
      });

      test(`${route}: a stream read to the end, with usage in the record`, async () => {
        const sluice = gateway();
        const ended = nextRecord(sluice, 'a stream read to the end');
        mock.script({ kind: 'reply', content: 'one two three four', usage: { prompt_tokens: 7, completion_tokens: 4 } });
        const streamed = await flavour.stream(flavour.client(sluice, mock), model, Infinity);
        assert.equal(streamed.text, 'one two three four');
        const record = await ended;
        assert.equal(record.streamed, true);
        assert.equal(record.outcome, 'completed');
        assert.equal(record.usage?.inputTokens, 7);
        assert.equal(record.usage?.outputTokens, 4);
      });
    }

    test('a stream broken off by break: upstream closed, record cancelled', flavour.gaps?.break ?? {}, async () => {
      const sluice = gateway();
      const ended = nextRecord(sluice, 'breaking out of a stream');
      mock.script({ kind: 'stall', afterChunks: flavour.stallAfter });
      const streamed = await flavour.stream(flavour.client(sluice, mock), flavour.model, 1);
      assert.equal(streamed.pieces, 1);
      const record = await ended;
      assert.equal(record.streamed, true);
      assert.equal(record.outcome, 'cancelled');
      const upstream = mock.requests[0];
      await upstream.done;
      assert.equal(upstream.aborted, true);
    });

    test('a tool call, whole and streamed', async () => {
      const sluice = gateway();
      const call = { name: 'get_weather', arguments: '{"city":"Paris"}' };
      mock.script({ kind: 'reply', toolCalls: [call] }, { kind: 'reply', toolCalls: [call] });
      const client = flavour.client(sluice, mock);
      for (const streamed of [false, true]) {
        const ended = nextRecord(sluice, `a tool call (streamed: ${streamed})`);
        const tool = await flavour.tool(client, flavour.model, streamed);
        assert.deepEqual(tool, { name: 'get_weather', args: { city: 'Paris' } }, `streamed: ${streamed}`);
        assert.equal((await ended).outcome, 'completed');
      }
    });

    test("an upstream 429: the SDK raises its own error with the status, record failed", async () => {
      const sluice = gateway();
      const ended = nextRecord(sluice, 'an upstream 429');
      mock.script({ kind: 'error', status: 429 });
      const error = await rejection(flavour.text(flavour.client(sluice, mock), flavour.model));
      assert.ok(flavour.isApiError(error), `the SDK's own error class, got ${String(error)}`);
      assert.equal(flavour.status(error), 429);
      const record = await ended;
      assert.equal(record.outcome, 'failed');
      assert.equal(record.status, 429);
      assert.equal(mock.requests.length, 1, 'no retry: the SDK and Sluice were told not to');
    });

    test('a stream that fails mid-way: the SDK raises, record errored', flavour.gaps?.['mid-stream error'] ?? {}, async () => {
      const sluice = gateway();
      const ended = nextRecord(sluice, 'a stream that failed mid-way');
      mock.script({ kind: 'mid-stream-error', afterChunks: 2 });
      const error = await rejection(flavour.stream(flavour.client(sluice, mock), flavour.model, Infinity));
      assert.ok(error instanceof Error, `an Error, got ${String(error)}`);
      assert.equal((await ended).outcome, 'errored');
    });
  });
}
