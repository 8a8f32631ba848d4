/**
 * Links middleware into one chain, once, at construction: `next` takes the context, so a call
 * allocates no closures. The first middleware is the outermost.
 * @module
 */
import type { Middleware, Next } from './types.js';

/**
 * Composes middleware around a terminal step.
 * @param middleware Outermost first.
 * @param terminal The innermost step (dispatch).
 * @returns The chain's entry; with no middleware, the terminal itself.
 * @example
 * const chain = compose([logTiming, addTag], dispatch);
 * const response = await chain(ctx);
 */
export function compose(middleware: readonly Middleware[], terminal: Next): Next {
  let next = terminal;
  for (let index = middleware.length - 1; index >= 0; index--) {
    const layer = middleware[index]!;
    const inner = next;
    next = (ctx) => layer(ctx, inner);
  }
  return next;
}
