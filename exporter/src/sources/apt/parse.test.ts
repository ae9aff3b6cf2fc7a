import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecurityOrigin, parseAptSimulation, parseInstLine, type AptSnapshot } from './parse.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');

function snapshotOf(input: string): AptSnapshot {
  const r = parseAptSimulation(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('parseAptSimulation', () => {
  it('reads the recorded Debian 12 run: 128 upgrades, 81 from the security archive', () => {
    const s = snapshotOf(text('apt-get-s-dist-upgrade-debian12-128-upgrades.txt'));
    expect(s.counts).toEqual({ all: 128, security: 81 });
    expect([s.removals, s.notUpgraded]).toEqual([0, 0]);
    const byName = new Map(s.upgrades.map((u) => [u.package, u]));
    expect(byName.get('base-files')).toEqual({
      package: 'base-files',
      from: '12.4+deb12u11',
      to: '12.4+deb12u15',
      origins: ['Debian:12.15/oldstable'],
      security: false,
      arch: 'amd64',
    });
    // Two origins, and a trailing `[]` break marker.
    expect(byName.get('libgcrypt20-dev')).toEqual({
      package: 'libgcrypt20-dev',
      from: '1.10.1-3',
      to: '1.10.1-3+deb12u1',
      origins: ['Debian:12.15/oldstable', 'Debian-Security:12/oldstable-security'],
      security: true,
      arch: 'amd64',
    });
    // Epoch versions and a `[perl:amd64 ]` marker.
    expect(byName.get('libperl5.36')).toMatchObject({
      from: '5.36.0-7+deb12u2',
      to: '5.36.0-7+deb12u4',
      security: true,
    });
    expect(byName.get('openssh-client')).toMatchObject({
      from: '1:9.2p1-2+deb12u6',
      to: '1:9.2p1-2+deb12u10',
    });
    expect(byName.get('perl-modules-5.36')?.arch).toBe('all');
  });

  it('ignores the non-root NOTE and counts the same', () => {
    const s = snapshotOf(text('apt-get-s-dist-upgrade-debian12-nonroot-note.txt'));
    expect(s.counts).toEqual({ all: 128, security: 81 });
  });

  it('reads Proxmox packages, a NEW package, a foreign arch and break markers (real apt, constructed lists)', () => {
    const s = snapshotOf(text('apt-get-s-dist-upgrade-pve8-lab.txt'));
    expect(s.counts).toEqual({ all: 10, security: 4 });
    expect([s.removals, s.notUpgraded]).toEqual([1, 0]);
    expect(s.upgrades.map((u) => [u.package, u.from, u.to, u.security])).toEqual([
      ['libpve-common-perl', '8.2.1', '8.2.9', false],
      ['proxmox-kernel-6.8.12-4-pve-signed', undefined, '6.8.12-4', false],
      ['proxmox-kernel-6.8', '6.8.12-1', '6.8.12-4', false],
      ['pve-manager', '8.2.4', '8.3.0', false],
      ['base-files', '12.4+deb12u7', '12.4+deb12u8', false],
      ['libc6', '2.36-9+deb12u7', '2.36-9+deb12u9', true],
      ['libc6:i386', '2.36-9+deb12u7', '2.36-9+deb12u9', true],
      ['libssl3', '3.0.14-1~deb12u2', '3.0.15-1~deb12u1', true],
      ['openssl', '3.0.14-1~deb12u2', '3.0.15-1~deb12u1', true],
      ['tzdata', '2024a-4+deb12u1', '2024b-0+deb12u1', false],
    ]);
    expect(s.upgrades[1]).toEqual({
      package: 'proxmox-kernel-6.8.12-4-pve-signed',
      to: '6.8.12-4',
      origins: ['Proxmox Debian Repository:stable'],
      security: false,
      arch: 'amd64',
    });
    expect(s.upgrades[6]?.arch).toBe('i386');
    expect(s.upgrades[5]?.origins).toEqual(['Debian:12.8/stable', 'Debian-Security:12/stable-security']);
  });

  it('reads a host with nothing to upgrade and one package held back (real apt, constructed lists)', () => {
    expect(snapshotOf(text('apt-get-s-dist-upgrade-pve8-lab-held-back.txt'))).toEqual({
      upgrades: [],
      counts: { all: 0, security: 0 },
      removals: 0,
      notUpgraded: 1,
    });
  });

  it('is a parse error for output that is not apt’s', () => {
    expect(parseAptSimulation('')).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'apt-get -s: neither Inst lines nor the summary line in the output' },
    });
    expect(parseAptSimulation('Reading package lists...\n').ok).toBe(false);
  });

  it('counts a package once even if apt prints it twice, and skips malformed Inst lines', () => {
    const s = snapshotOf(
      [
        'Inst a [1] (2 Debian:13.1/stable [amd64])',
        'Inst a [1] (2 Debian:13.1/stable [amd64])',
        'Inst broken [1]',
        'Inst',
        'Conf a (2 Debian:13.1/stable [amd64])',
      ].join('\n'),
    );
    expect(s.upgrades.map((u) => u.package)).toEqual(['a']);
  });
});

describe('parseInstLine', () => {
  it.each([
    [
      'Inst pve-manager [8.4.0] (8.4.14 Proxmox:8.4/stable [amd64])',
      {
        package: 'pve-manager',
        from: '8.4.0',
        to: '8.4.14',
        origins: ['Proxmox:8.4/stable'],
        security: false,
        arch: 'amd64',
      },
    ],
    [
      'Inst libssl3t64 [3.5.1-1] (3.5.1-1+deb13u1 Debian:13.1/stable, Debian-Security:13/stable-security [amd64])',
      {
        package: 'libssl3t64',
        from: '3.5.1-1',
        to: '3.5.1-1+deb13u1',
        origins: ['Debian:13.1/stable', 'Debian-Security:13/stable-security'],
        security: true,
        arch: 'amd64',
      },
    ],
    [
      'Inst curl [7.81.0-1ubuntu1.18] (7.81.0-1ubuntu1.20 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])',
      { to: '7.81.0-1ubuntu1.20', security: true },
    ],
    // Old Debian security: the label says it, the archive does not.
    [
      'Inst tzdata [2021a-0+deb10u1] (2021a-0+deb10u3 Debian-Security:10/oldoldstable [all])',
      { security: true },
    ],
    // No Release file: apt prints the host name, or localhost.
    ['Inst foo [1.0] (1.1 localhost [amd64])', { origins: ['localhost'], security: false }],
    // A version without any origin: apt prints just the arch.
    ['Inst foo [1.0] (1.1  [amd64])', { to: '1.1', origins: [], arch: 'amd64' }],
  ])('%s', (line, expected) => {
    expect(parseInstLine(line)).toMatchObject(expected);
  });

  it('leaves out what a line does not say: no [old] for a NEW package, no arch bracket', () => {
    expect(parseInstLine('Inst foo (1.1 Debian:13.1/stable)')).toEqual({
      package: 'foo',
      to: '1.1',
      origins: ['Debian:13.1/stable'],
      security: false,
    });
  });

  it('tells security archives from others', () => {
    expect(
      [
        'Debian-Security:12/stable-security',
        'Debian:12.8/stable',
        'Proxmox Debian Repository:stable',
        'Ubuntu:24.04/noble-security',
        'Debian:12.8/stable-updates',
        'Devuan:5/security',
      ].map(isSecurityOrigin),
    ).toEqual([true, false, false, true, false, true]);
  });

  it('never throws on arbitrary input, and gives back what an apt-shaped Inst line holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (input) => {
        const r = parseAptSimulation(input);
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else expect(r.value.counts.security).toBeLessThanOrEqual(r.value.counts.all);
      }),
    );
    const version = fc.stringMatching(/^[0-9][0-9a-z.+~:-]{0,15}$/);
    const origin = fc.stringMatching(/^[A-Z][A-Za-z -]{0,20}:[0-9.]{0,4}\/?[a-z-]{1,16}$/);
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{0,20}(:i386)?$/),
        fc.option(version, { nil: undefined }),
        version,
        fc.array(origin, { maxLength: 3 }),
        fc.constantFrom('amd64', 'all', 'arm64'),
        fc.constantFrom('', ' []', ' [perl:amd64 ]'),
        (pkg, from, to, origins, arch, marker) => {
          const line = `Inst ${pkg}${from ? ` [${from}]` : ''} (${to} ${origins.join(', ')} [${arch}])${marker}`;
          expect(parseInstLine(line)).toEqual({
            package: pkg,
            ...(from && { from }),
            to,
            origins: origins.map((o) => o.trim()).filter((o) => o !== ''),
            security: origins.some(isSecurityOrigin),
            arch,
          });
        },
      ),
    );
  });
});
