/**
 * The live `epoch-fencing` judge, on records as a server's process sends them: its replies
 * (the epochs it installed) and its admissions, in order.
 */
import { describe, expect, it } from 'vitest';
import type { AppliedEvent } from '../../spec/types/observation.js';
import { FencingJudge } from './fencing.js';

const LINK = 'replicaset->scheduler';
const admit = (epoch: string, admitted = true): AppliedEvent => ({
  kind: 'admit',
  link: LINK,
  message: 'scheduler.schedulePods',
  epoch,
  serverEpochAtAdmission: epoch,
  admitted,
  entries: [],
});

describe('the live epoch-fencing judge', () => {
  it('passes an admission under the epoch the server last installed', () => {
    const judge = new FencingJudge();
    judge.reply(LINK, 'replicaset#1.1', 1);
    judge.applied('scheduler', admit('replicaset#1.1'), 1);
    judge.applied('scheduler', admit('replicaset#1.0', false), 1);
    expect(judge.violations).toEqual([]);
    expect(judge.admissions).toBe(1);
  });

  it('fails an admission under an older epoch, or before the restarted server replied', () => {
    const judge = new FencingJudge();
    judge.reply(LINK, 'replicaset#1.1', 1);
    judge.reply(LINK, 'replicaset#1.2', 1);
    judge.applied('scheduler', admit('replicaset#1.1'), 1);
    judge.applied('scheduler', admit('replicaset#1.2'), 2);
    expect(judge.violations.map((v) => v.name)).toEqual(['epoch-fencing', 'epoch-fencing']);
    expect(judge.violations[1]?.message).toContain('installed none');
  });
});
