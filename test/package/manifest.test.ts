import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What the packed tarball promises (its behaviour is proved on the tarball itself by .ci/pack/smoke.sh).
interface Conditions {
  readonly import: { readonly types: string; readonly default: string };
  readonly require: { readonly types: string; readonly default: string };
}
interface Manifest {
  readonly license: string;
  readonly types: string;
  readonly scripts: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, Conditions | string>>;
  readonly typesVersions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as Manifest;

describe('package.json', () => {
  it('maps every subpath export in typesVersions, for moduleResolution "node" (node10), which ignores exports', () => {
    const subpaths = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
      subpath === '.' || typeof target === 'string' ? [] : [[subpath.slice(2), [target.import.types]] as const],
    );
    expect(subpaths.length).toBeGreaterThan(5);
    expect(manifest.typesVersions).toEqual({ '*': Object.fromEntries(subpaths) });
    expect(manifest.types).toBe((manifest.exports['.'] as Conditions).import.types);
  });

  it('builds dist/ before packing, so a tarball packed from a clone is whole', () => {
    expect(manifest.scripts['prepack']).toBe('npm run build');
  });

  it('ships the MIT licence it declares', () => {
    expect(manifest.license).toBe('MIT');
    expect(existsSync(new URL('LICENSE', root))).toBe(true);
    const text = readFileSync(new URL('LICENSE', root), 'utf8');
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the Sluice authors\n/);
  });
});
