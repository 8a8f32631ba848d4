/** What the LangChain drivers share: chat models are called the same way whatever their provider. */

const WEATHER = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: WEATHER } }];

/**
 * The calls of a LangChain chat model; `client` returns a function from model id to chat model.
 * @returns {Pick<import('./types.mjs').Flavour, 'text' | 'stream' | 'tool'>}
 */
export function chatModelCalls() {
  return {
    async text(chat, model) {
      const message = await chat(model).invoke('Hi');
      return { text: message.content, usage: { input: message.usage_metadata?.input_tokens, output: message.usage_metadata?.output_tokens } };
    },
    async stream(chat, model, stopAfter) {
      // `break` ends LangChain's iterator, but ChatAnthropic keeps reading the response behind it
      // until the caller aborts the signal it passed: the documented way to stop a stream.
      const controller = new AbortController();
      let text = '';
      let pieces = 0;
      for await (const chunk of await chat(model).stream('Hi', { signal: controller.signal })) {
        if (typeof chunk.content !== 'string' || chunk.content === '') continue;
        text += chunk.content;
        if (++pieces >= stopAfter) break;
      }
      if (pieces >= stopAfter) controller.abort();
      return { text, pieces };
    },
    async tool(chat, model, streamed) {
      const bound = chat(model).bindTools(tools);
      let message;
      if (!streamed) message = await bound.invoke('Weather in Paris?');
      else for await (const chunk of await bound.stream('Weather in Paris?')) message = message === undefined ? chunk : message.concat(chunk);
      const call = message?.tool_calls?.[0];
      return { name: call?.name, args: call?.args };
    },
  };
}
