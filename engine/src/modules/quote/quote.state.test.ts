import { describe, expect, it } from 'vitest';
import { allowed, nextState, REVISION_STATES, TRANSITIONS, type QuoteCommand } from './quote.state';

describe('quote revision transitions', () => {
  it('nothing leaves accepted, withdrawn or superseded', () => {
    for (const command of Object.keys(TRANSITIONS) as QuoteCommand[]) {
      for (const terminal of ['accepted', 'withdrawn', 'superseded'] as const) expect(allowed(command, terminal)).toBe(false);
    }
  });

  it('a submitted revision cannot be changed materially, only decided, revised or withdrawn', () => {
    const open = (Object.keys(TRANSITIONS) as QuoteCommand[]).filter((c) => allowed(c, 'submitted'));
    expect(open.sort()).toEqual(['approve', 'expire', 'reject', 'revise', 'withdraw']);
  });

  it('acceptance only from approved; pricing only before submission', () => {
    expect(REVISION_STATES.filter((s) => allowed('accept', s))).toEqual(['approved']);
    expect(REVISION_STATES.filter((s) => allowed('price', s))).toEqual(['draft', 'priced']);
    expect(nextState('configure-line', 'priced')).toBe('draft');
    expect(nextState('approve', 'submitted')).toBe('submitted');
  });
});
