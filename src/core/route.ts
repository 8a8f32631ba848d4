/**
 * Resolves the model a call asks for to a target: an alias, `provider/model`, or the URL the SDK chose.
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { CallContext, Target } from './context.js';
import { SluiceError } from './errors.js';

/**
 * Resolves `ctx.requestedModel`.
 * @param config The resolved configuration.
 * @param ctx The call.
 * @returns The target.
 * @throws {SluiceError} `sluice_unknown_model` (404) when the model cannot be resolved, or (400) when a
 *   model call names none, and `unknownModel` is `'reject'`.
 */
export function resolveTarget(config: ResolvedConfig, ctx: CallContext): Target {
  const model = ctx.operation === 'models' ? ctx.modelId : ctx.requestedModel;
  if (model === null) {
    if (ctx.operation !== 'models' && config.unknownModel === 'reject') {
      // A body without a string `model` must not slip past 'reject' to the SDK's URL and credentials.
      throw new SluiceError('sluice_unknown_model', "the request names no model (a string 'model' field is required when unknownModel is 'reject')", { status: 400 });
    }
    // No model named (e.g. GET /models): the call goes where the SDK sent it.
    return { provider: null, model: null };
  }
  if (config.routing) {
    const alias = config.aliases.get(model);
    if (alias !== undefined) return { provider: alias.provider, model: alias.model };
    // Normally the router middleware has set the target already; without it, a router's first target serves.
    const first = config.routers.get(model)?.targets[0];
    if (first !== undefined) return { provider: first.provider, model: first.model };
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = config.providers.get(model.slice(0, slash));
      if (provider !== undefined) return { provider, model: model.slice(slash + 1) };
    }
  }
  if (config.unknownModel === 'forward') return { provider: null, model };
  const aliases = [...config.aliases.keys(), ...config.routers.keys()];
  const configured = aliases.length === 0 ? 'no aliases are configured' : `configured aliases: ${aliases.join(', ')}`;
  const slash = model.indexOf('/');
  const message =
    slash > 0
      ? `model '${model}' names unknown provider '${model.slice(0, slash)}'; providers: ${[...config.providers.keys()].join(', ')}`
      : `model '${model}' is not configured; ${configured}; or use 'provider/model'`;
  throw new SluiceError('sluice_unknown_model', message, { status: 404 });
}
