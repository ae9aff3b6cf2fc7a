/**
 * `npm run bench`: proxmon against Debian's prometheus-node-exporter on this machine, first with the
 * real host tools, then with tools that hang. Prints markdown tables and PASS/FAIL lines on stdout,
 * progress on stderr. Exit 0: all targets met; 1: a target missed; 2: the bench itself failed.
 */
import { randomUUID } from 'node:crypto';
import { access, chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './bench/cleanup.js';
import {
  countByCall,
  GUESTS,
  GUESTS_PVE_INTERVAL_S,
  pveshCalls,
  writeGuestsFixture,
} from './bench/guests.js';
import { runHealthPhase } from './bench/health.js';
import { freePort } from './bench/http-get.js';
import { killMarkedProcesses, markedEnv } from './bench/marker.js';
import { measureAlternately, waitForStableSeries, type Measurement } from './bench/measure.js';
import { ensureNodeExporter, startNodeExporter } from './bench/node-exporter.js';
import { parseBenchOptions, usage, type BenchOptions } from './bench/options.js';
import { sourceErrorCounts, startProxmon, waitForSourceError } from './bench/proxmon.js';
import {
  buildVersion,
  checkTargets,
  ms,
  renderChecks,
  renderComparison,
  type Check,
} from './bench/report.js';
import type { Server } from './bench/server.js';

const HOST = '127.0.0.1';
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FAKE_BIN = fileURLToPath(new URL('./bench/fake-bin', import.meta.url));
const PVESH = fileURLToPath(new URL('../tests/fake-bin/pvesh-recorded', import.meta.url));
/** The sensors source times out after 5 s and runs every 10 s, so its first error lands well within this. */
const HUNG_SOURCE = 'sensors';
const HUNG_WAIT_MS = 40_000;

const print = (text = '') => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(process.argv.slice(2), join(REPO_ROOT, 'exporter/dist/cli.js'));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (options === 'help') {
    print(usage);
    return 0;
  }
  const cleanup = new Cleanup();
  cleanup.runOnSignals();
  try {
    const checks = await runBench(options, cleanup);
    const failed = checks.filter((c) => !c.pass).length;
    print('\n## Result\n');
    print(
      failed === 0
        ? `PASS: all ${checks.length} checks passed`
        : `FAIL: ${failed} of ${checks.length} checks failed`,
    );
    return failed === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`bench failed: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await cleanup.run();
  }
}

/** What both phases share. */
interface Bench {
  options: BenchOptions;
  cleanup: Cleanup;
  workDir: string;
  env: NodeJS.ProcessEnv;
  nodeExporter: Server;
}

async function runBench(options: BenchOptions, cleanup: Cleanup): Promise<Check[]> {
  if (options.only === 'health') return runHealthPhase(cleanup);
  try {
    await access(options.proxmonCli);
  } catch {
    throw new Error(`${options.proxmonCli} not found; build the exporter first (npm run build)`);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'proxmon-bench-'));
  cleanup.add('remove temp dir', () => rm(workDir, { recursive: true, force: true }));
  const runId = randomUUID();
  // Registered before any server, so it runs after they are stopped and catches what they left.
  cleanup.add('kill leftover processes', async () => {
    const killed = await killMarkedProcesses(runId);
    if (killed.length > 0) progress(`killed ${killed.length} leftover process(es): ${killed.join('; ')}`);
  });
  const env = markedEnv(runId);

  const binary = await ensureNodeExporter();
  progress('starting node_exporter');
  const nodeExporter = await startNodeExporter({
    binary,
    host: HOST,
    port: await freePort(HOST),
    workDir,
    env,
  });
  cleanup.add('stop node_exporter', () => nodeExporter.stop());

  const bench: Bench = { options, cleanup, workDir, env, nodeExporter };
  printSetup(options, binary, nodeExporter);
  if (options.only === 'guests') return runGuestsPhase(bench);
  const healthy = await runHealthyPhase(bench);
  const hung = await runHungPhase(bench, healthy.proxmon);
  const guests = await runGuestsPhase(bench);
  const health = await runHealthPhase(cleanup);
  return [...healthy.checks, ...hung, ...guests, ...health];
}

/** Phase 1: proxmon with the host's real tools. */
async function runHealthyPhase(bench: Bench): Promise<{ proxmon: Measurement; checks: Check[] }> {
  print('\n## 1. Real host tools\n');
  const proxmon = await launchProxmon(bench, 'proxmon');
  await settle(proxmon);
  const [base, ours] = await measure(bench, proxmon);
  print(
    `- versions: node_exporter ${version(base.metricsText, 'node_exporter_build_info')}, ` +
      `proxmon ${version(ours.metricsText, 'proxmon_build_info')}\n`,
  );
  print(renderComparison(base, ours, 'proxmon'));
  const checks = checkTargets(ours, base);
  print(`\n${renderChecks(checks)}`);
  // Keep the machine quiet for the second instance; its RSS has been read.
  await proxmon.stop();
  return { proxmon: ours, checks };
}

/** Phase 2: a second proxmon whose host tools never answer; its scrapes must not suffer. */
async function runHungPhase(bench: Bench, healthy: Measurement): Promise<Check[]> {
  print('\n## 2. Hung host tools\n');
  const fakeBin = await copyFakeBin(bench.workDir);
  const tools = (await readdir(fakeBin)).sort().map((t) => `\`${t}\``);
  const proxmon = await launchProxmon(bench, 'proxmon-hung', fakeBin);
  print(
    `- its PATH starts with a folder in which ${tools.join(', ')} only run \`sleep 100000\`; the first instance is stopped.`,
  );

  progress(`waiting up to ${HUNG_WAIT_MS / 1000} s for the ${HUNG_SOURCE} source to time out`);
  const timedOut = await waitForSourceError(proxmon, HUNG_SOURCE, HUNG_WAIT_MS);
  const checks: Check[] = [
    {
      pass: timedOut !== undefined,
      label: `hung proxmon: the ${HUNG_SOURCE} source reported an error`,
      detail: timedOut
        ? `after ${(timedOut.elapsedMs / 1000).toFixed(1)} s`
        : `none within ${HUNG_WAIT_MS / 1000} s`,
    },
  ];
  if (timedOut) {
    const failing = [...sourceErrorCounts(timedOut.metricsText)].filter(([, n]) => n > 0);
    print(
      `- sources with errors once ${HUNG_SOURCE} had failed: ${failing.map(([s, n]) => `${s}=${n}`).join(', ')}`,
    );
  }
  if (!/source="smart/.test(timedOut?.metricsText ?? '')) {
    print(
      '- smartctl has no proxmon source yet (issue 4), so the hang is exercised via sensors, ping and pveversion.',
    );
  }

  const [base, ours] = await measure(bench, proxmon);
  print(`\n${renderComparison(base, ours, 'hung proxmon')}\n`);
  print(
    `hung median / healthy median = ${(ours.medianMs / healthy.medianMs).toFixed(2)} ` +
      `(${ms(ours.medianMs)} / ${ms(healthy.medianMs)})\n`,
  );
  const targets = checkTargets(ours, base, 'hung proxmon');
  print(renderChecks([...checks, ...targets]));
  const allMet = targets.every((c) => c.pass);
  print(`${allMet ? 'PASS' : 'FAIL'}  hung proxmon ${allMet ? 'still meets' : 'misses'} the targets`);
  return [...checks, ...targets];
}

/** Phase 3: a 3-node cluster with 1000 guests served by the pvesh stand-in, reported in cluster scope. */
async function runGuestsPhase(bench: Bench): Promise<Check[]> {
  print(`\n## 3. ${GUESTS} guests\n`);
  const fx = await writeGuestsFixture(bench.workDir, PVESH);
  const proxmon = await launchProxmon(bench, 'proxmon-guests', undefined, {
    PROXMON_CONFIG: fx.config,
    PVESH_FIXTURES: fx.fixtures,
    PVESH_CALL_TIMES: fx.callLog,
  });
  print(
    `- a 3-node cluster with ${GUESTS} guests in \`/cluster/resources\`, served by \`tests/fake-bin/pvesh-recorded\`; ` +
      `pve.scope cluster, the pve source every ${GUESTS_PVE_INTERVAL_S} s`,
  );
  await settle(proxmon);
  const [base, ours] = await measure(bench, proxmon);
  const guests = (ours.metricsText.match(/^proxmon_guest_up\{/gm) ?? []).length;
  // Stopped first, so no refresh is half-way through its calls when they are counted.
  await proxmon.stop();
  const log = await pveshCalls(fx.callLog);
  const calls = countByCall(log);
  // One call per refresh shows as calls one interval apart: a second call in a refresh would be
  // milliseconds after the first.
  const resourcesAt = log.filter((c) => c.call === 'get /cluster/resources').map((c) => c.at);
  const gapsS = resourcesAt.slice(1).map((at, i) => (at - (resourcesAt[i] ?? 0)) / 1000);
  const minGapS = Math.min(...gapsS);
  const perGuest = [...calls]
    .filter(([path]) => /\/(qemu|lxc)\/\d+/.test(path))
    .reduce((n, [, c]) => n + c, 0);
  print(`\n${renderComparison(base, ours, 'proxmon')}\n`);
  print(`- pvesh calls by path: ${[...calls].map(([p, n]) => `\`${p}\` ${n}`).join(', ')}\n`);
  const checks: Check[] = [
    {
      pass: guests === GUESTS,
      label: `every guest is reported`,
      detail: `${guests} proxmon_guest_up series`,
    },
    {
      pass: resourcesAt.length >= 2 && minGapS >= 0.8 * GUESTS_PVE_INTERVAL_S,
      label: 'one /cluster/resources call per pve refresh',
      detail: `${resourcesAt.length} calls, at least ${minGapS.toFixed(1)} s apart; the interval is ${GUESTS_PVE_INTERVAL_S} s`,
    },
    { pass: perGuest === 0, label: 'no per-guest calls for the counters', detail: `${perGuest} calls` },
    ...checkTargets(ours, base, `${GUESTS}-guest proxmon`),
  ];
  print(renderChecks(checks));
  return checks;
}

async function launchProxmon(
  bench: Bench,
  name: string,
  pathPrefix?: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Server> {
  progress(`starting ${name}`);
  const { options, workDir, cleanup } = bench;
  const env = { ...bench.env, ...extraEnv };
  const port = await freePort(HOST);
  const proxmon = await startProxmon({
    name,
    cli: options.proxmonCli,
    host: HOST,
    port,
    workDir,
    env,
    pathPrefix,
  });
  cleanup.add(`stop ${name}`, () => proxmon.stop());
  print(
    `- ${name}: \`node ${displayPath(options.proxmonCli)}\`, pid ${proxmon.pid}, ${HOST}:${proxmon.port}`,
  );
  return proxmon;
}

/** node_exporter first, proxmon second, alternating. */
async function measure(bench: Bench, proxmon: Server): Promise<[Measurement, Measurement]> {
  const { scrapes, warmup } = bench.options;
  progress(`scraping node_exporter and ${proxmon.name} (${warmup} warm-up + ${scrapes} timed scrapes each)`);
  const [base, ours] = await measureAlternately([bench.nodeExporter, proxmon], { scrapes, warmup });
  if (!base || !ours) throw new Error('measurement returned no results');
  return [base, ours];
}

function printSetup(options: BenchOptions, binary: string, nodeExporter: Server): void {
  const cpuList = cpus();
  const load = loadavg().map((l) => l.toFixed(2));
  print('# proxmon vs node_exporter\n');
  print(
    `- ${options.scrapes} timed scrapes per target, alternating, after ${options.warmup} warm-up scrapes each; ` +
      'one keep-alive connection per target; `Accept-Encoding: gzip`; latency = request sent to last byte ' +
      'received; series counted in the last response; RSS = VmRSS of the server process after the run',
  );
  print(
    `- machine: ${cpuList.length} × ${cpuList[0]?.model ?? 'unknown CPU'}, node ${process.version}, ` +
      `load average ${load.join(' ')} at start`,
  );
  print(`- node_exporter: \`${binary}\`, pid ${nodeExporter.pid}, ${HOST}:${nodeExporter.port}`);
}

/** Measure once every source has reported, not against a half-filled first scrape. */
async function settle(proxmon: Server): Promise<void> {
  progress('waiting for proxmon series count to settle');
  const { series, settled, elapsedMs } = await waitForStableSeries(proxmon, {
    quietMs: 3_000,
    maxMs: 20_000,
  });
  const after = `${(elapsedMs / 1000).toFixed(1)} s`;
  print(
    settled
      ? `- proxmon settled at ${series} series after ${after}`
      : `- proxmon still changing after ${after} (${series} series)`,
  );
}

/** A private copy, so the scripts are executable whatever mode the checkout left them with. */
async function copyFakeBin(workDir: string): Promise<string> {
  const target = join(workDir, 'fake-bin');
  await cp(FAKE_BIN, target, { recursive: true });
  for (const tool of await readdir(target)) await chmod(join(target, tool), 0o755);
  return target;
}

function displayPath(path: string): string {
  const inRepo = relative(REPO_ROOT, path);
  return inRepo.startsWith('..') ? path : inRepo;
}

function version(metricsText: string, metric: string): string {
  return buildVersion(metricsText, metric) ?? '(version unknown)';
}

process.exitCode = await main();
