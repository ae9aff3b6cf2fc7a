import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LatencySnapshot, LatencyTarget } from '../../sources/latency/index.js';
import { parsePingSummary } from '../../sources/latency/parse.js';
import { createNetworkSource, type NetworkSnapshot } from '../../sources/network/index.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { checkNetwork } from './network.js';
import {
  consistent,
  hostInputs,
  rowsOf,
  srcFile,
  type HostInputsOptions,
} from './fixtures/host-category-inputs.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/**
 * The constructed PVE host tree read by the network source itself: bond0 of enp3s0 + enp4s0 (no
 * link, no traffic since boot) under vmbr0, an unplugged USB NIC, a vlan, a tap, a veth and the
 * firewall bridge of VM 100.
 */
async function pveHost(): Promise<NetworkSnapshot> {
  const paths = fixtureRoots(
    new URL('../../sources/network/index.ts', import.meta.url),
    'host-pve-constructed',
  );
  return ok(await createNetworkSource().collect(sourceContext({ paths })));
}

/** The gateway pinged as the latency source does, answered by the recorded ping output. */
function gateway(file: string): LatencySnapshot {
  const summary = ok(parsePingSummary(srcFile(`sources/latency/fixtures/${file}`)));
  const target: LatencyTarget = { target: 'gateway', address: '192.0.2.1', ...summary };
  return { targets: [target] };
}

/** vmbr0 as the kernel reports it once its only port lost its link (constructed from the fixture). */
function vmbr0Down(snapshot: NetworkSnapshot): NetworkSnapshot {
  return {
    interfaces: snapshot.interfaces.map((i) =>
      i.interface === 'vmbr0' ? { ...i, operState: 'down', carrier: false, up: false } : i,
    ),
  };
}

const network = (o: HostInputsOptions) => checkNetwork(hostInputs(o));
const keyed = (e: ReturnType<typeof checkNetwork>) => e.findings.map((f) => [f.errorKey, f.severity]);

describe('checkNetwork: links', () => {
  it('judges physical, bond and bridge links; unused ports are OK; vlan, tap, veth and fw* are not judged', async () => {
    const e = network({ fresh: { network: await pveHost(), latency: gateway('ping-127.0.0.1-ok.txt') } });
    expect(rowsOf(e)).toEqual({
      'network_link[enp3s0]': 'OK',
      'network_link[enp4s0]': 'OK',
      'network_link[enx00e04c680001]': 'OK',
      'network_link[bond0]': 'OK',
      'network_link[vmbr0]': 'OK',
      'network_latency[gateway]': 'OK',
    });
    expect(e.rows[1]!.reason).toBe('physical enp4s0 is down and carried no traffic since boot (unused)');
    expect(e.findings).toEqual([]);
    expect(e.present?.interface).toEqual(
      new Set([
        'lo',
        'enp3s0',
        'enp4s0',
        'enx00e04c680001',
        'bond0',
        'vmbr0',
        'vmbr0.100',
        'tap100i0',
        'fwbr100i0',
        'fwpr100p0',
        'fwln100i0',
        'veth101i0',
      ]),
    );
  });

  it('a bridge that goes down after carrying traffic is CRITICAL network_link_<iface>', async () => {
    const e = network({ fresh: { network: vmbr0Down(await pveHost()) }, absent: ['latency'] });
    expect(e.findings).toEqual([
      {
        errorKey: 'network_link_vmbr0',
        category: 'network',
        check: 'network_link',
        severity: 'CRITICAL',
        reason: 'bridge vmbr0 is down (no carrier) after carrying traffic',
        details: {
          type: 'bridge',
          operState: 'down',
          carrier: false,
          resource: { kind: 'interface', id: 'vmbr0' },
        },
      },
    ]);
  });

  it('during the boot grace a down link is INFO', async () => {
    const e = network({
      fresh: { network: vmbr0Down(await pveHost()) },
      absent: ['latency'],
      bootGrace: true,
    });
    expect(keyed(e)).toEqual([['network_link_vmbr0', 'INFO']]);
    expect(e.findings[0]!.reason).toBe(
      'bridge vmbr0 is down (no carrier) after carrying traffic (within the grace period after boot)',
    );
  });

  it('an interface excluded from health is dropped entirely; a notifications-only exclusion keeps it', async () => {
    const down = vmbr0Down(await pveHost());
    const e = network({ fresh: { network: down }, absent: ['latency'], interfaces: { vmbr0: false } });
    expect(e.findings).toEqual([]);
    expect(e.rows.some((r) => r.resource === 'vmbr0')).toBe(false);
    expect(e.present?.interface?.has('vmbr0')).toBe(false);
    const kept = network({ fresh: { network: down }, absent: ['latency'], interfaces: { vmbr0: true } });
    expect(keyed(kept)).toEqual([['network_link_vmbr0', 'CRITICAL']]);
  });
});

describe('checkNetwork: latency and loss', () => {
  const latency = (file: string, o: HostInputsOptions = {}) =>
    network({ ...o, fresh: { latency: gateway(file) }, absent: ['network'] });

  it('40 % loss to the gateway warns (packet_loss_warning 20 %); no reply at all is CRITICAL', () => {
    const warn = latency('ping-partial-loss-constructed.txt');
    expect(warn.findings).toEqual([
      {
        errorKey: 'network_latency_gateway',
        category: 'network',
        check: 'network_latency',
        severity: 'WARNING',
        reason:
          'ping gateway (192.0.2.1): 40% packet loss (warning at 20%, critical at 100%), ' +
          'average 24.91 ms (warning at 100 ms, critical at 300 ms)',
        details: { address: '192.0.2.1', lossPct: 40, avgMs: 24.91, error: undefined },
      },
    ]);
    expect(keyed(latency('ping-all-lost-constructed.txt'))).toEqual([
      ['network_latency_gateway', 'CRITICAL'],
    ]);
    expect(latency('ping-127.0.0.1-ok.txt').findings).toEqual([]);
  });

  it('packet_loss_warning and packet_loss_critical are read', () => {
    expect(
      keyed(
        latency('ping-partial-loss-constructed.txt', {
          thresholds: { network: { packet_loss_warning: 50 } },
        }),
      ),
    ).toEqual([]);
    expect(
      keyed(
        latency('ping-partial-loss-constructed.txt', {
          thresholds: { network: { packet_loss_critical: 40 } },
        }),
      ),
    ).toEqual([['network_latency_gateway', 'CRITICAL']]);
  });

  it('latency_warning_ms and latency_critical_ms are read (24.9 ms average)', () => {
    const quiet = { packet_loss_warning: 50, packet_loss_critical: 100 };
    expect(
      keyed(
        latency('ping-partial-loss-constructed.txt', {
          thresholds: { network: { ...quiet, latency_warning_ms: 20 } },
        }),
      ),
    ).toEqual([['network_latency_gateway', 'WARNING']]);
    expect(
      keyed(
        latency('ping-partial-loss-constructed.txt', {
          thresholds: { network: { ...quiet, latency_warning_ms: 10, latency_critical_ms: 24 } },
        }),
      ),
    ).toEqual([['network_latency_gateway', 'CRITICAL']]);
  });

  it('a target that could not be pinged at all counts as 100 % loss', () => {
    const unreachable: LatencySnapshot = {
      targets: [
        {
          target: 'example.invalid',
          address: 'example.invalid',
          error: 'ping: example.invalid: Name or service not known',
        },
      ],
    };
    const e = network({ fresh: { latency: unreachable }, absent: ['network'] });
    expect(e.findings).toEqual([
      expect.objectContaining({
        errorKey: 'network_latency_example.invalid',
        severity: 'CRITICAL',
        reason: 'ping example.invalid: no reply: ping: example.invalid: Name or service not known',
      }),
    ]);
  });

  it('during the boot grace latency and loss are INFO', () => {
    expect(keyed(latency('ping-all-lost-constructed.txt', { bootGrace: true }))).toEqual([
      ['network_latency_gateway', 'INFO'],
    ]);
  });

  it('no default route: nothing to ping is OK', () => {
    const e = network({ fresh: { latency: { targets: [] } }, absent: ['network'] });
    expect(rowsOf(e)).toEqual({ network_link: 'UNKNOWN', network_latency: 'OK' });
  });
});

describe('checkNetwork without inputs', () => {
  it('is UNKNOWN when the network and latency sources have no fresh value', () => {
    const e = network({ missing: ['network', 'latency'] });
    expect(e.unknown).toBe('network source failed: network: failed; latency source failed: latency: failed');
    expect(e.findings).toEqual([]);
    expect(e.present).toBeUndefined();
  });

  it('any ping figures and link states give consistent rows and findings', async () => {
    const host = await pveHost();
    const target = fc.record({
      target: fc.stringMatching(/^[a-z0-9.]{1,12}$/),
      address: fc.constant('192.0.2.1'),
      lossRatio: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      rtt: fc.option(
        fc
          .double({ min: 0, max: 5, noNaN: true })
          .map((s) => ({ minSeconds: s, avgSeconds: s, maxSeconds: s })),
        { nil: undefined },
      ),
      error: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(target, { selector: (t) => t.target, maxLength: 4 }),
        fc.array(fc.option(fc.boolean(), { nil: undefined }), {
          minLength: host.interfaces.length,
          maxLength: host.interfaces.length,
        }),
        fc.boolean(),
        (targets, ups, bootGrace) => {
          const interfaces = host.interfaces.map((i, n) => ({ ...i, up: ups[n] }));
          const e = network({ fresh: { network: { interfaces }, latency: { targets } }, bootGrace });
          expect(consistent(e)).toBe(true);
          if (bootGrace) expect(e.findings.every((f) => f.severity === 'INFO')).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
