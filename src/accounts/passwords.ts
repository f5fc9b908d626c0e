import { dictionary } from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';

// Passwords for every kind of account: at least 12 characters and not on a list of common
// passwords; no composition rules (NIST SP 800-63B 5.1.1.2). The list is the one zxcvbn-ts
// ships (about 49,000 passwords seen in breaches), read from the package: no network.

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * argon2id cost, tuned so one hash takes about 50–100 ms on the reference machine (2 cores):
 * 24 MiB of memory, 3 passes, one lane. bench/logins.ts measures it; docs/benchmarks.md has
 * the numbers. Hashes made with other parameters still verify (argon2 stores them in the hash).
 */
export const argon2Options = {
  type: argon2.argon2id,
  memoryCost: 24 * 1024,
  timeCost: 3,
  parallelism: 1,
} as const;

export const hashPassword = (password: string) => argon2.hash(password, argon2Options);

let common: Set<string> | undefined;
const commonPasswords = () =>
  (common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

export const passwordHint = `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, not a common password. A few unrelated words make a strong password that is easy to type.`;

export const passwordMessages = {
  tooShort: `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  tooLong: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  common:
    'This password is on a list of common passwords that attackers try first. Choose another: a few unrelated words make a strong password that is easy to type.',
  repeated:
    'This password repeats one short pattern. Choose another: a few unrelated words make a strong password.',
  isEmail: 'Do not use your email address as your password.',
} as const;

/**
 * Why a new password is refused, in words a person can act on, or null when it is acceptable.
 * `email`: the account's address, which is refused as a password.
 */
export function passwordProblem(password: string, opts: { email?: string } = {}): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return passwordMessages.tooShort;
  if (length > MAX_PASSWORD_LENGTH) return passwordMessages.tooLong;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || commonPasswords().has(lower.trim())) {
    return passwordMessages.common;
  }
  // "aaaaaaaaaaaa", "abcabcabcabc", "123412341234": one pattern of up to four characters.
  if (/^(.{1,4}?)\1+$/su.test(password)) return passwordMessages.repeated;
  if (opts.email && lower.trim() === opts.email.trim().toLowerCase())
    return passwordMessages.isEmail;
  return null;
}
