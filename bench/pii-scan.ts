/**
 * The PII filter on large and adversarial prompts (issue 10): for each built-in rule, a 1 MB user
 * message built to make that rule work hardest (near-misses that start a match and fail late, or
 * thousands of real matches), against 1 MB of ordinary text that wakes every rule; then 10 MB of
 * repeated `-----BEGIN PRIVATE KEY-----` lines (once 35 s) and 10 MB of ordinary text. Each call goes
 * through `sluice.fetch` with `pii()` to a fake upstream, so JSON parsing and the rewritten body are
 * included. While a call runs, a message ping-pong measures the longest the event loop was held.
 * @module
 */
import { createSluice, type Sluice } from 'sluice';
import { pii } from 'sluice/plugins';
import { int, markdownTable, mark, ms } from './lib/table.js';
import { fakeProvider, ISOLATED_URL, openaiChatJson, REPLY_TEXT } from './lib/upstream.js';

/** Fixed counts of the scan measurement. */
export interface ScanOptions {
  /** Calls per input; the median is reported. */
  runs: number;
}

/** One input's figures. */
export interface ScanFigure {
  /** Median call time (ms). */
  ms: number;
  /** The longest the event loop went without running another task during the calls (ms). */
  stallMs: number;
}

/** What the scan measurement found. */
export interface ScanResult {
  ordinary: ScanFigure;
  rules: Array<{ rule: string; input: string; figure: ScanFigure }>;
  ordinary10: ScanFigure;
  privateKey1: ScanFigure;
  privateKey10: ScanFigure;
  checksum: number;
}

/** The targets: adversarial within 3x of ordinary; 10 MB of BEGIN lines within 10x of 1 MB (linear) and 2 s. */
export const SCAN_TARGETS = { adversarialRatio: 3, tenMbRatio: 10, tenMbPrivateKeyMs: 2_000 } as const;

const MB = 1_000_000;
const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** Support prose with a line every ~2 KB that wakes every rule (a colon, an '@', digits, key prefixes), a few real values among them. */
function ordinaryText(size: number): string {
  const prose =
    'The customer explains that the parcel left the warehouse on time but stayed at the regional depot for several days without any update. ';
  const mentions =
    'Ticket 4821: wrote to ops@example.com at 10:42, see -----BEGIN notes, token: n/a, sk- prefix, AKIA?, ghp_, AIza, xoxb-, eyJ, call 0207 or +44, ref 12-34, fe80: later. ';
  return fill(fill(prose, 2_000) + mentions, size);
}

/** Per rule, a unit repeated to 1 MB: the worst found among near-misses and runs of real matches. */
const ADVERSARIAL: ReadonlyArray<readonly [rule: string, unit: string, input: string]> = [
  ['private-key', '-----BEGIN PRIVATE KEY-----\n', 'BEGIN lines, no END'],
  ['anthropic-key', `sk-ant-${'a'.repeat(19)} `, 'one character short'],
  ['openai-key', `sk-${'a'.repeat(19)} `, 'one character short'],
  ['aws-access-key', `AKIA${'A'.repeat(15)} `, 'one character short'],
  ['github-token', `ghp_${'a'.repeat(35)} `, 'one character short'],
  ['google-api-key', `AIza${'a'.repeat(34)} `, 'one character short'],
  ['slack-token', `xoxb-${'a'.repeat(9)} `, 'one character short'],
  ['jwt', 'eyJaaaaa.eyJaaaa ', 'two segments, no third'],
  ['secret', `token: ${'abcdefgh'.repeat(40)} `, 'long low-entropy values'],
  ['email', `${'a'.repeat(64)}@${'b.'.repeat(8)}1 `, 'long local parts, no TLD'],
  ['email', 'x@example.com ', 'real addresses, one value'],
  ['iban', 'DE89370400440532013001 ', 'valid IBANs'],
  ['credit-card', '4242 4242 4242 42 ', 'one group short'],
  ['ssn', '123-45-678 ', 'one digit short'],
  ['ipv6', ':: ', 'bare "::"'],
  ['ipv4', '1.2.3.4.5 ', 'five parts'],
  ['phone', '415-555-267 ', 'one digit short'],
];

/** Distinct real values: each gets its own placeholder. */
function distinctEmails(size: number): string {
  let text = '';
  for (let index = 0; text.length < size; index++) text += `user${index}@example.com `;
  return text.slice(0, size);
}

function bodyOf(text: string): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });
}

/** Runs `call` while a message ping-pong records the longest gap between two turns of the event loop. */
async function withStallMeter<T>(call: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  const channel = new MessageChannel();
  let last = performance.now();
  let stallMs = 0;
  let running = true;
  channel.port1.onmessage = () => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
    if (running) channel.port2.postMessage(null);
  };
  channel.port2.postMessage(null);
  try {
    const value = await call();
    return { value, stallMs };
  } finally {
    running = false;
    channel.port1.close();
  }
}

async function timeInput(sluice: Sluice, text: string, runs: number): Promise<{ figure: ScanFigure; checksum: number }> {
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: bodyOf(text) };
  const times: number[] = [];
  let stallMs = 0;
  let checksum = 0;
  for (let run = 0; run < runs; run++) {
    globalThis.gc?.();
    const started = performance.now();
    const measured = await withStallMeter(async () => {
      const response = await sluice.fetch(ISOLATED_URL, init);
      const answer = await response.text();
      if (response.status !== 200) throw new Error(`pii scan: status ${response.status}: ${answer.slice(0, 200)}`);
      return answer.length;
    });
    times.push(performance.now() - started);
    stallMs = Math.max(stallMs, measured.stallMs);
    checksum += measured.value;
  }
  times.sort((a, b) => a - b);
  return { figure: { ms: times[Math.floor(times.length / 2)]!, stallMs }, checksum };
}

/**
 * Runs the scan measurement.
 * @param options - fixed counts
 * @returns the figures per input
 */
export async function measurePiiScan(options: ScanOptions): Promise<ScanResult> {
  const upstream = fakeProvider({ json: openaiChatJson(REPLY_TEXT), events: [] });
  // Limits raised: this measures the scan, not the refusal.
  const sluice = createSluice({ fetch: upstream.fetch, env: {}, use: [pii({ maxScanChars: 20 * MB, maxScanMs: 600_000 })] });
  let checksum = 0;
  const time = async (text: string, runs = options.runs): Promise<ScanFigure> => {
    const { figure, checksum: sum } = await timeInput(sluice, text, runs);
    checksum += sum;
    return figure;
  };
  try {
    await time(ordinaryText(MB), 2);
    const ordinary = await time(ordinaryText(MB));
    const rules: ScanResult['rules'] = [];
    for (const [rule, unit, input] of ADVERSARIAL) rules.push({ rule, input, figure: await time(fill(unit, MB)) });
    rules.push({ rule: 'email', input: 'distinct addresses, one placeholder each', figure: await time(distinctEmails(MB)) });
    const privateKey1 = rules[0]!.figure;
    const runs10 = Math.max(1, Math.min(3, options.runs));
    const ordinary10 = await time(ordinaryText(10 * MB), runs10);
    const privateKey10 = await time(fill('-----BEGIN PRIVATE KEY-----\n', 10 * MB), runs10);
    return { ordinary, rules, ordinary10, privateKey1, privateKey10, checksum };
  } finally {
    await sluice.close();
  }
}

/**
 * Rows for the targets table.
 * @param result - what {@link measurePiiScan} found
 * @returns table rows
 */
export function scanTargetRows(result: ScanResult): string[][] {
  const worst = result.rules.reduce((a, b) => (b.figure.ms > a.figure.ms ? b : a));
  const ratio = worst.figure.ms / result.ordinary.ms;
  const tenRatio = result.privateKey10.ms / result.privateKey1.ms;
  return [
    [`PII filter, 1 MB adversarial text, worst rule (${worst.rule}: ${worst.input}) vs 1 MB ordinary`, `${ratio.toFixed(2)}×`, `≤ ${SCAN_TARGETS.adversarialRatio}×`, mark(ratio <= SCAN_TARGETS.adversarialRatio)],
    [
      'PII filter, 10 MB of `-----BEGIN PRIVATE KEY-----` lines',
      `${ms(result.privateKey10.ms, 0)} (${tenRatio.toFixed(1)}× 1 MB)`,
      `≤ ${int(SCAN_TARGETS.tenMbPrivateKeyMs)} ms, ≤ ${SCAN_TARGETS.tenMbRatio}× 1 MB`,
      mark(result.privateKey10.ms <= SCAN_TARGETS.tenMbPrivateKeyMs && tenRatio <= SCAN_TARGETS.tenMbRatio),
    ],
  ];
}

/**
 * The section of the results: one row per input, and the method.
 * @param result - what {@link measurePiiScan} found
 * @param options - the counts it ran with
 * @returns Markdown
 */
export function renderPiiScan(result: ScanResult, options: ScanOptions): string {
  const row = (label: string, input: string, figure: ScanFigure): string[] => [
    label,
    input,
    ms(figure.ms, 1),
    `${(figure.ms / result.ordinary.ms).toFixed(2)}×`,
    mark(figure.ms / result.ordinary.ms <= SCAN_TARGETS.adversarialRatio),
    ms(figure.stallMs, 1),
  ];
  const table = markdownTable(
    ['1 MB user message through `pii()`', 'input', 'median call', 'vs ordinary', '≤ 3×', 'longest event-loop hold'],
    [
      ['ordinary text', 'prose waking every rule', ms(result.ordinary.ms, 1), '1.00×', '—', ms(result.ordinary.stallMs, 1)],
      ...result.rules.map(({ rule, input, figure }) => row(`\`${rule}\``, input, figure)),
    ],
  );
  const big = markdownTable(
    ['10 MB user message through `pii()`', 'median call', 'vs 1 MB', 'longest event-loop hold'],
    [
      ['ordinary text', ms(result.ordinary10.ms, 0), `${(result.ordinary10.ms / result.ordinary.ms).toFixed(1)}×`, ms(result.ordinary10.stallMs, 1)],
      ['`-----BEGIN PRIVATE KEY-----` lines', ms(result.privateKey10.ms, 0), `${(result.privateKey10.ms / result.privateKey1.ms).toFixed(1)}×`, ms(result.privateKey10.stallMs, 1)],
    ],
  );
  const method = [
    `- One \`createSluice({ fetch, use: [pii({ maxScanChars: 20e6, maxScanMs: 600_000 })] })\` (default rules, limits raised so every call is scanned whole) with a fake upstream; each input is one OpenAI chat body with a single user message, sent through \`sluice.fetch\` and its answer read. Median of ${options.runs} calls per 1 MB input (of up to 3 per 10 MB input), after 2 warm-up calls; GC between calls.`,
    '- Adversarial inputs repeat one unit to 1,000,000 characters: a near-miss that starts a match and fails late, or real values (each then redacted, so the rewritten body and the placeholder table grow). Ordinary text is support prose with a line every ~2 KB holding a colon, an address, digits and every key prefix, so no rule is skipped by its cheap first test.',
    '- The event-loop hold is the longest gap between two turns of a message ping-pong running beside the call: bodies over 64 K characters are scanned in 64 K slices with a yield between slices; JSON parsing and re-serialising the body are single steps and count in it.',
  ];
  return `## PII filter on large and adversarial prompts\n\n${table}\n\n${big}\n\n${method.join('\n')}`;
}
