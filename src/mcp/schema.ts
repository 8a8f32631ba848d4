/**
 * A small JSON Schema validator for tool arguments: the subset MCP servers declare in practice
 * (`type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`, `minimum`,
 * `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `minItems`,
 * `maxItems`, `pattern`, `anyOf`, `oneOf`, `allOf`, `not`). Keywords it does not know (`$ref`,
 * `format`, `if`...) accept anything: a schema feature it cannot judge never refuses a call. Pure.
 * @module
 */

/** At most this many problems are reported. */
const MAX_PROBLEMS = 5;
/** Nesting deeper than this is not checked (a hostile schema cannot make the check run away). */
const MAX_DEPTH = 32;

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Compiled `pattern`s, bounded: schemas come from servers. */
const patterns = new Map<string, RegExp | null>();
const MAX_PATTERNS = 256;

function patternOf(source: string): RegExp | null {
  let regex = patterns.get(source);
  if (regex === undefined) {
    try {
      regex = new RegExp(source, 'u');
    } catch {
      regex = null;
    }
    if (patterns.size >= MAX_PATTERNS) patterns.delete(patterns.keys().next().value!);
    patterns.set(source, regex);
  }
  return regex;
}

function check(value: unknown, schema: unknown, path: string, problems: string[], depth: number): void {
  if (problems.length >= MAX_PROBLEMS || depth > MAX_DEPTH || !isObject(schema)) {
    if (schema === false) problems.push(`${path || '/'}: not allowed`);
    return;
  }
  const s: Schema = schema;
  const at = path || '/';
  const type = s['type'];
  if (typeof type === 'string' || Array.isArray(type)) {
    const types = (typeof type === 'string' ? [type] : type).filter((entry): entry is string => typeof entry === 'string');
    if (types.length > 0 && !types.some((entry) => matchesType(value, entry))) {
      problems.push(`${at}: expected ${types.join(' or ')}, received ${typeOf(value)}`);
      return;
    }
  }
  if (Array.isArray(s['enum']) && !s['enum'].some((entry) => equal(entry, value))) {
    problems.push(`${at}: expected one of ${s['enum'].map((entry) => JSON.stringify(entry)).join(', ')}`);
  }
  if ('const' in s && !equal(s['const'], value)) problems.push(`${at}: expected ${JSON.stringify(s['const'])}`);
  if (typeof value === 'number') {
    const bound = (key: string, fails: (limit: number) => boolean, words: string): void => {
      const limit = s[key];
      if (typeof limit === 'number' && fails(limit)) problems.push(`${at}: expected a number ${words} ${limit}`);
    };
    bound('minimum', (limit) => value < limit, '>=');
    bound('maximum', (limit) => value > limit, '<=');
    bound('exclusiveMinimum', (limit) => value <= limit, '>');
    bound('exclusiveMaximum', (limit) => value >= limit, '<');
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s['minLength'] === 'number' && length < s['minLength']) problems.push(`${at}: expected at least ${s['minLength']} characters`);
    if (typeof s['maxLength'] === 'number' && length > s['maxLength']) problems.push(`${at}: expected at most ${s['maxLength']} characters`);
    if (typeof s['pattern'] === 'string') {
      const regex = patternOf(s['pattern']);
      if (regex !== null && !regex.test(value)) problems.push(`${at}: does not match the pattern ${s['pattern']}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof s['minItems'] === 'number' && value.length < s['minItems']) problems.push(`${at}: expected at least ${s['minItems']} items`);
    if (typeof s['maxItems'] === 'number' && value.length > s['maxItems']) problems.push(`${at}: expected at most ${s['maxItems']} items`);
    if (isObject(s['items'])) value.forEach((item, index) => check(item, s['items'], `${path}/${index}`, problems, depth + 1));
  }
  if (isObject(value)) {
    const properties = isObject(s['properties']) ? s['properties'] : {};
    if (Array.isArray(s['required'])) {
      for (const name of s['required']) if (typeof name === 'string' && !(name in value)) problems.push(`${path}/${name}: required`);
    }
    for (const [name, item] of Object.entries(value)) {
      if (name in properties) check(item, properties[name], `${path}/${name}`, problems, depth + 1);
      else if (s['additionalProperties'] === false) problems.push(`${path}/${name}: not allowed (additionalProperties is false)`);
      else if (isObject(s['additionalProperties'])) check(item, s['additionalProperties'], `${path}/${name}`, problems, depth + 1);
    }
  }
  const count = (list: unknown): number => (Array.isArray(list) ? list.filter((entry) => validate(value, entry, depth + 1).length === 0).length : -1);
  if (Array.isArray(s['allOf'])) for (const entry of s['allOf']) check(value, entry, path, problems, depth + 1);
  if (Array.isArray(s['anyOf']) && count(s['anyOf']) === 0) problems.push(`${at}: matches none of anyOf`);
  if (Array.isArray(s['oneOf']) && count(s['oneOf']) !== 1) problems.push(`${at}: must match exactly one of oneOf`);
  if (isObject(s['not']) && validate(value, s['not'], depth + 1).length === 0) problems.push(`${at}: matches a schema it must not (not)`);
}

/**
 * Checks a value against a JSON Schema (the subset in the module's description).
 * @param value The tool's arguments.
 * @param schema The tool's declared `inputSchema`.
 * @param depth Nesting already walked (internal).
 * @returns Up to five problems, each `/path: what is wrong`; empty when the value is valid.
 * @example
 * validate({ q: 1 }, { type: 'object', properties: { q: { type: 'string' } } }); // ['/q: expected string, received integer']
 */
export function validate(value: unknown, schema: unknown, depth = 0): string[] {
  const problems: string[] = [];
  check(value, schema, '', problems, depth);
  return problems;
}
