import { describe, expect, it } from 'vitest';
import { HARDENED } from './config.js';
import { makeConfig } from './mutants.js';
import { parseProfile, profileText } from './profile-spec.js';

describe('a profile with switches set otherwise', () => {
  it('parses switches of every type, and names them again', () => {
    const spec = parseProfile('hardened:autoscalerLink=direct,serverEpochCheck=false');
    expect(spec.name).toBe('hardened');
    expect(spec.overrides).toEqual({ autoscalerLink: 'direct', serverEpochCheck: false });
    expect(spec.switches).toEqual({
      ...HARDENED,
      autoscalerLink: 'direct',
      serverEpochCheck: false,
    });
    const config = makeConfig('up', 'hardened:autoscalerLink=direct', null);
    expect(config.profile).toBe('hardened');
    expect(profileText(config)).toBe('hardened:autoscalerLink=direct');
    expect(profileText(makeConfig('up', 'artifact', null))).toBe('artifact');
  });

  it('keeps a mutant flip on top of the overrides', () => {
    const config = makeConfig('up', 'hardened:autoscalerLink=direct', 'no-round2');
    expect(config.switches).toMatchObject({ autoscalerLink: 'direct', round2: 'none' });
    expect(config.mutant).toBe('no-round2');
  });

  it('refuses an unknown profile, switch or value with a clear error', () => {
    expect(() => parseProfile('sturdy')).toThrow(/unknown profile 'sturdy'/);
    expect(() => parseProfile('hardened:autoscalerlink=direct')).toThrow(
      /unknown switch 'autoscalerlink'/,
    );
    expect(() => parseProfile('hardened:autoscalerLink=sometimes')).toThrow(
      /autoscalerLink takes direct \| api \(got 'sometimes'\)/,
    );
    expect(() => parseProfile('hardened:fence')).toThrow(/fence takes exclusive \| none/);
  });
});
