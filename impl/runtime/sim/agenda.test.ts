import { describe, expect, it } from 'vitest';
import { Agenda } from './agenda.js';

describe('agenda', () => {
  it('orders an entry removed and put again by its new due time, not its old one', () => {
    const agenda = new Agenda<{ id: string; dueAtMs: number }>(() => 0);
    agenda.put({ id: 'timer', dueAtMs: 1 });
    agenda.put({ id: 'other', dueAtMs: 5 });
    // The timer fires (is taken), and its stage re-arms it under the same name.
    expect(agenda.peek()?.id).toBe('timer');
    agenda.remove('timer');
    agenda.put({ id: 'timer', dueAtMs: 500 });
    expect(agenda.peek()).toEqual({ id: 'other', dueAtMs: 5 });
    agenda.remove('other');
    expect(agenda.peek()).toEqual({ id: 'timer', dueAtMs: 500 });
  });
});
