/**
 * `npm run prices:sync`: regenerates src/wire/prices/genai-snapshot.ts from the pinned
 * @pydantic/genai-prices devDependency, through `fromGenaiPrices` (the same converter users get).
 * The snapshot is the catalog's last resort for a provider: the curated tables beside it win.
 * test/prices/coverage.test.ts fails when the snapshot and the installed package disagree.
 */
import { writeFileSync } from 'node:fs';
import { renderSnapshot } from './snapshot.js';

const target = new URL('../../src/wire/prices/genai-snapshot.ts', import.meta.url);
writeFileSync(target, renderSnapshot());
console.log(`wrote ${target.pathname}`);
