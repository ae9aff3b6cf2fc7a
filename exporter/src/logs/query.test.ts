import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noEntries } from './journal-query.js';
import { countArgs, countPriorities, downloadArgs, escapeGrep, filterArgs, listArgs } from './query.js';

const T0 = Date.UTC(2026, 10, 26, 10);

describe('journalctl arguments', () => {
  it('lists newest first, one line more than the page, after the cursor', () => {
    expect(
      listArgs(
        { maxPriority: 3, unit: 'pveproxy.service', sinceMs: T0 + 999, untilMs: T0 + 1, text: 'a.b' },
        { limit: 50, cursor: 's=1;i=2' },
        { directory: '/j' },
      ),
    ).toEqual([
      '-o',
      'json',
      '--no-pager',
      '--reverse',
      '--all',
      '--output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_PID,_HOSTNAME,_BOOT_ID',
      '--directory=/j',
      '-p',
      '3',
      '--unit=pveproxy.service',
      `--since=@${T0 / 1000}`,
      `--until=@${T0 / 1000 + 1}`,
      '--grep=a\\.b',
      '--case-sensitive=false',
      '-n',
      '51',
      '--after-cursor=s=1;i=2',
    ]);
  });

  it('counts with only the priority printed, downloads oldest first in short-iso', () => {
    expect(countArgs({ sinceMs: T0 })).toEqual([
      '-o',
      'cat',
      '--no-pager',
      '--output-fields=PRIORITY',
      `--since=@${T0 / 1000}`,
    ]);
    expect(downloadArgs({})).toEqual(['-o', 'short-iso', '--no-pager']);
  });

  it('keeps every user-given value inside its own --option=value word', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (unit, text) => {
        const args = filterArgs({ unit, text, maxPriority: 2 });
        expect(args).toEqual([
          '-p',
          '2',
          `--unit=${unit}`,
          `--grep=${escapeGrep(text)}`,
          '--case-sensitive=false',
        ]);
      }),
    );
  });
});

describe('escapeGrep', () => {
  it('escapes pattern characters so the text matches only itself', () => {
    expect(escapeGrep('[x+y]* (1.02 s) ^$|?{}\\')).toBe(
      '\\[x\\+y\\]\\* \\(1\\.02 s\\) \\^\\$\\|\\?\\{\\}\\\\',
    );
  });

  it('any text, escaped, is a pattern that matches exactly that text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(new RegExp(`^${escapeGrep(s)}$`).test(s)).toBe(true);
      }),
    );
  });
});

describe('countPriorities', () => {
  it('counts the priority digits journalctl printed, one per line', () => {
    expect(countPriorities('3\n3\n6\n0\n7\n\n12\nx\n')).toEqual({
      byPriority: [1, 0, 0, 2, 0, 0, 1, 1],
      other: 2,
    });
    expect(countPriorities('')).toEqual({ byPriority: [0, 0, 0, 0, 0, 0, 0, 0], other: 0 });
  });

  it('accounts for every non-blank line, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const { byPriority, other } = countPriorities(s);
        const lines = s.split('\n').filter((l) => l.trim() !== '').length;
        expect(byPriority.reduce((a, b) => a + b, 0) + other).toBe(lines);
      }),
    );
  });
});

describe('noEntries', () => {
  it('tells "nothing matched" from a failure', () => {
    expect(noEntries([], 1, 'No journal files were found.\n')).toBe(true);
    expect(noEntries(['--grep=x'], 1, '')).toBe(true);
    expect(noEntries(['--grep=x'], 1, 'Bad pattern "[": missing terminating ]')).toBe(false);
    expect(noEntries([], 1, '')).toBe(false);
  });
});
