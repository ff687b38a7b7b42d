import { describe, expect, it } from 'vitest';
import { Inbox } from './inbox.js';

describe('Inbox', () => {
  it('runs actions in ticket order whatever order the bodies finish in', () => {
    const inbox = new Inbox();
    const ran: number[] = [];
    const tickets = [inbox.take(), inbox.take(), inbox.take(), inbox.take()];
    for (const ticket of [2, 0, 3, 1])
      inbox.finish(tickets[ticket] as number, () => ran.push(ticket));
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(inbox.waiting).toBe(0);
  });

  it('holds a finished frame while an earlier one is still being read', () => {
    const inbox = new Inbox();
    const ran: string[] = [];
    const first = inbox.take();
    inbox.finish(inbox.take(), () => ran.push('second'));
    expect(ran).toEqual([]);
    expect(inbox.waiting).toBe(1);
    inbox.finish(first, () => ran.push('first'));
    expect(ran).toEqual(['first', 'second']);
  });
});
