import { describe, expectTypeOf, it } from 'vitest';
import type { CompatConfig, SluiceConfig } from '../../src/index.js';
import { heliconeExporter, type Exporter, type HeliconeAsyncLog } from '../../src/exporters/index.js';
import { fromHeliconeConfig, type HeliconeImport } from '../../src/helicone/index.js';

describe('Helicone public types', () => {
  it('compat.helicone is an optional boolean of the config', () => {
    expectTypeOf<SluiceConfig['compat']>().toEqualTypeOf<CompatConfig | undefined>();
    expectTypeOf<CompatConfig['helicone']>().toEqualTypeOf<boolean | undefined>();
  });

  it('fromHeliconeConfig returns a config createSluice takes, and warnings', () => {
    expectTypeOf(fromHeliconeConfig).returns.toEqualTypeOf<HeliconeImport>();
    expectTypeOf<HeliconeImport['config']>().toEqualTypeOf<SluiceConfig>();
    expectTypeOf<HeliconeImport['warnings']>().toEqualTypeOf<string[]>();
  });

  it('heliconeExporter is an Exporter and logs in Helicone\'s shape', () => {
    expectTypeOf(heliconeExporter).returns.toEqualTypeOf<Exporter>();
    expectTypeOf<HeliconeAsyncLog['providerResponse']['status']>().toEqualTypeOf<number>();
    // Never called: only its type is checked.
    const missingKey = (): unknown =>
      // @ts-expect-error the API key is required
      heliconeExporter({});
    expectTypeOf(missingKey).toBeFunction();
  });
});
