/**
 * Reads the generation parameters of a request body in any SDK dialect (max tokens, temperature,
 * sampling, stop sequences, seed, choice count), for telemetry. Pure: no I/O.
 * @module
 */

/** The generation parameters a request set; a field is absent when the request did not set it. */
export interface GenerationParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
  seed?: number;
  choiceCount?: number;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function numberOf(source: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function stopsOf(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/**
 * Reads the generation parameters of a request.
 * @param dialect The SDK's dialect (`openai`, `anthropic`, `gemini`).
 * @param body The parsed request body.
 * @returns What the request set.
 * @example
 * generationParams('anthropic', { max_tokens: 64, temperature: 0.2 }); // { maxTokens: 64, temperature: 0.2 }
 */
export function generationParams(dialect: string, body: unknown): GenerationParams {
  const source = record(body);
  if (source === null) return {};
  // Gemini keeps them under generationConfig, in camelCase.
  const config = dialect === 'gemini' ? (record(source['generationConfig']) ?? record(source['generation_config']) ?? {}) : source;
  const params: GenerationParams = {};
  const set = <K extends keyof GenerationParams>(key: K, value: GenerationParams[K] | undefined): void => {
    if (value !== undefined) params[key] = value;
  };
  if (dialect === 'gemini') {
    set('maxTokens', numberOf(config, 'maxOutputTokens', 'max_output_tokens'));
    set('topP', numberOf(config, 'topP', 'top_p'));
    set('topK', numberOf(config, 'topK', 'top_k'));
    set('stopSequences', stopsOf(config['stopSequences'] ?? config['stop_sequences']));
    set('frequencyPenalty', numberOf(config, 'frequencyPenalty', 'frequency_penalty'));
    set('presencePenalty', numberOf(config, 'presencePenalty', 'presence_penalty'));
    set('choiceCount', numberOf(config, 'candidateCount', 'candidate_count'));
  } else {
    set('maxTokens', numberOf(config, 'max_completion_tokens', 'max_tokens', 'max_output_tokens'));
    set('topP', numberOf(config, 'top_p'));
    set('topK', numberOf(config, 'top_k'));
    set('stopSequences', stopsOf(config['stop_sequences'] ?? config['stop']));
    set('frequencyPenalty', numberOf(config, 'frequency_penalty'));
    set('presencePenalty', numberOf(config, 'presence_penalty'));
    set('choiceCount', numberOf(config, 'n'));
  }
  set('temperature', numberOf(config, 'temperature'));
  set('seed', numberOf(config, 'seed'));
  return params;
}
