// Checks the forms run before sending, mirroring the exporter's rules (exporter/src/http/auth.ts and
// exporter/src/auth/passwords.ts) so a mistake shows next to its field instead of as a 400.
// Each returns the problem, or undefined.

export const tokenNameProblem = (name: string): string | undefined => {
  const n = name.trim();
  if (!n) {
    return 'A name is required, e.g. "prometheus" or "ci".';
  }
  return n.length > 64 ? 'At most 64 characters.' : undefined;
};

export const scopesProblem = (scopes: readonly string[]): string | undefined =>
  scopes.length === 0 ? 'Pick at least one scope.' : undefined;

export const usernameProblem = (username: string): string | undefined => {
  if (!username) {
    return 'A user name is required.';
  }
  if (username.length > 64) {
    return 'At most 64 characters.';
  }
  return /^[A-Za-z0-9._@-]+$/.test(username) ? undefined : 'Letters, digits and . _ @ - only.';
};

export const PASSWORD_MIN_LENGTH = 12;

export const passwordProblem = (password: string, username: string): string | undefined => {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `At least ${PASSWORD_MIN_LENGTH} characters.`;
  }
  if (password.length > 256) {
    return 'At most 256 characters.';
  }
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return 'Must not contain the user name.';
  }
  return new Set(password).size < 4 ? 'Too repetitive.' : undefined;
};

/** The user's current password for re-authentication: only present, the exporter judges it. */
export const currentPasswordProblem = (password: string): string | undefined =>
  password ? undefined : "The user's current password is required.";

/** A 6-digit authenticator code; spaces are allowed, as apps show `123 456`. */
export const totpCodeProblem = (code: string): string | undefined =>
  /^\d{6}$/.test(code.replace(/\s+/g, '')) ? undefined : 'The 6-digit code from the authenticator app.';

/** A 6-digit code or an 8-character backup code (`xxxx-xxxx`). */
export const secondFactorProblem = (code: string): string | undefined => {
  const c = code.replace(/[\s-]+/g, '');
  return /^\d{6}$/.test(c) || /^[0-9a-z]{8}$/i.test(c)
    ? undefined
    : 'A 6-digit code from the authenticator app, or one of the backup codes.';
};

export const normaliseCode = (code: string) => code.replace(/\s+/g, '');
