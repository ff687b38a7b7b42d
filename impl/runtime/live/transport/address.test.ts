import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from './address.js';
import { carriesToken, checkToken, generateToken } from './token.js';

describe('addresses', () => {
  it('parses and formats host:port, IPv6 in brackets', () => {
    expect(parseAddress('127.0.0.1:4001')).toEqual({ host: '127.0.0.1', port: 4001 });
    expect(parseAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(formatAddress({ host: '::1', port: 80 })).toBe('[::1]:80');
    for (const bad of ['4001', ':4001', 'localhost:', 'localhost:0', 'h:70000', 'h:1.5'])
      expect(() => parseAddress(bad), bad).toThrow(/not an address/);
  });
});

describe('tokens', () => {
  it('generates distinct tokens long enough to be accepted', () => {
    const [a, b] = [generateToken(), generateToken()];
    expect(a).not.toBe(b);
    expect(checkToken(a)).toBe(a);
    expect(a).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a missing or short token', () => {
    expect(() => checkToken(undefined)).toThrow(/shared token/);
    expect(() => checkToken('secret')).toThrow(/at least 16/);
  });

  it('matches only the bearer header of the same token', () => {
    const token = generateToken();
    expect(carriesToken(`Bearer ${token}`, token)).toBe(true);
    expect(carriesToken(token, token)).toBe(false);
    expect(carriesToken(`Bearer ${token}x`, token)).toBe(false);
    expect(carriesToken(undefined, token)).toBe(false);
  });
});
