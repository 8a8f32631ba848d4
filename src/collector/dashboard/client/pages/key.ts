/**
 * The read-key prompt, shown when the collector asks for a key or refuses the one given.
 * @module
 */
import { storeKey, type AuthError } from '../api.js';
import { h } from '../dom.js';

/**
 * Builds the prompt.
 * @param error Why it is shown.
 * @param onKey Called with the new key once stored.
 */
export function keyPrompt(error: AuthError, onKey: () => void): HTMLElement {
  const input = h('input', { id: 'read-key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'read-key-help' });
  const form = h(
    'form',
    {
      class: 'card key-prompt',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        storeKey(key);
        onKey();
      },
    },
    h('h2', undefined, 'Read key'),
    h('p', { id: 'read-key-help' }, 'This collector needs one of its read keys. The key is kept in this tab only and sent in a header, never in a URL.'),
    error.hadKey ? h('p', { class: 'alert', role: 'alert' }, `The collector refused this key (${error.status}). Check it and try again.`) : null,
    h('label', { for: 'read-key' }, 'Key'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit', class: 'primary' }, 'Open dashboard')),
  );
  queueMicrotask(() => input.focus());
  return form;
}
