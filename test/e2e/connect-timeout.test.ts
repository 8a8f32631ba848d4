/**
 * `timeouts.connectMs`: a host that never completes the TCP handshake fails fast with a 504 in the
 * SDK's dialect, which a router falls back on. The unreachable host is a local socket that listens
 * with a full accept queue and never accepts, so the kernel drops new connection attempts (the only
 * way to make a connect hang on 127.0.0.1). undici checks connect limits on its own coarse timer, so
 * this test waits on the real clock (about a second), bounded by the test timeout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { createMockProvider, type MockProvider } from '../../src/testing/index.js';

const HANGING_LISTENER = `
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(4):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(('127.0.0.1', port))
    except BlockingIOError:
        pass
    fill.append(c)
print(port, flush=True)
sys.stdin.read()
`;

let mock: MockProvider;
let listener: ChildProcessWithoutNullStreams;
let hangingURL: string;

beforeAll(async () => {
  mock = await createMockProvider();
  listener = spawn('python3', ['-c', HANGING_LISTENER]);
  const [line] = (await once(listener.stdout, 'data')) as [Buffer];
  hangingURL = `http://127.0.0.1:${line.toString().trim()}/v1`;
});

afterAll(async () => {
  listener.stdin.end();
  listener.kill();
  await mock.close();
});

describe('timeouts.connectMs', () => {
  it('answers 504 naming the limit when the host does not accept the connection in time', { timeout: 15_000 }, async () => {
    const sluice = createSluice({ providers: { far: { kind: 'openai', baseURL: hangingURL, apiKey: 'k-123456789', timeouts: { connectMs: 300 } } } });
    const records: CallRecord[] = [];
    sluice.on('request:end', ({ record }) => records.push(record));
    const started = performance.now();
    const error = await new OpenAI({ apiKey: 'k', maxRetries: 0, fetch: sluice.fetch })
      .chat.completions.create({ model: 'far/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    const elapsedMs = performance.now() - started;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as Error).message).toContain('timeouts.connectMs');
    // undici's connect timer ticks coarsely; far below its 10 s default either way.
    expect(elapsedMs).toBeLessThan(5000);
    await sluice.close();
    expect(records[0]?.attempts[0]).toMatchObject({ provider: 'far', status: null, errorClass: 'timeout' });
  });

  it('a router falls back from the unreachable target to the next one', { timeout: 15_000 }, async () => {
    const sluice = createSluice({
      providers: {
        far: { kind: 'openai', baseURL: hangingURL, apiKey: 'k-123456789' },
        near: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'k-123456789' },
      },
      models: { r: { strategy: 'priority', targets: ['far/gpt-4o-mini', 'near/gpt-4o-mini'], retries: 0, timeouts: { connectMs: 300 } } },
    });
    const completion = await new OpenAI({ apiKey: 'k', maxRetries: 0, fetch: sluice.fetch }).chat.completions.create({
      model: 'r',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Echo: hi');
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });
});
