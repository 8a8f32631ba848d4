/**
 * The shape every driver exports: `flavours`, one per API surface of its SDK (e.g. Chat Completions
 * and Responses). Each method makes one call the way the SDK's documentation shows it.
 *
 * @typedef {object} Flavour
 * @property {string} name - how the API surface is named in the report, e.g. `chat.completions`
 * @property {string} model - a model id routed to the provider of the SDK's own dialect
 * @property {string | null} translated - a model id routed to a provider of another dialect, or null
 *   when Sluice does not translate this API surface
 * @property {number} stallAfter - stream events the mock sends before it stalls, enough for one piece of text
 * @property {(sluice: import('sluice').Sluice, mock: import('sluice/testing').MockProvider) => unknown} client -
 *   a client whose fetch is `sluice.fetch` and whose base URL is the mock, with retries off
 * @property {(client: any, model: string) => Promise<{ text: string, usage: { input: number, output: number } }>} text -
 *   a whole answer: its text and the usage the SDK reports
 * @property {(client: any, model: string, stopAfter: number) => Promise<{ text: string, pieces: number }>} stream -
 *   a streamed answer read piece by piece until its end, or until `stopAfter` pieces of text were read (then `break`)
 * @property {(client: any, model: string, streamed: boolean) => Promise<{ name: string, args: unknown }>} tool -
 *   the one tool call the model asks for, whole or streamed
 * @property {{ break?: GapOptions, 'mid-stream error'?: GapOptions }} [gaps] - known gaps of the SDK by test,
 *   as `node:test` options with the reason: `todo` still runs the test without failing the run, `skip`
 *   (for a test that would hang) does not run it
 * @property {(error: unknown) => boolean} isApiError - whether the error is the SDK's own API error class
 * @property {(error: unknown) => number | undefined} status - the HTTP status the SDK's error carries
 */
/** @typedef {{ todo: string } | { skip: string }} GapOptions */
export {};
