/**
 * Data residency: where each provider serves from, and which regions a call may go to. Loaded on
 * demand, by the router (every routed call) and by the compliance middleware (calls no router sees).
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { ResidencyConfig, ResolvedProvider, SluiceConfig } from '../config/types.js';
import type { CallContext } from './context.js';
import { SluiceError } from './errors.js';
import { readHeader } from './headers.js';
import { regionMatches } from '../wire/regions.js';

/** Bedrock inference-profile prefixes: a model id `eu.anthropic.…` is served anywhere in that geography. */
const BEDROCK_PROFILE = /^(global|us-gov|us|eu|apac|jp|au|ca)\./;

/**
 * Regions the catalog can tell from a provider's endpoint, for providers that document regional
 * endpoints (host pattern → region). Checked 2026-12: OpenAI's European data residency endpoint,
 * Alibaba Cloud Model Studio (international edition: Singapore; mainland edition: Beijing),
 * Volcengine Ark (cn-beijing), and hosts under `.cn`.
 */
const HOST_REGIONS: ReadonlyArray<readonly [RegExp, string | ((match: RegExpExecArray) => string)]> = [
  [/^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/, (match) => match[1]!],
  [/^([a-z0-9-]+)-aiplatform\.googleapis\.com$/, (match) => match[1]!],
  [/^aiplatform\.googleapis\.com$/, 'global'],
  [/^eu\.api\.openai\.com$/, 'eu'],
  [/^dashscope-intl\.aliyuncs\.com$/, 'ap-southeast-1'],
  [/^dashscope\.aliyuncs\.com$/, 'cn-beijing'],
  [/^ark\.([a-z0-9-]+)\.volces\.com$/, (match) => match[1]!],
  [/\.cn$/, 'cn'],
  [/^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$/, 'local'],
];

/**
 * The region a provider serves a model from: `providers.<name>.region` when given (for Bedrock, the AWS
 * region, narrowed or widened by an inference-profile prefix of the model: `eu.…` is `eu`,
 * `global.…` is `global`), the Vertex location, or a regional endpoint the catalog knows.
 * @param provider The provider, or `null` for the SDK's own URL.
 * @param model The model sent upstream.
 * @param given The configuration as the user gave it.
 * @returns The region, or `null` when unknown.
 */
export function regionOf(provider: ResolvedProvider | null, model: string | null, given: SluiceConfig | null): string | null {
  if (provider === null) return null;
  if (provider.kind === 'bedrock') {
    const profile = model === null ? null : BEDROCK_PROFILE.exec(model);
    if (profile !== null) return profile[1]!;
    if (provider.aws !== null) return provider.aws.region;
  }
  const configured = given?.providers?.[provider.name]?.region;
  if (configured !== undefined) return configured;
  if (provider.kind === 'vertex' && provider.vertex !== null) return provider.vertex.location;
  let host = '';
  try {
    host = new URL(provider.baseURL).hostname;
  } catch {
    return null;
  }
  for (const [pattern, region] of HOST_REGIONS) {
    const match = pattern.exec(host);
    if (match !== null) return typeof region === 'string' ? region : region(match);
  }
  return null;
}

/** One list of allowed regions that applies to a call, and where it comes from. */
interface AppliedList {
  allow: readonly string[];
  /** `residency.allow` or `residency.rules[i]`. */
  source: string;
}

/** The residency policy for one call: every list that applies; a region must be in all of them. */
export class CallResidency {
  readonly #lists: readonly AppliedList[];

  constructor(lists: readonly AppliedList[]) {
    this.#lists = lists;
  }

  /**
   * Whether a region is allowed: in every list, by its exact name or its geography. An unknown region
   * is never allowed.
   * @param region The target's region, or `null`.
   */
  allows(region: string | null): boolean {
    return region !== null && this.#lists.every(({ allow }) => regionMatches(region, allow));
  }

  /** The policy in words, for errors: `residency.allow [eu]`. */
  describe(): string {
    return this.#lists.map(({ allow, source }) => `${source} [${allow.join(', ')}]`).join(' and ');
  }

  /**
   * The 403 a call gets when no allowed target is left.
   * @param detail What was skipped or failed.
   */
  refusal(detail: string): SluiceError {
    return new SluiceError('sluice_residency_denied', `data residency policy (${this.describe()}) leaves no target for this call: ${detail}`, { status: 403 });
  }
}

function listOf(value: string | string[] | undefined): readonly string[] | null {
  return value === undefined ? null : typeof value === 'string' ? [value] : value;
}

/** A compiled residency configuration. */
export class Residency {
  readonly #config: ResidencyConfig;

  constructor(config: ResidencyConfig) {
    this.#config = config;
  }

  /**
   * The lists that apply to a call: the global `allow` and every rule whose `when` matches.
   * @param ctx The call.
   * @returns The call's policy, or `null` when nothing restricts it.
   */
  forCall(ctx: CallContext): CallResidency | null {
    const lists: AppliedList[] = [];
    if (this.#config.allow !== undefined) lists.push({ allow: this.#config.allow, source: 'residency.allow' });
    (this.#config.rules ?? []).forEach((rule, index) => {
      if (matches(rule.when, ctx)) lists.push({ allow: rule.allow, source: `residency.rules[${index}]` });
    });
    return lists.length === 0 ? null : new CallResidency(lists);
  }
}

function matches(when: NonNullable<ResidencyConfig['rules']>[number]['when'], ctx: CallContext): boolean {
  const users = listOf(when.user);
  if (users !== null && (ctx.user === null || !users.includes(ctx.user))) return false;
  if (when.tag !== undefined && !ctx.tags.includes(when.tag)) return false;
  const models = listOf(when.model);
  const model = ctx.requestedModel;
  if (models !== null && (model === null || !models.includes(model))) return false;
  if (when.modelPrefix !== undefined && (model === null || !model.startsWith(when.modelPrefix))) return false;
  for (const [name, value] of Object.entries(when.header ?? {})) {
    const actual = ctx.hasHeaderCopy ? ctx.headers.get(name) : readHeader(ctx.init.headers, name);
    if (actual !== value) return false;
  }
  return true;
}

/**
 * The residency of an instance, or `null` without `residency`.
 * @param config The resolved configuration.
 */
export function residencyOf(config: Pick<ResolvedConfig, 'compliance'>): Residency | null {
  const given = config.compliance?.residency;
  return given === undefined ? null : new Residency(given);
}
