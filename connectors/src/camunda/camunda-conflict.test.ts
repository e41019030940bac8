import { describe, expect, it } from 'vitest';
import { isOptimisticLockingConflict, retryOnConflict } from './camunda-conflict';

// The shape camunda-external-task-client-js gives an engine error (EngineError: type from the body).
const conflict = () => Object.assign(new Error('Response code 500 (Server Error); Error: ENGINE-03005 Execution of UPDATE ExecutionEntity failed; Type: OptimisticLockingException'), { type: 'OptimisticLockingException' });

describe('a Camunda command that lost an optimistic-locking race', () => {
  it('is told from other failures by its type or message', () => {
    expect(isOptimisticLockingConflict(conflict())).toBe(true);
    expect(isOptimisticLockingConflict(new Error('... Type: OptimisticLockingException; Code: 0'))).toBe(true);
    expect(isOptimisticLockingConflict(Object.assign(new Error('Response code 404'), { type: 'NotFoundException' }))).toBe(false);
    expect(isOptimisticLockingConflict(undefined)).toBe(false);
  });

  it('runs again while it conflicts, and answers what the run that got through answered', async () => {
    let runs = 0;
    const result = await retryOnConflict(async () => {
      runs += 1;
      if (runs < 3) throw conflict();
      return 'completed';
    }, 4, () => 1);
    expect([result, runs]).toEqual(['completed', 3]);
  });

  it('gives up after its attempts, and never repeats another failure', async () => {
    let runs = 0;
    await expect(retryOnConflict(async () => { runs += 1; throw conflict(); }, 3, () => 1)).rejects.toThrow(/OptimisticLockingException/);
    expect(runs).toBe(3);
    runs = 0;
    await expect(retryOnConflict(async () => { runs += 1; throw new Error('Response code 404'); }, 3, () => 1)).rejects.toThrow(/404/);
    expect(runs).toBe(1);
  });
});
