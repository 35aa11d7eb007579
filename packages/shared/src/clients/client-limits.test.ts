import { describe, expect, it } from 'vitest';
import { describeLimits, parseBudget, parseLimitCount } from './client-limits.js';
import { budgetWindow, minuteWindow } from './limit-windows.js';

describe('client limits', () => {
  it('parses budgets with k and m suffixes, and refuses anything else clearly', () => {
    expect(parseBudget('1000000/day')).toEqual({ tokens: 1_000_000, per: 'day' });
    expect(parseBudget('5m/month')).toEqual({ tokens: 5_000_000, per: 'month' });
    expect(parseBudget(' 200K / Day ')).toEqual({ tokens: 200_000, per: 'day' });
    expect(() => parseBudget('100/week')).toThrow(/TOKENS\/day or TOKENS\/month/);
    expect(() => parseBudget('0/day')).toThrow(/got "0\/day"/);
    expect(parseLimitCount('--rpm', '60')).toBe(60);
    expect(() => parseLimitCount('--rpm', '1.5')).toThrow(/--rpm is a whole number above 0/);
  });

  it('describes limits in one line', () => {
    expect(describeLimits(undefined)).toBe('(none)');
    expect(describeLimits({ rpm: 60, budget: { tokens: 5, per: 'month' } })).toBe(
      'rpm 60, budget 5/month',
    );
  });

  it('numbers windows by UTC minute, day and month, each with its end', () => {
    const t = Date.UTC(2026, 11, 31, 23, 59, 59, 500);
    expect(minuteWindow(t).resetAt).toBe(Date.UTC(2027, 0, 1));
    expect(budgetWindow('day', t).resetAt).toBe(Date.UTC(2027, 0, 1));
    expect(budgetWindow('month', t).resetAt).toBe(Date.UTC(2027, 0, 1));
    expect(budgetWindow('month', t).id).not.toBe(budgetWindow('month', Date.UTC(2027, 0, 1)).id);
    expect(budgetWindow('month', t).id).toBe(budgetWindow('month', Date.UTC(2026, 11, 1)).id);
  });
});
