import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syntheticClusterResources } from '../../exporter/src/pve-model/synthetic.js';

export const GUESTS = 1000;
/** Faster than the default 15 s, so that refreshes fall inside the timed scrapes. */
export const GUESTS_PVE_INTERVAL_S = 5;
const NODES = ['pve1', 'pve2', 'pve3'];

export interface GuestsFixture {
  /** Folder for tests/fake-bin/pvesh-recorded (its PVESH_FIXTURES). */
  fixtures: string;
  /** Where the stand-in appends each call's time and arguments (its PVESH_CALL_TIMES). */
  callLog: string;
  config: string;
}

/**
 * A 3-node cluster with GUESTS guests behind the pvesh stand-in, and a config that reports the whole
 * cluster (so every guest becomes series) with the pve source refreshed every 5 s.
 */
export async function writeGuestsFixture(workDir: string, pvesh: string): Promise<GuestsFixture> {
  const fixtures = join(workDir, 'pve-1000');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(fixtures);
  await writeFile(join(fixtures, 'resources.json'), JSON.stringify(syntheticClusterResources(GUESTS, 3)));
  const routes = {
    'get /nodes': { value: NODES.map((node) => ({ node, status: 'online' })) },
    'get /cluster/status': {
      value: [
        { type: 'cluster', id: 'cluster', name: 'bench', nodes: 3, quorate: 1, version: 3 },
        ...NODES.map((name, i) => ({
          type: 'node',
          id: `node/${name}`,
          name,
          nodeid: i + 1,
          online: 1,
          local: i === 0 ? 1 : 0,
        })),
      ],
    },
    'get /cluster/resources?type=vm': { file: 'resources.json', wrapped: true },
    'get /version': { value: { release: '9.2', version: '9.2.2', repoid: 'bench' } },
    'get /nodes/pve1/status': { value: { cpu: 0.05, uptime: 86400, loadavg: ['0.5', '0.4', '0.3'] } },
    'get /nodes/pve1/storage': {
      value: [
        {
          storage: 'local',
          type: 'dir',
          content: 'backup,iso',
          active: 1,
          enabled: 1,
          total: 1e11,
          used: 4e10,
          avail: 6e10,
        },
      ],
    },
  };
  await writeFile(join(fixtures, 'routes.json'), JSON.stringify(routes));
  const config = join(workDir, 'proxmon-1000.yaml');
  await writeFile(
    config,
    [
      'pve:',
      '  mode: pvesh',
      '  scope: cluster',
      'tools:',
      `  pvesh: ${JSON.stringify(pvesh)}`,
      'sources:',
      '  pve:',
      `    interval_seconds: ${GUESTS_PVE_INTERVAL_S}`,
      '',
    ].join('\n'),
  );
  return { fixtures, callLog: join(workDir, 'pvesh-calls.log'), config };
}

export interface PveshCall {
  /** ms since the epoch. */
  at: number;
  /** Verb and path, query stripped: `get /cluster/resources`. */
  call: string;
}

/** The stand-in's calls, in order. */
export async function pveshCalls(callLog: string): Promise<PveshCall[]> {
  const text = await readFile(callLog, 'utf8').catch(() => '');
  const calls: PveshCall[] = [];
  for (const line of text.split('\n')) {
    const [at, verb, path] = line.split(' ');
    if (at && verb && path) calls.push({ at: Number(at), call: `${verb} ${path}` });
  }
  return calls;
}

export function countByCall(calls: readonly PveshCall[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { call } of calls) counts.set(call, (counts.get(call) ?? 0) + 1);
  return counts;
}
