// What a new password must be: one small function, so the rule can grow (a list of common
// passwords, shipped with the app) without touching the forms that ask for one.

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const passwordHint = `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A few unrelated words make a strong password that is easy to type.`;

/** Why this new password is refused, in words its owner can act on; undefined when it is fine. */
export function newPasswordProblem(password: string): string | undefined {
  // Counted in characters a person typed, not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  return undefined;
}
