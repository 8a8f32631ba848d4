/**
 * The rewrites that made the PII rules linear find what the regexes they replaced found: each old
 * implementation is kept here as an oracle and compared on random texts built from the tokens that
 * matter to it. (How long a scan takes is measured in `bench/`, not here.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, builtinDetectors, findMatches, type Detector } from '../../src/plugins/pii/detectors.js';

const all = builtinDetectors();

/** What `detectors` find in `text`, as `rule:start-end`. */
function spans(text: string, detectors: readonly Detector[]): string[] {
  return findMatches(text, detectors).map((match) => `${detectors[match.rule]!.name}:${match.start}-${match.end}`);
}

/** A text joined from `tokens`. */
const textOf = (tokens: readonly string[], maxLength = 40): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...tokens), { maxLength }).map((parts) => parts.join(''));

describe('private-key', () => {
  /** The regex the rule used before: a lazy search for END up to 16 K characters after every BEGIN. */
  const OLD_SOURCE =
    '-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----(?:[\\s\\S]{0,16384}?-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----|[A-Za-z0-9+/=\\s]{0,16384})';
  const { finder: _finder, ...rest } = all['private-key'];
  const oracle: Detector = { ...rest, regex: new RegExp(OLD_SOURCE, 'g') };
  const tokens = [
    '-----BEGIN PRIVATE KEY-----',
    '-----BEGIN RSA PRIVATE KEY-----',
    '-----BEGIN A B C D E PRIVATE KEY-----',
    '-----BEGIN OPENSSH PRIVATE',
    '-----END PRIVATE KEY-----',
    '-----END RSA PRIVATE KEY-----',
    '-----END X-----',
    '-----END ',
    '-----',
    'MIIEvQIBADAN',
    '+/==',
    '\n',
    ' ',
    '!',
    'é',
    'A'.repeat(8_000),
  ];

  it('finds the same blocks as the regex it replaced, alone and among every rule', () => {
    const everything = BUILTIN_RULES.map((name) => all[name]);
    const everythingOld = everything.map((detector) => (detector.name === 'private-key' ? oracle : detector));
    fc.assert(
      fc.property(textOf(tokens), (text) => {
        expect(spans(text, [all['private-key']])).toEqual(spans(text, [oracle]));
        expect(spans(text, everything)).toEqual(spans(text, everythingOld));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a block whose END line starts exactly 16,384 characters after BEGIN, and cuts one a character further', () => {
    const begin = '-----BEGIN PRIVATE KEY-----';
    const end = '-----END PRIVATE KEY-----';
    const near = `${begin}${'A'.repeat(16_384)}${end}`;
    const far = `${begin}${'A'.repeat(16_385)}${end}`;
    expect(spans(near, [all['private-key']])).toEqual([`private-key:0-${near.length}`]);
    expect(spans(far, [all['private-key']])).toEqual([`private-key:0-${begin.length + 16_384}`]);
    expect(spans(far, [oracle])).toEqual(spans(far, [all['private-key']]));
  });

  it('shares one END line among the BEGIN lines before it', () => {
    const text = `${'-----BEGIN PRIVATE KEY-----\n'.repeat(3)}MIIE\n-----END PRIVATE KEY-----`;
    expect(spans(text, [all['private-key']])).toEqual([`private-key:0-${text.length}`]);
  });
});
