/**
 * The dashboard's entry: routes the location hash to a page, aborting the previous page's requests, and
 * shows the key prompt whenever the collector asks for a key.
 * @module
 */
import { ApiError, AuthError, readKey, storeKey } from './api.js';
import { h, replace, type Child } from './dom.js';
import { keyPrompt } from './pages/key.js';
import { logPage } from './pages/log.js';
import { overviewPage } from './pages/overview.js';
import { recordPage } from './pages/record.js';
import { sessionPage } from './pages/session.js';
import { tailPage } from './pages/tail.js';
import { parseRoute, type Page } from './query.js';
import type { PageContext } from './views.js';

const main = document.getElementById('main');
const forget = document.getElementById('forget-key');
let current: AbortController | null = null;

function showAuth(error: AuthError): void {
  current?.abort();
  if (error.hadKey) storeKey(null);
  if (forget) forget.hidden = true;
  if (main) replace(main, keyPrompt(error, () => void render()));
}

const PAGES: Readonly<Record<Page, (context: PageContext) => Promise<void>>> = {
  overview: overviewPage,
  log: logPage,
  record: recordPage,
  session: sessionPage,
  tail: (context) => tailPage(context, showAuth),
};

async function render(): Promise<void> {
  if (!main) return;
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const route = parseRoute(location.hash);
  const section = route.page === 'record' || route.page === 'session' ? 'log' : route.page;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    if (link.dataset.page === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (forget) forget.hidden = readKey() === null;
  main.setAttribute('aria-busy', 'true');
  const show = (...children: Child[]): void => {
    if (controller.signal.aborted) return;
    replace(main, ...children);
    main.setAttribute('aria-busy', 'false');
  };
  try {
    await PAGES[route.page]({ route, signal: controller.signal, show });
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof AuthError) return showAuth(error);
    const message = error instanceof ApiError ? error.message : 'something went wrong drawing this page';
    show(h('div', { class: 'card alert', role: 'alert' }, h('strong', undefined, 'Could not load this page'), ': ', message, error instanceof ApiError && error.status ? ` (${error.status})` : ''));
  }
}

forget?.addEventListener('click', () => {
  storeKey(null);
  void render();
});
window.addEventListener('hashchange', () => void render());
void render();
