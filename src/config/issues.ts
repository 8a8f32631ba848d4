/**
 * Readable configuration errors, shared by `createSluice` and every plugin factory: zod's issues
 * turned into `{ path, message }` with the option's full path (`cache().ttl`, `models.smart.targets[1]`),
 * what was expected and received, and a "did you mean" hint for a misspelt key. `zod/mini` ships no
 * messages, so they are written here once.
 * @module
 */
import type * as z from 'zod/mini';
import type { ConfigIssue } from '../core/errors.js';

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * The closest candidate to `word`, if one is close enough to be a likely typo.
 * @param word What was written.
 * @param candidates What it could have meant.
 * @example
 * nearest('opneai', ['openai', 'groq']); // 'openai'
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * A hint for an unknown name: `; did you mean "x"?`, else the list of known names (empty when none).
 * @param word What was written.
 * @param candidates The known names.
 */
export function suggest(word: string, candidates: readonly string[]): string {
  const best = nearest(word, candidates);
  if (best !== undefined) return `; did you mean "${best}"?`;
  return candidates.length === 0 ? '' : `; expected one of ${candidates.join(', ')}`;
}

/**
 * A dotted path under a root: `cache()` + `['rules', 0, 'mode']` → `cache().rules[0].mode`.
 * @param root The factory's name (`cache()`), or `''` for `createSluice`'s own options.
 * @param path zod's issue path.
 */
export function issuePath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
}

/**
 * The keys valid at a path of some options, read from their zod schema itself, so no list of keys is
 * kept by hand beside it.
 * @param schema The options' schema (objects, records, arrays and optionals are followed).
 * @param path A path into the options, as zod reports it.
 * @returns The object keys at that path, or `[]` where there is no object.
 */
export function schemaKeys(schema: z.ZodMiniType, path: readonly PropertyKey[]): readonly string[] {
  let def: SchemaDef | undefined = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = (): void => {
    while (def !== undefined && (def.type === 'optional' || def.type === 'nullable')) def = def.innerType?._zod.def;
  };
  for (const segment of path) {
    unwrap();
    if (def === undefined) return [];
    if (def.type === 'object') def = def.shape?.[String(segment)]?._zod.def;
    else if (def.type === 'record') def = def.valueType?._zod.def;
    else if (def.type === 'array') def = def.element?._zod.def;
    else return [];
  }
  unwrap();
  return def?.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}

/** How to word one set of options' issues. */
export interface IssueWording {
  /** The factory's name (`limits()`), or `''` for `createSluice`. */
  root: string;
  /** What the user passed, to say what was received. */
  input: unknown;
  /** The keys valid at a path, for "did you mean". */
  knownKeys: (path: readonly PropertyKey[]) => readonly string[];
  /** Renamed or commonly mistaken keys, pointing to the right name. */
  renamed?: Readonly<Record<string, string>>;
}

/**
 * Turns zod's issues into readable ones.
 * @param error zod's error.
 * @param wording The root, the input and the known keys.
 * @returns One issue per problem, an unknown key each on its own.
 * @example
 * const result = schema.safeParse(options);
 * if (!result.success) throw new SluiceConfigError(readableIssues(result.error, { root: 'cache()', input: options, knownKeys: () => KEYS }));
 */
export function readableIssues(error: z.core.$ZodError, wording: IssueWording): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issuePath(wording.root, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const renamed = wording.renamed?.[key];
          const hint = renamed === undefined ? suggest(key, wording.knownKeys(issue.path)) : `; did you mean "${renamed}"?`;
          issues.push({ path: issuePath(wording.root, [...issue.path, key]), message: `unknown key${hint}` });
        }
        break;
      case 'invalid_type':
        issues.push({ path, message: `expected ${issue.expected}, received ${describeType(valueAt(wording.input, issue.path))}` });
        break;
      case 'invalid_value':
        issues.push({ path, message: issue.message !== 'Invalid input' ? issue.message : `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}` });
        break;
      case 'too_small':
        issues.push({ path, message: `expected a value ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}` });
        break;
      case 'invalid_format':
        issues.push({ path, message: issue.format === 'url' ? 'Invalid url' : `invalid ${issue.format}` });
        break;
      default:
        issues.push({ path, message: issue.message === 'Invalid input' ? `invalid value (${issue.code})` : issue.message });
    }
  }
  return issues;
}
