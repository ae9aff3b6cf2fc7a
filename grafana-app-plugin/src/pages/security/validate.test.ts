import {
  passwordProblem,
  scopesProblem,
  secondFactorProblem,
  tokenNameProblem,
  totpCodeProblem,
  usernameProblem,
} from './validate';

describe('security form checks', () => {
  it('token name and scopes', () => {
    expect(tokenNameProblem('  ')).toMatch(/required/);
    expect(tokenNameProblem('x'.repeat(65))).toMatch(/64/);
    expect(tokenNameProblem('prometheus')).toBeUndefined();
    expect(scopesProblem([])).toMatch(/at least one/);
    expect(scopesProblem(['read'])).toBeUndefined();
  });

  it("user names and passwords follow the exporter's rules", () => {
    expect(usernameProblem('')).toMatch(/required/);
    expect(usernameProblem('bad name')).toMatch(/only/);
    expect(usernameProblem('ops.team@site-1')).toBeUndefined();
    expect(passwordProblem('short', 'bob')).toMatch(/12/);
    expect(passwordProblem('bob is my password', 'bob')).toMatch(/user name/);
    expect(passwordProblem('aaaaaaaaaaaaaa', 'bob')).toMatch(/repetitive/);
    expect(passwordProblem('correct horse battery', 'bob')).toBeUndefined();
  });

  it('codes: 6 digits to enable, 6 digits or a backup code to disable', () => {
    expect(totpCodeProblem('123 456')).toBeUndefined();
    expect(totpCodeProblem('12345')).toBeDefined();
    expect(totpCodeProblem('abcd-efgh')).toBeDefined();
    expect(secondFactorProblem('123456')).toBeUndefined();
    expect(secondFactorProblem('7k3m-9q2x')).toBeUndefined();
    expect(secondFactorProblem('7k3m-9q2')).toBeDefined();
  });
});
