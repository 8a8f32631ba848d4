import { describe, expect, it } from 'vitest';
import { lazyRequire } from '../../tsup.config.js';

type RenderChunk = NonNullable<typeof lazyRequire.renderChunk>;

async function render(code: string, path = '/repo/dist/chunk-A.cjs'): Promise<string | undefined> {
  const result = await lazyRequire.renderChunk?.call({ format: 'cjs' } as ThisParameterType<RenderChunk>, code, { type: 'chunk', code, path });
  return result ? result.code : undefined;
}

describe('the CommonJS build lowers import() to a deferred require', () => {
  it('rewrites each dynamic import of a chunk, quotes and folders alike, and keeps the lines', async () => {
    const code = [
      'const codec = () => import("./codec-5BUFARPA.cjs").then((module) => module.anthropicClient);',
      "const framing = import('../framing-FH3FNSJJ.cjs');",
      'const label = "not an import";',
    ].join('\n');
    const lowered = await render(code);
    expect(lowered).toBe(
      [
        'const codec = () => Promise.resolve().then(() => require("./codec-5BUFARPA.cjs")).then((module) => module.anthropicClient);',
        'const framing = Promise.resolve().then(() => require("../framing-FH3FNSJJ.cjs"));',
        'const label = "not an import";',
      ].join('\n'),
    );
  });

  it('fails the build on a dynamic import it cannot lower', async () => {
    await expect(render('const load = (name) => import(name);')).rejects.toThrow(/chunk-A\.cjs: a dynamic import the CommonJS build cannot lower: import\(name\)/);
    await expect(render('const pg = import("pg");')).rejects.toThrow(/import\("pg"\)/);
  });

  it('leaves files other than scripts alone', async () => {
    expect(await render('import("./x.cjs")', '/repo/dist/index.d.cts')).toBeUndefined();
  });
});
