/**
 * Records real NUT protocol replies for the ups source's parser tests: a real `upsd` (Debian
 * nut-server) serves the recorded device dumps in exporter/src/sources/ups/fixtures/*.dev through
 * `dummy-ups`, and each reply is saved byte for byte. Run as root or a user that may start upsd:
 *
 *   npx tsx scripts/nut/record-fixtures.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNut, talk } from '../../tests/nut.js';

const fixtures = fileURLToPath(new URL('../../exporter/src/sources/ups/fixtures/', import.meta.url));
const dump = (file: string) => readFileSync(`${fixtures}${file}`, 'utf8');
const save = (file: string, text: string) => {
  writeFileSync(`${fixtures}${file}`, text);
  console.log(`wrote ${file} (${text.length} bytes)`);
};

const upses = [
  { name: 'es750', dev: dump('upsc-apc-backups-es750-ol-chrg-lb.dev') },
  { name: 'smartups', dev: dump('upsc-apc-smartups2200-onbattery.dev') },
  { name: 'cp1000d', dev: dump('upsc-cyberpower-cp1000d-onbattery-dischrg.dev') },
  { name: 'pw9130', dev: dump('upsc-eaton-powerware9130-onbattery.dev') },
  { name: 'cp900', dev: dump('upsc-cyberpower-cp900-online.txt') },
  // upsd escapes quotes and backslashes in the description; dummy-ups cannot put them in values.
  { name: 'dummy', dev: 'ups.model: Dummy 1500\nups.status: OL\n', desc: 'rack "A" \\ left' },
].map((u) => ({ ...u, mode: 'dummy-once' as const }));

const MAX_AGE = 5;
const nut = await startNut(upses, { maxAgeSeconds: MAX_AGE });
try {
  save('nut-list-ups-six.txt', await talk(nut.port, ['LIST UPS']));
  for (const u of upses.slice(0, 5))
    save(`nut-list-var-${u.name}.txt`, await talk(nut.port, [`LIST VAR ${u.name}`]));

  save('nut-err-unknown-ups.txt', await talk(nut.port, ['LIST VAR nosuch']));

  nut.pauseDriver('cp900');
  await new Promise((r) => setTimeout(r, (MAX_AGE + 3) * 1000));
  save('nut-err-data-stale.txt', await talk(nut.port, ['LIST VAR cp900']));
  nut.resumeDriver('cp900');

  await nut.killDriver('pw9130');
  await new Promise((r) => setTimeout(r, 1000));
  save('nut-err-driver-not-connected.txt', await talk(nut.port, ['LIST VAR pw9130']));
} finally {
  await nut.stop();
}
