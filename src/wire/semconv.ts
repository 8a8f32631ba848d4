/**
 * The OpenTelemetry GenAI semantic conventions as Sluice applies them, as plain data: the version,
 * metric buckets, and the conventions' names for Sluice's providers and operations. Follows semantic
 * conventions 1.41.0, the last release that held the GenAI conventions before they moved to their own
 * repository (`model/gen-ai/registry.yaml` and `metrics.yaml` there). Pure: no I/O.
 * @module
 */

/** The version of the semantic conventions the spans and metrics follow. */
export const SEMCONV_VERSION = '1.41.0';
/** The schema URL set on the tracer and meter. */
export const SEMCONV_SCHEMA_URL = `https://opentelemetry.io/schemas/${SEMCONV_VERSION}`;

/** `gen_ai.client.token.usage` buckets, from the conventions. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** `gen_ai.client.operation.duration` and time-to-first-chunk buckets (seconds), from the conventions. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** `gen_ai.provider.name` per Sluice provider kind (the conventions' well-known values). */
export const PROVIDER_BY_KIND: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  azure: 'azure.ai.openai',
  ollama: 'ollama',
};

/** Catalog providers of kind `openai` that the conventions name. */
export const PROVIDER_BY_NAME: Readonly<Record<string, string>> = {
  deepseek: 'deepseek',
  groq: 'groq',
  mistral: 'mistral_ai',
  perplexity: 'perplexity',
  xai: 'x_ai',
  cohere: 'cohere',
};

/** For zero-config calls: the provider behind the SDK's own host. */
export const PROVIDER_BY_HOST: Readonly<Record<string, string>> = {
  'api.openai.com': 'openai',
  'api.anthropic.com': 'anthropic',
  'generativelanguage.googleapis.com': 'gcp.gemini',
  'api.deepseek.com': 'deepseek',
  'api.groq.com': 'groq',
  'api.mistral.ai': 'mistral_ai',
  'api.perplexity.ai': 'perplexity',
  'api.x.ai': 'x_ai',
};

export const PROVIDER_BY_DIALECT: Readonly<Record<string, string>> = { openai: 'openai', anthropic: 'anthropic', gemini: 'gcp.gemini' };

/**
 * `gen_ai.provider.name` for a configured provider.
 * @param name The provider's name in the config (or catalog).
 * @param kind Its kind, when known.
 * @returns The conventions' well-known value, or the provider's own name.
 */
export function semconvProvider(name: string, kind: string | null): string {
  const known = PROVIDER_BY_NAME[name];
  if (known !== undefined) return known;
  if (kind === null) return PROVIDER_BY_KIND[name] ?? name;
  // An OpenAI-compatible provider other than OpenAI itself is named by its own name.
  return kind === 'openai' && name !== 'openai' ? name : (PROVIDER_BY_KIND[kind] ?? kind);
}

/**
 * `gen_ai.operation.name` for a call.
 * @param dialect The SDK's dialect.
 * @param operation Sluice's operation.
 * @returns `chat`, `generate_content` (Gemini), `embeddings`, or the operation's own name.
 */
export function semconvOperation(dialect: string, operation: string): string {
  if (operation === 'chat') return dialect === 'gemini' ? 'generate_content' : 'chat';
  if (operation === 'mcp.tools/call') return 'execute_tool';
  if (operation === 'responses') return 'chat';
  return operation;
}

/** What an MCP request's record says, for its span (the shape of `record.mcp`). */
export interface McpSpanSource {
  server: string;
  method: string;
  target: string | null;
  requestId: string | number;
  sessionId: string | null;
}

/**
 * The span name of an MCP request: `execute_tool {tool}` for `tools/call` (the GenAI conventions'
 * `execute_tool` operation), `{method} {target}` otherwise, as the MCP conventions name client spans.
 * @param source The record's `mcp` field.
 */
export function mcpSpanName(source: McpSpanSource): string {
  if (source.method === 'tools/call') return `execute_tool ${source.target ?? ''}`.trimEnd();
  return source.target === null ? source.method : `${source.method} ${source.target}`;
}

/**
 * The attributes of an MCP request's span: `gen_ai.operation.name` (`execute_tool`),
 * `gen_ai.tool.name` and `gen_ai.tool.call.id` for a tool call; `mcp.method.name`,
 * `mcp.session.id`, `jsonrpc.request.id`, `mcp.resource.uri`, `gen_ai.prompt.name` from the MCP
 * conventions; `sluice.mcp.server` for the configured server's name.
 * @param source The record's `mcp` field.
 * @returns Attribute pairs, in a stable order.
 */
export function mcpSpanAttributes(source: McpSpanSource): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const id = String(source.requestId);
  if (source.method === 'tools/call') {
    out.push(['gen_ai.operation.name', 'execute_tool']);
    if (source.target !== null) out.push(['gen_ai.tool.name', source.target]);
    out.push(['gen_ai.tool.call.id', id]);
  }
  out.push(['mcp.method.name', source.method], ['jsonrpc.request.id', id]);
  if (source.method === 'resources/read' && source.target !== null) out.push(['mcp.resource.uri', source.target]);
  if (source.method === 'prompts/get' && source.target !== null) out.push(['gen_ai.prompt.name', source.target]);
  if (source.sessionId !== null) out.push(['mcp.session.id', source.sessionId]);
  out.push(['sluice.mcp.server', source.server]);
  return out;
}
