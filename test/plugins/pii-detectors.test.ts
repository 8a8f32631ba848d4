import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_RULES,
  builtinDetectors,
  compileWordList,
  entropy,
  IBAN_LENGTHS,
  ibanRemainder,
  luhnValid,
  type BuiltinRule,
  type Detector,
} from '../../src/plugins/pii/detectors.js';
import { findMatches } from '../../src/plugins/pii/scan.js';

const all = builtinDetectors();
const everything: Detector[] = BUILTIN_RULES.map((name) => all[name]);

/** What every built-in detector finds in `text`, as `rule:value`. */
function found(text: string, detectors: readonly Detector[] = everything): string[] {
  return findMatches(text, detectors).map((match) => `${detectors[match.rule]!.name}:${text.slice(match.start, match.end)}`);
}

/** The values one rule finds in `text`, scanning with every rule (so overlaps resolve as in use). */
function values(rule: BuiltinRule, text: string): string[] {
  return found(text)
    .filter((entry) => entry.startsWith(`${rule}:`))
    .map((entry) => entry.slice(rule.length + 1));
}

describe('email', () => {
  it.each([
    ['write to jane.doe@example.com today', 'jane.doe@example.com'],
    ['plus tags: a.b+news@mail.example.co.uk.', 'a.b+news@mail.example.co.uk'],
    ['<jane_doe-1@sub.example.org>', 'jane_doe-1@sub.example.org'],
  ])('finds the address in %j', (text, expected) => {
    expect(values('email', text)).toEqual([expected]);
  });

  it.each(['user@localhost', 'an @ sign', 'foo@bar', '@handle on social', 'x@-bad.com'])('finds none in %j', (text) => {
    expect(values('email', text)).toEqual([]);
  });

  it('finds every address among handles and long text, skipping ahead to each @', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(40);
    const local = 'a'.repeat(64);
    const text = `@alice and @bob ${filler} first@example.com ${filler} @carol ${local}@long.example.org and ${'b'.repeat(65)}@too.long.example`;
    expect(values('email', text)).toEqual(['first@example.com', `${local}@long.example.org`]);
  });

  it('finds the same addresses as a scan from every position', () => {
    const email = all.email;
    const { seek: _seek, ...rest } = email;
    const plain: Detector = { ...rest, regex: new RegExp(email.regex.source, email.regex.flags) };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('x', '@', '.', 'a@b.co', 'jane.doe@example.com', ' ', '-', 'q'.repeat(70)), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect(found(text, [email])).toEqual(found(text, [plain]));
      }),
    );
  });

  it('masks keeping the first letters and the top-level domain', () => {
    expect(all.email.mask('jane.doe@example.com')).toBe('j***@e***.com');
  });

  it('finds every generated address', () => {
    const local = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]$/);
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    const address = fc.tuple(local, fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/)).map(
      ([user, labels, tld]) => `${user}@${labels.join('.')}.${tld}`,
    );
    fc.assert(
      fc.property(address, fc.constantFrom(' ', '\n', '(', '"', ': '), (value, around) => {
        expect(values('email', `contact${around}${value}${around === '(' ? ')' : around}now`)).toEqual([value]);
      }),
    );
  });
});

describe('phone', () => {
  it.each([
    ['E.164', 'call +14155552671 now', '+14155552671'],
    ['international with spaces', 'call +44 20 7946 0958.', '+44 20 7946 0958'],
    ['international with parentheses', 'ring +1 (415) 555-2671', '+1 (415) 555-2671'],
    ['trunk prefix in parentheses', 'Tel. +49 (0)30 1234567', '+49 (0)30 1234567'],
    ['North American with parentheses', 'office (415) 555-2671', '(415) 555-2671'],
    ['North American with dashes', 'cell 415-555-2671', '415-555-2671'],
    ['North American with dots', 'fax 415.555.2671', '415.555.2671'],
    ['UK national', 'London 020 7946 0958', '020 7946 0958'],
    ['UK mobile', 'mobile 07700 900123', '07700 900123'],
    ['French national', 'Paris 01 23 45 67 89', '01 23 45 67 89'],
  ])('finds %s numbers', (_name, text, expected) => {
    expect(values('phone', text)).toEqual([expected]);
  });

  it.each([
    ['ISO dates', 'on 2024-01-15 at noon'],
    ['slashed dates', 'on 15/01/2024'],
    ['dashed US dates', 'due 01-15-2024'],
    ['dotted dates', 'am 15.01.2024'],
    ['times', 'at 12:30:45'],
    ['bare digit runs (ids, timestamps)', 'order 1234567890 at 1735689600'],
    ['version numbers', 'version 1.2.3'],
    ['mixed separators', 'ref 415-555.2671'],
    ['invalid North American area codes', 'ref 123-555-2671'],
    ['too few digits after +', 'room +12 345'],
  ])('finds none in %s', (_name, text) => {
    expect(values('phone', text)).toEqual([]);
  });

  it('stops before a number that follows', () => {
    expect(values('phone', 'call +1 415 555 2671 2024 1234 5678 please')).toEqual(['+1 415 555 2671 2024']);
  });

  it('masks all but the last two digits, keeping separators', () => {
    expect(all.phone.mask('+1 (415) 555-2671')).toBe('+* (***) ***-**71');
  });
});

describe('credit-card', () => {
  it.each([
    ['4242 4242 4242 4242'],
    ['4242-4242-4242-4242'],
    ['4242424242424242'],
    ['3782 822463 10005'],
    ['5555555555554444'],
    ['6011111111111117'],
  ])('finds %s', (card) => {
    expect(values('credit-card', `pay with ${card}, thanks`)).toEqual([card]);
  });

  it.each([
    ['a Luhn-invalid number', '4242 4242 4242 4241'],
    ['mixed separators', '4242 4242-4242 4242'],
    ['a millisecond timestamp (first digit 1)', '1735689600000'],
    ['a digit run inside a longer one', '99424242424242424299'],
    ['12 digits', '424242424242'],
  ])('finds none in %s', (_name, text) => {
    expect(values('credit-card', `value ${text} here`)).toEqual([]);
  });

  it('masks all but the last four digits', () => {
    expect(all['credit-card'].mask('4242 4242 4242 4242')).toBe('**** **** **** 4242');
  });

  it('finds every generated Luhn-valid number, grouped or not', () => {
    const card = fc
      .tuple(fc.constantFrom('4', '5', '3', '6', '2'), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }))
      .map(([first, rest]) => completeLuhn(first + rest.join('')));
    fc.assert(
      fc.property(card, fc.constantFrom('', ' ', '-'), (digits, separator) => {
        const written = separator === '' ? digits : digits.match(/.{1,4}/g)!.join(separator);
        expect(luhnValid(digits)).toBe(true);
        expect(values('credit-card', `card: ${written}.`)).toEqual([written]);
      }),
    );
  });
});

/** Appends the Luhn check digit. */
function completeLuhn(payload: string): string {
  for (let digit = 0; digit <= 9; digit++) if (luhnValid(payload + digit)) return payload + digit;
  throw new Error('unreachable');
}

describe('iban', () => {
  it.each([
    ['DE89 3704 0044 0532 0130 00'],
    ['GB82WEST12345698765432'],
    ['FR14 2004 1010 0505 0001 3M02 606'],
    ['NL91ABNA0417164300'],
    ['gb82 west 1234 5698 7654 32'],
  ])('finds %s', (iban) => {
    expect(values('iban', `transfer to ${iban} please`)).toEqual([iban]);
  });

  it('stops at the country length when words follow in capitals', () => {
    expect(values('iban', 'IBAN DE89 3704 0044 0532 0130 00 THEN PAY')).toEqual(['DE89 3704 0044 0532 0130 00']);
  });

  it.each([
    ['a bad checksum', 'GB82WEST12345698765433'],
    ['a wrong length for the country', 'DE89370400440532013'],
    ['an unknown country', 'ZZ82WEST12345698765432'],
  ])('finds none with %s', (_name, text) => {
    expect(values('iban', `iban ${text} here`)).toEqual([]);
  });

  it('masks all but the country and the last four characters', () => {
    expect(all.iban.mask('DE89 3704 0044 0532 0130 00')).toBe('DE** **** **** **** **30 00');
  });

  it('finds every generated IBAN with computed check digits', () => {
    const countries = Object.keys(IBAN_LENGTHS);
    const iban = fc
      .tuple(fc.constantFrom(...countries), fc.array(fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), { minLength: 30, maxLength: 30 }))
      .map(([country, chars]) => {
        const bban = chars.join('').slice(0, IBAN_LENGTHS[country]! - 4);
        const check = 98 - ibanRemainder(`${country}00${bban}`);
        return `${country}${String(check).padStart(2, '0')}${bban}`;
      });
    fc.assert(
      fc.property(iban, fc.boolean(), (compact, grouped) => {
        expect(ibanRemainder(compact)).toBe(1);
        const written = grouped ? compact.match(/.{1,4}/g)!.join(' ') : compact;
        expect(values('iban', `pay ${written} today`)).toEqual([written]);
      }),
    );
  });
});

describe('ssn', () => {
  it('finds a dashed SSN and masks all but the serial', () => {
    expect(values('ssn', 'SSN 123-45-6789.')).toEqual(['123-45-6789']);
    expect(all.ssn.mask('123-45-6789')).toBe('***-**-6789');
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx', '912-12-3456'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['more digits', '1234-45-6789'],
    ['a longer dashed id', '123-45-6789-1'],
  ])('finds none with %s', (_name, text) => {
    expect(values('ssn', `id ${text} here`)).toEqual([]);
  });
});

describe('ip addresses', () => {
  it('finds IPv4 addresses, also at the end of a sentence', () => {
    expect(values('ipv4', 'from 192.168.1.10 and 8.8.8.8.')).toEqual(['192.168.1.10', '8.8.8.8']);
    expect(all.ipv4.mask('192.168.1.10')).toBe('192.*.*.*');
  });

  it.each(['999.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4.5'])('finds no IPv4 in %j', (text) => {
    expect(values('ipv4', `ip ${text} x`)).toEqual([]);
  });

  it.each(['2001:db8::8a2e:370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'fe80::1', '::ffff:192.0.2.1'])('finds IPv6 %s', (address) => {
    expect(values('ipv6', `host ${address} up`)).toEqual([address]);
  });

  it.each(['std::vector', 'Foo::bar', '12:30:45', '00:1a:2b:3c:4d:5e', 'a::b::c', '::1'])('finds no IPv6 in %j', (text) => {
    expect(values('ipv6', `see ${text} here`)).toEqual([]);
  });
});

describe('secrets', () => {
  it.each<[BuiltinRule, string]>([
    ['openai-key', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'],
    ['openai-key', 'sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD'],
    ['anthropic-key', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123-ABC'],
    ['aws-access-key', 'AKIAIOSFODNN7EXAMPLE'],
    ['github-token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['github-token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
    ['google-api-key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['slack-token', 'xoxb-1234567890-abcdefghij'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ])('%s finds %s', (rule, secret) => {
    expect(found(`key: ${secret} ok`)).toEqual([`${rule}:${secret}`]);
  });

  it('finds a whole private key block', () => {
    const block = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nqwerty==\n-----END RSA PRIVATE KEY-----';
    expect(found(`here:\n${block}\nthanks`)).toEqual([`private-key:${block}`]);
    expect(all['private-key'].mask(block)).toBe('-----BEGIN RSA PRIVATE KEY-----\n****\n-----END RSA PRIVATE KEY-----');
  });

  it('finds the start of a private key cut before its END line', () => {
    expect(values('private-key', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toEqual([
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    ]);
  });

  it('finds only the value of a high-entropy secret assignment', () => {
    expect(values('secret', 'password=Xk9#mQ2$vL7p and "api_key": "q8Zr2LmW9xTt"')).toEqual(['Xk9#mQ2$vL7p', 'q8Zr2LmW9xTt']);
  });

  it.each(['password=changeme', 'password=aaaaaaaaaaaa', 'token: <your-token-here>', 'api_key=${API_KEY}', 'max_tokens=1000'])('skips %j', (text) => {
    expect(values('secret', text)).toEqual([]);
  });

  it('keeps a key prefix and the last four characters when masking', () => {
    expect(all['openai-key'].mask('sk-proj-abcdefghijklmnopqrstuvwxyz012345')).toBe(`sk-${'*'.repeat(33)}2345`);
  });

  it('measures entropy in bits per character', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
  });
});

describe('findMatches', () => {
  it('lets the longer of two overlapping matches win', () => {
    // The email contains digits a phone rule could see; the card number contains an IPv4-looking run.
    expect(found('mail 0207946095@example.com')).toEqual(['email:0207946095@example.com']);
  });

  it('breaks a tie between equally long matches by rule order', () => {
    const secret = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123';
    expect(found(secret)).toEqual([`anthropic-key:${secret}`]);
  });

  it('returns matches in text order', () => {
    const text = 'b@example.com then 8.8.8.8 then a@example.com';
    expect(found(text)).toEqual(['email:b@example.com', 'ipv4:8.8.8.8', 'email:a@example.com']);
  });

  it('finds nothing in long unbroken runs (the scan time is measured in bench/pii-scan.ts)', () => {
    const text = `${'a'.repeat(200_000)}@${'1'.repeat(50_000)}${':'.repeat(5_000)}${'+1 '.repeat(5_000)}${'-'.repeat(5_000)}`;
    expect(found(text)).toEqual([]);
  });
});

describe('compileWordList', () => {
  it('matches whole words, case-insensitively by default, longest phrase first', () => {
    const regex = compileWordList(['Falcon', 'Project Falcon', 'a.b'], false)!;
    expect('the project   falcon and falcons and a.b, axb'.match(regex)).toEqual(['project   falcon', 'a.b']);
  });

  it('honours caseSensitive and Unicode word boundaries', () => {
    const regex = compileWordList(['Zoë'], true)!;
    expect('Zoë, zoë, Zoëlle'.match(regex)).toEqual(['Zoë']);
  });

  it('returns null for an empty list', () => {
    expect(compileWordList(['', '  '], false)).toBeNull();
  });
});
