import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSystemctlShow, unitId, type ServiceState } from './parse.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
const PVE = ['pveproxy', 'pvedaemon', 'pvestatd', 'pve-cluster'];

function servicesOf(input: string, units: readonly string[]): ServiceState[] {
  const r = parseSystemctlShow(input, units);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.services;
}

const up = (name: string): ServiceState => ({
  name,
  unit: `${name}.service`,
  loadState: 'loaded',
  loaded: true,
  active: true,
  activeState: 'active',
  subState: 'running',
});

describe('parseSystemctlShow', () => {
  it('reads a clustered PVE node with all five units running (constructed)', () => {
    expect(
      servicesOf(text('systemctl-show-pve-clustered-all-active-constructed.txt'), [...PVE, 'corosync']),
    ).toEqual(['pveproxy', 'pvedaemon', 'pvestatd', 'pve-cluster', 'corosync'].map(up));
  });

  it('reads a failed pvestatd as loaded and down (constructed)', () => {
    const services = servicesOf(text('systemctl-show-pve-pvestatd-failed-constructed.txt'), [
      ...PVE,
      'corosync',
    ]);
    expect(services.find((s) => s.name === 'pvestatd')).toEqual({
      name: 'pvestatd',
      unit: 'pvestatd.service',
      loadState: 'loaded',
      loaded: true,
      active: false,
      activeState: 'failed',
      subState: 'failed',
    });
    expect(services.filter((s) => s.active).map((s) => s.name)).toEqual([
      'pveproxy',
      'pvedaemon',
      'pve-cluster',
      'corosync',
    ]);
  });

  it('counts reloading as up, activating/deactivating/inactive as down, and keeps the raw states (constructed)', () => {
    const services = servicesOf(text('systemctl-show-pve-transitions-constructed.txt'), [
      ...PVE,
      'corosync',
      'nginx',
    ]);
    expect(services.map((s) => [s.name, s.loaded, s.active, s.activeState, s.subState])).toEqual([
      ['pveproxy', true, true, 'reloading', 'reload'],
      ['pvedaemon', true, false, 'activating', 'auto-restart'],
      ['pvestatd', true, false, 'deactivating', 'stop-sigterm'],
      ['pve-cluster', true, true, 'active', 'running'],
      ['corosync', true, false, 'inactive', 'dead'],
      ['nginx', false, false, 'inactive', 'dead'],
    ]);
    expect(services.at(-1)).toMatchObject({ loadState: 'not-found', unit: 'nginx.service' });
  });

  it('marks every unit of a host that is not a PVE node as not loaded (constructed)', () => {
    const services = servicesOf(text('systemctl-show-not-pve-constructed.txt'), PVE);
    expect(services.map((s) => [s.name, s.loaded, s.loadState])).toEqual(
      PVE.map((name) => [name, false, 'not-found']),
    );
  });

  it('keeps a not-found unit that still runs, and a masked one as loaded and down', () => {
    const services = servicesOf(
      [
        'Id=pveproxy.service\nLoadState=not-found\nActiveState=active\nSubState=running',
        'Id=pvedaemon.service\nLoadState=masked\nActiveState=inactive\nSubState=dead',
      ].join('\n\n'),
      ['pveproxy', 'pvedaemon'],
    );
    expect(services.map((s) => [s.name, s.loaded, s.active])).toEqual([
      ['pveproxy', true, true],
      ['pvedaemon', true, false],
    ]);
  });

  it('matches blocks by Id whatever the block or property order, else by position (an alias)', () => {
    const swapped = servicesOf(
      [
        'SubState=running\nActiveState=active\nLoadState=loaded\nId=pvedaemon.service',
        'Id=pveproxy.service\nLoadState=loaded\nActiveState=failed\nSubState=failed',
      ].join('\r\n\r\n'),
      ['pveproxy', 'pvedaemon'],
    );
    expect(swapped.map((s) => [s.name, s.activeState])).toEqual([
      ['pveproxy', 'failed'],
      ['pvedaemon', 'active'],
    ]);
    const alias = servicesOf(
      [
        'Id=ssh.service\nLoadState=loaded\nActiveState=active\nSubState=running',
        'Id=pvedaemon.service\nLoadState=loaded\nActiveState=active\nSubState=running',
      ].join('\n\n'),
      ['sshd', 'pvedaemon'],
    );
    expect(alias.map((s) => [s.name, s.unit])).toEqual([
      ['sshd', 'ssh.service'],
      ['pvedaemon', 'pvedaemon.service'],
    ]);
    // Out of order and an alias: the alias's position holds a block another name claims by Id.
    const both = servicesOf(
      [
        'Id=pvedaemon.service\nLoadState=loaded\nActiveState=active',
        'Id=ssh.service\nLoadState=loaded\nActiveState=active',
      ].join('\n\n'),
      ['sshd', 'pvedaemon'],
    );
    expect(both.map((s) => s.name)).toEqual(['pvedaemon']);
  });

  it('leaves out units it got no block or no ActiveState for', () => {
    const services = servicesOf('Id=pveproxy.service\nLoadState=loaded\nActiveState=active\n', [
      'pveproxy',
      'pvedaemon',
      'pvestatd',
    ]);
    expect(services.map((s) => s.name)).toEqual(['pveproxy']);
    expect(servicesOf('Id=pveproxy.service\nLoadState=loaded\n', ['pveproxy'])).toEqual([]);
  });

  it('is a parse error when there is nothing systemd-shaped at all', () => {
    expect(parseSystemctlShow('', PVE)).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'systemctl show: no unit properties in the output' },
    });
    expect(parseSystemctlShow('Segmentation fault\n', PVE).ok).toBe(false);
    expect(parseSystemctlShow('', [])).toEqual({ ok: true, value: { services: [] } });
  });

  it('completes unit names the way systemctl does', () => {
    expect(['pveproxy', 'corosync.service', 'lxc@101', 'pve-guests.target', 'my.app'].map(unitId)).toEqual([
      'pveproxy.service',
      'corosync.service',
      'lxc@101.service',
      'pve-guests.target',
      'my.app.service',
    ]);
  });

  it('never throws on arbitrary input and only reports units it was asked about', () => {
    const names = fc.array(fc.stringMatching(/^[a-z][a-z-]{0,8}$/), { maxLength: 5 });
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), names, (input, units) => {
        const r = parseSystemctlShow(input, units);
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else for (const s of r.value.services) expect(units).toContain(s.name);
      }),
    );
  });

  it('reads back any states it is given, in systemd’s block format', () => {
    const state = fc.record({
      load: fc.constantFrom('loaded', 'not-found', 'masked', 'bad-setting', 'error'),
      active: fc.constantFrom('active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating'),
      sub: fc.stringMatching(/^[a-z][a-z-]{0,12}$/),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { minLength: 1, maxLength: 6 }),
        fc.array(state, { minLength: 6, maxLength: 6 }),
        (units, states) => {
          const out = units
            .map((u, i) => {
              const s = states[i]!;
              return `Id=${u}.service\nLoadState=${s.load}\nActiveState=${s.active}\nSubState=${s.sub}\n`;
            })
            .join('\n');
          const services = servicesOf(out, units);
          expect(services.map((s) => s.name)).toEqual(units);
          services.forEach((s, i) => {
            const given = states[i]!;
            expect(s.active).toBe(given.active === 'active' || given.active === 'reloading');
            expect(s.loaded).toBe(!(given.load === 'not-found' && given.active === 'inactive'));
            expect(s.subState).toBe(given.sub);
          });
        },
      ),
    );
  });
});
