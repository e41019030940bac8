import { describe, expect, it } from 'vitest';
import { loadClusterConfig } from './cluster.config';

describe('ENGINE_WORKERS', () => {
  it('defaults to one worker per core in production and to one process elsewhere', () => {
    expect(loadClusterConfig({ NODE_ENV: 'production' }, 4).workers).toBe(4);
    expect(loadClusterConfig({ NODE_ENV: 'test' }, 4).workers).toBe(1);
    expect(loadClusterConfig({}, 4).workers).toBe(1);
    expect(loadClusterConfig({ NODE_ENV: 'production', ENGINE_WORKERS: '1' }, 4).workers).toBe(1);
    expect(loadClusterConfig({ ENGINE_WORKERS: ' 3 ' }, 4)).toEqual({ workers: 3, logLevel: 'info' });
  });

  it('refuses anything but an integer from 1 to 64, naming the variable', () => {
    for (const bad of ['0', '65', '1.5', 'two']) {
      expect(() => loadClusterConfig({ ENGINE_WORKERS: bad })).toThrow(`ENGINE_WORKERS must be an integer from 1 to 64, got "${bad}"`);
    }
  });
});
