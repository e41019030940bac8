import { describe, expect, it } from 'vitest';
import { untilText } from './due-time';
import { codeOf, explain } from './quote-problems';

describe('what an engine refusal means for the rep or the approver', () => {
  it.each([
    ['price-stale', 'Price it again'],
    ['approval-stale', 'fresh submission and approval'],
    ['quote-expired', 'Revise it'],
    ['document-stale', 'Generate the document again'],
    ['four-eyes-violation', 'Four-eyes'],
    ['approval-authority', 'do not include the one this approval level needs'],
    ['work-item-claimed', 'Another approver has claimed'],
  ])('%s is explained', (code, words) => {
    expect(explain({ title: 't', status: 409, code })).toContain(words);
  });

  it('reads the code from the problem type when the body has no code, and says nothing of an unknown one', () => {
    expect(codeOf({ title: 't', status: 409, type: 'https://cpq.example/problems/document-stale' })).toBe('document-stale');
    expect(explain({ title: 't', status: 500, code: 'internal' })).toBeUndefined();
  });
});

describe('an SLA countdown', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it.each([
    ['2026-12-05T12:00:00Z', 'due in 2 d 0 h', false],
    ['2026-12-03T15:30:00Z', 'due in 3 h 30 min', false],
    ['2026-12-03T12:20:00Z', 'due in 20 min', false],
    ['2026-12-03T10:00:00Z', 'overdue by 2 h 0 min', true],
  ])('%s from noon is "%s"', (dueAt, text, overdue) => {
    expect(untilText(dueAt, now)).toEqual({ text, overdue });
  });
});
