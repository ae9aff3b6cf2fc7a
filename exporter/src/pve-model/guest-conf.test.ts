import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guestOnboot, parseGuestConf, parseGuestConfigReply } from './guest-conf.js';
import { parseQemuConfig } from './qemu-config.js';
import { fixture, value } from './test-fixture.js';

const conf = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseGuestConf', () => {
  it('reads the main section of a VM config, not its pending changes or snapshots (constructed)', () => {
    const c = value(parseGuestConf(conf('pve-qemu-conf-snapshots-pending-constructed.conf')));
    expect(c).toMatchObject({
      agent: '1,fstrim_cloned_disks=1',
      memory: '8192',
      onboot: '1',
      parent: 'before-pg16',
      startup: 'order=2,up=30',
      tags: 'db;lab;prod',
      description: 'Database server: PostgreSQL 16\nowner ops, restore test monthly',
    });
    expect(c.snaptime).toBeUndefined();
    expect(Object.keys(c)).toHaveLength(21);
    expect(guestOnboot(c)).toBe(true);
    // The same record feeds the QEMU config parser, as the API's reply does.
    expect(value(parseQemuConfig(c))).toMatchObject({
      name: 'lab-db-01',
      agent: { enabled: true, fstrimClonedDisks: true },
      onboot: true,
      memoryBytes: 8192 * 1048576,
      balloonBytes: 2048 * 1048576,
      cores: 4,
      sockets: 1,
      tags: ['db', 'lab', 'prod'],
    });
  });

  it('reads a container config with raw lxc keys, either separator (constructed)', () => {
    const c = value(parseGuestConf(conf('pve-lxc-conf-raw-keys-constructed.conf')));
    expect(c).toMatchObject({
      hostname: 'proxy',
      onboot: 'yes',
      mp0: '/srv/certs,mp=/etc/ssl/private,ro=1',
      'lxc.apparmor.profile': 'unconfined',
      'lxc.cgroup2.devices.allow': 'c 10:200 rwm',
      'lxc.mount.entry': '/dev/net dev/net none bind,create=dir',
      description: 'Reverse proxy',
    });
    expect(guestOnboot(c)).toBe(true);
  });

  it('takes onboot from the current config only: a snapshot that says otherwise does not count', () => {
    const text = 'name: a\nonboot: 0\n\n[snap1]\nonboot: 1\n';
    expect(guestOnboot(value(parseGuestConf(text)))).toBe(false);
    expect(guestOnboot(value(parseGuestConf('name: a\n\n[snap1]\nonboot: 1\n')))).toBe(false);
  });

  it('keeps CRLF files, values with colons and trailing blanks tidy', () => {
    const c = value(parseGuestConf('net0: virtio=AA:BB:CC:DD:EE:FF,bridge=vmbr0  \r\nonboot: 1\r\n'));
    expect({ ...c }).toEqual({ net0: 'virtio=AA:BB:CC:DD:EE:FF,bridge=vmbr0', onboot: '1' });
  });

  it('skips lines PVE would not accept and fails on text without any option', () => {
    expect({ ...value(parseGuestConf('garbage line\nonboot: 1\n')) }).toEqual({ onboot: '1' });
    expect(parseGuestConf('<html>not a config</html>\n')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
    expect({ ...value(parseGuestConf('')) }).toEqual({});
  });

  it('never lets a key reach the object prototype', () => {
    const c = value(parseGuestConf('__proto__: x\nconstructor: y\nonboot: 1\n'));
    expect(Object.getPrototypeOf(c)).toBeNull();
    expect(c.constructor).toBe('y');
    expect(guestOnboot(c)).toBe(true);
  });

  it('never throws on random text: a record of strings or a parse error', () => {
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom('onboot: 1', 'onboot: maybe', '[snap]', '#desc %zz', 'lxc.x = 1', ''),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const r = parseGuestConf(lines.join('\n'));
        if (!r.ok) return r.error.kind === 'parse' && r.error.message.length > 0;
        const onboot = guestOnboot(r.value);
        return (
          Object.values(r.value).every((v) => typeof v === 'string') &&
          (onboot === undefined || typeof onboot === 'boolean')
        );
      }),
    );
  });
});

describe('guestOnboot', () => {
  it('reads the API reply in its several spellings; absent means off', () => {
    const reply = (v: unknown) => value(parseGuestConfigReply({ data: { name: 'x', onboot: v } }));
    expect([1, '1', 'yes', 'on', true].map((v) => guestOnboot(reply(v)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([0, '0', 'no', 'off', false].map((v) => guestOnboot(reply(v)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(guestOnboot(reply(undefined))).toBe(false);
    expect(guestOnboot(reply('maybe'))).toBeUndefined();
  });

  it('reads the recorded and constructed QEMU configs', () => {
    expect(guestOnboot(value(parseGuestConfigReply(fixture('pve92-qemu-config-real.json'))))).toBe(false);
    expect(
      guestOnboot(value(parseGuestConfigReply(fixture('pve-qemu-config-agent-string-constructed.json')))),
    ).toBe(true);
  });

  it('rejects a reply that is not an object', () => {
    expect(parseGuestConfigReply([])).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(parseGuestConfigReply(null)).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});
