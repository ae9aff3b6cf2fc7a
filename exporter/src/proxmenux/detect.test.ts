import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectInstalledTools, hostFiles, updateStatus, type HostFiles } from './detect.js';
import { compareVersions, parseToolRegistry, parseUpdateCache, parseVersionFile } from './parse.js';

const tree = (name: string) => hostFiles(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
const installed = async (files: HostFiles) =>
  (await detectInstalledTools(files)).tools.filter((t) => t.installed).map((t) => t.key);

/** An in-memory host: path → content. */
const memory = (entries: Record<string, string>): HostFiles => ({
  readText: async (p) => entries[p],
  listDir: async (d) =>
    Object.keys(entries)
      .filter((p) => p.startsWith(`${d}/`) && !p.slice(d.length + 1).includes('/'))
      .map((p) => p.slice(d.length + 1))
      .sort(),
});

describe('detectInstalledTools', () => {
  it('finds what the current automated post-install leaves on a PVE 9 host', async () => {
    const r = await detectInstalledTools(tree('rootfs-auto-pve9'));
    expect(r.proxmenux).toEqual({
      present: true,
      version: '1.2.0',
      registry: 'present',
      registryError: undefined,
    });
    expect(r.tools.filter((t) => t.installed).map((t) => t.key)).toEqual([
      'subscription_banner',
      'apt_languages',
      'apt_ipv4',
      'logrotate',
      'system_limits',
      'memory_settings',
      'kernel_panic',
      'network_optimization',
      'bashrc_custom',
      'log2ram',
      'persistent_network',
      'proxmox_repos',
      'zfs_autotrim',
      'gpu_passthrough_helper',
    ]);
    const byKey = new Map(r.tools.map((t) => [t.key, t]));
    expect(byKey.get('subscription_banner')).toMatchObject({
      evidence: ['/usr/local/bin/pve-remove-nag-v3.sh', '/etc/apt/apt.conf.d/no-nag-script'],
      registered: { installed: true },
    });
    // Only ProxMenux's own .link file counts, not the stock-looking 99-default.link beside it.
    expect(byKey.get('persistent_network')?.evidence).toEqual(['/etc/systemd/network/10-enp3s0.link']);
    expect(byKey.get('system_limits')?.registered).toEqual({
      installed: true,
      version: '1.1',
      source: 'auto',
    });
    // Registered, but the service file is gone: not installed.
    expect(byKey.get('kexec')).toMatchObject({
      installed: false,
      evidence: [],
      registered: { installed: true },
    });
    // Skipped by the script when Log2RAM is present: stock journald.conf.
    expect(byKey.get('journald')).toMatchObject({ installed: false, registered: undefined });
    expect(byKey.get('fastfetch')).toMatchObject({ installed: false, registered: { installed: false } });
    expect(byKey.get('gpu_passthrough_helper')).toMatchObject({
      name: 'Gpu passthrough helper',
      registryOnly: true,
      registered: { installed: true, version: '0.9', source: 'custom' },
    });
  });

  it('finds a 1.0-era post-install from its files alone (no registry yet)', async () => {
    const r = await detectInstalledTools(tree('rootfs-legacy-v1.0'));
    expect(r.proxmenux).toMatchObject({ present: true, version: '1.0.7', registry: 'absent' });
    expect(r.tools.filter((t) => t.installed).map((t) => [t.key, t.evidence])).toEqual([
      ['subscription_banner', ['/etc/apt/apt.conf.d/no-nag-script']],
      ['journald', ['/etc/systemd/journald.conf']],
      ['network_optimization', ['/etc/sysctl.d/99-network.conf']],
      ['kexec', ['/etc/systemd/system/kexec-pve.service']],
      ['bashrc_custom', ['/root/.bashrc']],
      ['figurine', ['/usr/local/bin/figurine']],
      ['amd_fixes', ['/etc/modprobe.d/kvm.conf']],
      ['entropy', ['/etc/default/haveged']],
    ]);
    expect(r.tools.find((t) => t.key === 'entropy')?.deprecated).toBe(true);
  });

  it('finds nothing on a stock host', async () => {
    const r = await detectInstalledTools(tree('rootfs-stock-pve8'));
    expect(r.proxmenux).toEqual({
      present: false,
      version: undefined,
      registry: 'absent',
      registryError: undefined,
    });
    expect(await installed(tree('rootfs-stock-pve8'))).toEqual([]);
  });

  it('reports a registry it cannot read and still reads the files', async () => {
    const files = memory({
      '/usr/local/share/proxmenux/installed_tools.json': '{"apt_ipv4": tru',
      '/etc/apt/apt.conf.d/99-force-ipv4': 'Acquire::ForceIPv4 "true";\n',
    });
    const r = await detectInstalledTools(files);
    expect(r.proxmenux.registry).toBe('invalid');
    expect(r.proxmenux.registryError).toMatch(/^installed_tools\.json: invalid JSON/);
    expect(r.tools.filter((t) => t.installed).map((t) => t.key)).toEqual(['apt_ipv4']);
  });

  it('does not count a file that lacks the line the script writes', async () => {
    const files = memory({
      '/etc/apt/apt.conf.d/99-force-ipv4': '// emptied by hand\n',
      '/etc/systemd/journald.conf': '[Journal]\nSystemMaxUse=64M\n',
    });
    expect(await installed(files)).toEqual([]);
  });
});

describe('updateStatus', () => {
  it("compares version.txt with ProxMenux's cached update check", async () => {
    expect(await updateStatus(tree('rootfs-auto-pve9'))).toEqual({
      installedVersion: '1.2.0',
      latestVersion: '1.2.1',
      latestSource: 'proxmenux',
      state: 'update_available',
      reason: '1.2.1 is newer than 1.2.0',
    });
    expect(await updateStatus(tree('rootfs-legacy-v1.0'))).toMatchObject({
      latestVersion: '1.1.4',
      state: 'update_available',
    });
  });

  it('prefers the configured latest version', async () => {
    expect(await updateStatus(tree('rootfs-auto-pve9'), '1.2.0')).toEqual({
      installedVersion: '1.2.0',
      latestVersion: '1.2.0',
      latestSource: 'config',
      state: 'up_to_date',
      reason: '1.2.0 is the latest known version',
    });
  });

  it('says unknown, with why, when a side is missing', async () => {
    expect(await updateStatus(tree('rootfs-stock-pve8'), '1.2.0')).toMatchObject({
      state: 'unknown',
      reason: 'ProxMenux is not installed here (no /usr/local/share/proxmenux/version.txt)',
    });
    const noLatest = memory({ '/usr/local/share/proxmenux/version.txt': '1.2.0\n' });
    expect(await updateStatus(noLatest)).toEqual({
      installedVersion: '1.2.0',
      latestVersion: undefined,
      latestSource: undefined,
      state: 'unknown',
      reason:
        'the latest version is not known without the network: set proxmenux.latest_version in the config',
    });
    const junk = memory({ '/usr/local/share/proxmenux/version.txt': '<html>\n' });
    expect((await updateStatus(junk, '1.0')).reason).toBe(
      '/usr/local/share/proxmenux/version.txt holds no version',
    );
  });
});

describe('parsers', () => {
  it('reads both registry shapes and skips what is neither', () => {
    const r = parseToolRegistry(
      JSON.stringify({
        a: true,
        b: false,
        c: { installed: true, version: '1.1', source: 'auto' },
        d: { installed: 'yes' },
        'Bad Key': true,
        e: { installed: true, version: '$(reboot)' },
      }),
    );
    expect(r.ok && [...r.value]).toEqual([
      ['a', { installed: true }],
      ['b', { installed: false }],
      ['c', { installed: true, version: '1.1', source: 'auto' }],
      ['e', { installed: true, version: undefined, source: undefined }],
    ]);
    expect(parseToolRegistry('[]')).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'installed_tools.json: not a JSON object' },
    });
  });

  it('reads versions and compares them numerically', () => {
    expect(parseVersionFile('v1.2.10\nextra')).toBe('1.2.10');
    expect(parseVersionFile('')).toBeUndefined();
    expect(parseUpdateCache('{"update_available":{"stable_version":"1.3"}}')).toBe('1.3');
    expect(parseUpdateCache('{"update_available":{"stable_version":""}}')).toBeUndefined();
    expect(compareVersions('1.2.9', '1.2.10')).toBe(-1);
    expect(compareVersions('1.2', '1.2.0')).toBe(0);
    expect(compareVersions('2.0', '1.9.9')).toBe(1);
    expect(compareVersions('beta', '1.0')).toBeUndefined();
  });

  it('never throws on random input, and comparison is antisymmetric', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (t) => {
          const r = parseToolRegistry(t);
          if (r.ok) for (const k of r.value.keys()) expect(k).toMatch(/^[a-z0-9_]+$/);
          parseVersionFile(t);
          parseUpdateCache(t);
        },
      ),
    );
    const version = fc.array(fc.nat(99), { minLength: 1, maxLength: 4 }).map((p) => p.join('.'));
    fc.assert(
      fc.property(version, version, (a, b) => {
        const ab = compareVersions(a, b);
        const ba = compareVersions(b, a);
        expect(ab).toBeDefined();
        expect(ab).toBe(ba === undefined ? undefined : (-ba as -1 | 0 | 1) || 0);
      }),
    );
  });
});
