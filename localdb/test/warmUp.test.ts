import { describe, expect, it } from 'vitest';
import { warmUp } from '../src/worker/warmUp.js';

describe('warmUp', () => {
  it('runs its whole command mix without an error reply, and stops at maxRounds', async () => {
    const result = await warmUp({ budgetMs: 60_000, maxRounds: 2 });
    expect(result.rounds).toBe(2);
    expect(result.failed).toBe(0);
  });

  it('runs one round only once its budget is spent', async () => {
    const result = await warmUp({ budgetMs: 0 });
    expect(result.rounds).toBe(1);
    expect(result.failed).toBe(0);
  });
});
