import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { osPrettyName, parseOsRelease, parsePveVersion, parseUptime } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseOsRelease', () => {
  it('reads Debian 12', () => {
    const fields = parseOsRelease(fixture('os-release-debian12.txt'));
    expect(osPrettyName(fields)).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(fields).toMatchObject({ ID: 'debian', VERSION_ID: '12', VERSION_CODENAME: 'bookworm' });
  });

  it('handles quotes, escapes, comments and malformed lines', () => {
    expect(parseOsRelease(fixture('os-release-quoting-constructed.txt'))).toEqual({
      NAME: 'Proxmox "Test" Linux',
      PRETTY_NAME: 'Proxmox VE "lab" $HOME \\ 8 `x` \\q',
      VERSION_ID: '8.2',
      ID: 'debian',
      EMPTY: '',
      HOME_URL: 'https://example.org/',
    });
  });

  it('defaults the pretty name to "Linux" as the spec says', () => {
    expect(osPrettyName(parseOsRelease('ID=foo\n'))).toBe('Linux');
  });

  it('never throws and round-trips double-quoted values', () => {
    const quote = (s: string) => `"${s.replace(/[$"\\`]/g, (c) => `\\${c}`)}"`;
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('\n')),
        (s) => {
          expect(parseOsRelease(`PRETTY_NAME=${quote(s)}\n`).PRETTY_NAME).toBe(s);
        },
      ),
    );
    fc.assert(fc.property(fc.string(), (text) => void parseOsRelease(text)));
  });
});

describe('parseUptime', () => {
  it('reads /proc/uptime', () => {
    expect(parseUptime(fixture('proc-uptime.txt'))).toEqual({ ok: true, value: 755.13 });
  });

  it('rejects anything else', () => {
    expect(parseUptime('')).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'uptime: expected seconds, got ""' },
    });
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = parseUptime(text);
        if (r.ok) expect(r.value).toBeGreaterThanOrEqual(0);
        else expect(r.error.kind).toBe('parse');
      }),
    );
  });
});

describe('parsePveVersion', () => {
  it('reads pveversion output', () => {
    expect(parsePveVersion(fixture('pveversion-pve832.txt'))).toEqual({
      ok: true,
      value: { version: '8.3.2', commit: '3e76eec21c4a14a7', runningKernel: '6.8.12-5-pve' },
    });
  });

  it('reads the pveversion field of the node status API', () => {
    expect(parsePveVersion(fixture('pveversion-api-field-pve922.txt'))).toEqual({
      ok: true,
      value: { version: '9.2.2', commit: 'b9984c6d90a4bd80' },
    });
  });

  it('reads a line without a commit', () => {
    expect(parsePveVersion('pve-manager/8.4.18 (running kernel: 6.8.12-20-pve)')).toEqual({
      ok: true,
      value: { version: '8.4.18', runningKernel: '6.8.12-20-pve' },
    });
  });

  it('rejects text without a pve-manager version, and never throws', () => {
    expect(parsePveVersion('bash: pveversion: command not found').ok).toBe(false);
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = parsePveVersion(text);
        if (r.ok) expect(r.value.version).toMatch(/^[0-9]/);
        else expect(r.error.kind).toBe('parse');
      }),
    );
  });
});
