import { describe, expect, it } from 'vitest';
import { loadProjectorConfig } from './projector.config';

describe('projector configuration', () => {
  it('names its consumers projector-<projection>-g<N> unless told another prefix', () => {
    expect(loadProjectorConfig({}).consumerPrefix).toBe('projector');
    expect(loadProjectorConfig({ PROJECTOR_CONSUMER_PREFIX: 'smoke-1' }).consumerPrefix).toBe('smoke-1');
  });

  it('refuses a prefix that cannot be part of a Kafka group name, naming the variable', () => {
    expect(() => loadProjectorConfig({ PROJECTOR_CONSUMER_PREFIX: 'a b' })).toThrow(/PROJECTOR_CONSUMER_PREFIX must be 1 to 60 letters/);
    expect(() => loadProjectorConfig({ PROJECTOR_CONSUMER_PREFIX: 'x'.repeat(61) })).toThrow(/PROJECTOR_CONSUMER_PREFIX/);
  });
});
