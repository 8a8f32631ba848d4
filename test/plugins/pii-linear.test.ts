/**
 * The rewrites that made the PII rules linear find what the regexes they replaced found: each old
 * implementation is kept here as an oracle and compared on random texts built from the tokens that
 * matter to it. (How long a scan takes is measured in `bench/`, not here.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, builtinDetectors, ipv6Valid, luhnValid, type Detector, type Match } from '../../src/plugins/pii/detectors.js';
import { findMatches, TextScan } from '../../src/plugins/pii/scan.js';

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

/** `findMatches` as it was: every rule over the whole text by regex, overlaps resolved in a sorted list. */
function oldFindMatches(text: string, detectors: readonly Detector[]): readonly Match[] {
  const found: Match[] = [];
  for (let rule = 0; rule < detectors.length; rule++) {
    const detector = detectors[rule]!;
    if (detector.quick !== null && !detector.quick(text)) continue;
    const regex = new RegExp(detector.regex.source, detector.regex.flags);
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (detector.seek !== undefined && match[0].length === 0) continue;
      const span = detector.accept === null ? null : detector.accept(match);
      if (detector.accept !== null && span === null) continue;
      const start = match.index + (span === null ? 0 : span[0]);
      const end = match.index + (span === null ? match[0].length : span[1]);
      if (end <= start) continue;
      found.push({ start, end, rule });
      if (end < match.index + match[0].length) regex.lastIndex = end;
    }
  }
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.rule - b.rule || a.start - b.start);
  const kept: Match[] = [];
  for (const candidate of found) {
    if (kept.every((other) => other.end <= candidate.start || candidate.end <= other.start)) kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}

describe('every rule, whole and in slices', () => {
  const OLD_PRIVATE_KEY =
    '-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----(?:[\\s\\S]{0,16384}?-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----|[A-Za-z0-9+/=\\s]{0,16384})';
  const everything = BUILTIN_RULES.map((name) => all[name]);
  const oracles = everything.map((detector) => {
    if (detector.name !== 'private-key') return detector;
    const { finder: _finder, ...rest } = detector;
    return { ...rest, regex: new RegExp(OLD_PRIVATE_KEY, 'g') };
  });
  const tokens = [
    'jane.doe@example.com', 'a@b.co', '@', '.', ' ', '\n', '-', ':', '=', '"', 'x', '0', '7', '42',
    '+44 20 7946 0958', '(415) 555-2671', '415-555-2671', '020 7946 0958', '4242 4242 4242 4242', '4242424242424242',
    'DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', '123-45-6789', '192.168.0.1', '2001:db8::8a2e:370:7334', '::1', 'fe80::',
    'sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'sk-proj-abcdefghijklmnopqrstuvwx', 'AKIAIOSFODNN7EXAMPLE', 'ghp_' + 'a1'.repeat(18),
    'AIzaSyA-1234567890abcdefghijklmnopqrstu', 'xoxb-1234567890-abc', 'eyJhbGciOi.eyJzdWIiOi.sig_nature', 'password=Xk9$mQ2!zL',
    'api_key: "Zr8#pW1@qT5"', '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', 'MIIEvQIBADAN', 'a'.repeat(70),
  ];

  it('finds what the old whole-text regex scan found, whatever the slice size', () => {
    fc.assert(
      fc.property(textOf(tokens, 60), fc.integer({ min: 1, max: 300 }), (text, size) => {
        const expected = oldFindMatches(text, oracles);
        expect(findMatches(text, everything)).toEqual(expected);
        const scan = new TextScan(text, everything);
        for (let slices = 0; !scan.done && slices <= text.length; slices++) scan.scanSlice(size);
        expect(scan.done).toBe(true);
        expect(scan.matches()).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('resolves overlaps among many matches as the sorted list did', () => {
    const text = 'a@b.co x@yy.co 4242 4242 4242 4242 '.repeat(40);
    expect(findMatches(text, everything)).toEqual(oldFindMatches(text, oracles));
  });
});

describe('validators read candidates without copying them', () => {
  /** The IPv6 check as it was, with `split` and a regex per group. */
  function oldIpv6Valid(candidate: string): boolean {
    let text = candidate;
    let groupsFromIpv4 = 0;
    const lastColon = text.lastIndexOf(':');
    if (text.indexOf('.', lastColon) !== -1) {
      const octets = text.slice(lastColon + 1).split('.');
      if (octets.length !== 4 || octets.some((octet) => octet === '' || Number(octet) > 255)) return false;
      text = text.slice(0, lastColon + 1) + '0';
      groupsFromIpv4 = 1;
    }
    const halves = text.split('::');
    if (halves.length > 2) return false;
    const groups = (half: string): string[] | null => {
      if (half === '') return [];
      const parts = half.split(':');
      return parts.every((part) => /^[0-9a-f]{1,4}$/i.test(part)) ? parts : null;
    };
    const head = groups(halves[0]!);
    if (head === null) return false;
    if (halves.length === 1) return head.length + groupsFromIpv4 === 8;
    const tail = groups(halves[1]!);
    if (tail === null) return false;
    const count = head.length + tail.length + groupsFromIpv4;
    return count >= 2 && count <= 7;
  }

  it('ipv6Valid agrees with the old check', () => {
    fc.assert(
      fc.property(textOf([':', '::', ':::', 'a', 'F', '0', '12', 'abcd', 'abcde', '1.2.3.4', '256.1.1.1', '.', 'g'], 16), (candidate) => {
        expect(ipv6Valid(candidate)).toBe(oldIpv6Valid(candidate));
      }),
      { numRuns: 3_000 },
    );
  });

  it('the credit-card rule agrees with Luhn over the digits', () => {
    const card = all['credit-card'];
    fc.assert(
      fc.property(fc.stringMatching(/^[2-6]\d{12,18}$/), (digits) => {
        const found = findMatches(digits, [card]).length === 1;
        expect(found).toBe(luhnValid(digits));
      }),
      { numRuns: 2_000 },
    );
  });
});
