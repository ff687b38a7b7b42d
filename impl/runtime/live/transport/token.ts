/**
 * The shared token that authenticates one stage to another. Every stage process of a
 * cluster gets the same token (from an option); each frame carries it as a bearer token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Shorter tokens are refused when a transport is made: a guessable token is a setup bug. */
export const TOKEN_LENGTH_MIN = 16;

/** 32 random bytes, base64url: 43 characters, safe in a header and on a command line. */
export const generateToken = (): string => randomBytes(32).toString('base64url');

export const checkToken = (token: string | undefined): string => {
  if (token === undefined || token.length < TOKEN_LENGTH_MIN)
    throw new Error(
      `a stage transport needs a shared token of at least ${TOKEN_LENGTH_MIN} characters ` +
        '(generateToken() makes one)',
    );
  return token;
};

export const authorizationOf = (token: string): string => `Bearer ${token}`;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Whether an `authorization` header carries `token`. The digests are compared in constant
 * time, so the comparison neither leaks the token's length nor how much of a guess is right.
 */
export const carriesToken = (header: string | undefined, token: string): boolean =>
  header !== undefined && timingSafeEqual(digest(header), digest(authorizationOf(token)));
