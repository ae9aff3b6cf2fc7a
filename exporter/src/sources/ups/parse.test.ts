import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseListReply,
  parseNutErr,
  parseNutNumber,
  quoteNutWord,
  readUpsList,
  readUpsValues,
  readVarList,
  splitNutWords,
  type UpsValues,
} from './parse.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
const lines = (file: string) =>
  text(file)
    .split('\n')
    .filter((l) => l !== '');

/** A recorded LIST VAR reply, through the parser, as the typed values the metrics use. */
function valuesOf(file: string, ups: string): UpsValues {
  const reply = parseListReply(lines(file), ['VAR', ups]);
  if (!reply?.ok) throw new Error(`${file}: ${JSON.stringify(reply)}`);
  const vars = readVarList(reply.value);
  if (!vars.ok) throw new Error(vars.error.message);
  return readUpsValues(vars.value);
}

describe('recorded upsd 2.8.0 replies (dummy-ups serving the nut-ddl device dumps)', () => {
  it('LIST UPS: six UPSes, one description with escaped quotes and backslash', () => {
    const reply = parseListReply(lines('nut-list-ups-six.txt'), ['UPS']);
    if (!reply?.ok) throw new Error('not a list');
    const upses = readUpsList(reply.value);
    expect(upses.ok && upses.value.map((u) => u.name)).toEqual([
      'es750',
      'smartups',
      'cp1000d',
      'pw9130',
      'cp900',
      'dummy',
    ]);
    expect(upses.ok && upses.value[5]).toEqual({ name: 'dummy', description: 'rack "A" \\ left' });
  });

  it('APC Back-UPS ES 750: on line, charging, low battery', () => {
    expect(valuesOf('nut-list-var-es750.txt', 'es750')).toEqual({
      model: 'Back-UPS ES 750',
      mfr: 'American Power Conversion',
      serial: '3B0804X42777',
      driver: 'dummy-ups',
      status: ['OL', 'CHRG', 'LB'],
      batteryChargeRatio: 0.35,
      loadRatio: 0.42,
      batteryRuntimeSeconds: 0,
      inputVolts: 119,
      batteryVolts: 11.8,
      realpowerNominalWatts: 450,
    });
  });

  it('APC Smart-UPS 2200: on battery, discharging, runtime saturated at 65535 s', () => {
    expect(valuesOf('nut-list-var-smartups.txt', 'smartups')).toEqual({
      model: 'Smart-UPS 2200',
      mfr: 'American Power Conversion',
      serial: 'AS1250244567',
      driver: 'dummy-ups',
      status: ['OB', 'DISCHRG'],
      batteryChargeRatio: 0.93,
      loadRatio: 0.052,
      batteryRuntimeSeconds: 65535,
      inputVolts: 0,
      outputVolts: 220.4,
      batteryVolts: 52.4,
    });
  });

  it('CyberPower CP 1000D: on battery, no serial', () => {
    expect(valuesOf('nut-list-var-cp1000d.txt', 'cp1000d')).toEqual({
      model: 'CP 1000D',
      mfr: 'CPS',
      driver: 'dummy-ups',
      status: ['OB', 'DISCHRG'],
      batteryChargeRatio: 0.93,
      loadRatio: 0.13,
      batteryRuntimeSeconds: 2572,
      inputVolts: 0,
      outputVolts: 120,
      batteryVolts: 12.1,
      realpowerNominalWatts: 68,
    });
  });

  it('Eaton Powerware 9130: on battery with no battery or load figures at all', () => {
    expect(valuesOf('nut-list-var-pw9130.txt', 'pw9130')).toEqual({
      model: '9130',
      mfr: 'EATON Powerware',
      serial: 'GG414A0357',
      driver: 'dummy-ups',
      status: ['OB'],
    });
  });

  it('CyberPower CP900EPFCLCD: on line', () => {
    expect(valuesOf('nut-list-var-cp900.txt', 'cp900')).toEqual({
      model: 'CP900EPFCLCD',
      mfr: 'CPS',
      serial: '000000000000',
      driver: 'dummy-ups',
      status: ['OL'],
      batteryChargeRatio: 1,
      loadRatio: 0.13,
      batteryRuntimeSeconds: 4020,
      inputVolts: 228,
      outputVolts: 228,
      batteryVolts: 24,
      realpowerNominalWatts: 540,
    });
  });

  it.each([
    ['nut-err-data-stale.txt', 'DATA-STALE'],
    ['nut-err-driver-not-connected.txt', 'DRIVER-NOT-CONNECTED'],
    ['nut-err-unknown-ups.txt', 'UNKNOWN-UPS'],
  ])('%s is an ERR reply with code %s', (file, code) => {
    expect(parseListReply(lines(file), ['VAR', 'x'])).toEqual({
      ok: false,
      error: { code, message: `ERR ${code}` },
    });
  });

  it('the replies carry the device dumps they were served from (upsc .dev files)', () => {
    const pairs: [string, string, string][] = [
      ['upsc-apc-backups-es750-ol-chrg-lb.dev', 'nut-list-var-es750.txt', 'es750'],
      ['upsc-apc-smartups2200-onbattery.dev', 'nut-list-var-smartups.txt', 'smartups'],
      ['upsc-cyberpower-cp1000d-onbattery-dischrg.dev', 'nut-list-var-cp1000d.txt', 'cp1000d'],
      ['upsc-eaton-powerware9130-onbattery.dev', 'nut-list-var-pw9130.txt', 'pw9130'],
      ['upsc-cyberpower-cp900-online.txt', 'nut-list-var-cp900.txt', 'cp900'],
    ];
    for (const [dev, listed, ups] of pairs) {
      const reply = parseListReply(lines(listed), ['VAR', ups]);
      const vars = reply?.ok ? readVarList(reply.value) : undefined;
      if (!vars?.ok) throw new Error(listed);
      // `var: value  #comment` lines; dummy-ups replaces driver.* with its own and trims values.
      for (const line of text(dev).split('\n')) {
        const m = /^([a-z][\w.]*): (.*?)(\s+#.*)?$/.exec(line);
        if (!m?.[1] || m[1].startsWith('driver.')) continue;
        expect(vars.value.get(m[1]), `${dev} ${m[1]}`).toBe(m[2]?.trim());
      }
    }
  });
});

describe('readUpsValues on other variable maps', () => {
  it('Eaton 5P 1550 over snmp-ups (home-assistant fixture): output.realpower names, 0 % load', () => {
    const json = JSON.parse(text('nut-vars-eaton-5p1550-snmp.json')) as Record<string, string>;
    expect(readUpsValues(new Map(Object.entries(json)))).toEqual({
      model: 'Eaton 5P 1550',
      mfr: 'EATON',
      driver: 'snmp-ups',
      status: ['OL'],
      batteryChargeRatio: 1,
      loadRatio: 0,
      batteryRuntimeSeconds: 17820,
      inputVolts: 247,
      outputVolts: 247,
      batteryVolts: 38,
      realpowerWatts: 0,
      realpowerNominalWatts: 1100,
    });
  });

  it('leaves out what is missing, negative or not a number; prefers device.* names', () => {
    const vars = new Map([
      ['ups.mfr', 'Dummy Manufacturer'],
      ['device.mfr', 'ProbeCorp'],
      ['ups.status', '  OL   TRIM '],
      ['battery.charge', 'n/a'],
      ['battery.runtime', '-1'],
      ['ups.load', '112'],
      ['ups.realpower', '640'],
      ['ups.model', '  '],
    ]);
    expect(readUpsValues(vars)).toEqual({
      mfr: 'ProbeCorp',
      status: ['OL', 'TRIM'],
      loadRatio: 1.12,
      realpowerWatts: 640,
    });
    expect(readUpsValues(new Map())).toEqual({});
  });
});

describe('protocol lines', () => {
  it('splits quoted words with \\" and \\\\ escapes, and spots an open quote', () => {
    expect(splitNutWords('VAR ups1 ups.model "Smart \\"X\\" \\\\ 1500"')).toEqual([
      'VAR',
      'ups1',
      'ups.model',
      'Smart "X" \\ 1500',
    ]);
    expect(splitNutWords('VAR ups1 empty ""')).toEqual(['VAR', 'ups1', 'empty', '']);
    expect(splitNutWords('  ERR   DATA-STALE ')).toEqual(['ERR', 'DATA-STALE']);
    expect(splitNutWords('VAR ups1 x "open')).toBeUndefined();
    expect(splitNutWords('')).toEqual([]);
  });

  it('quotes words so that they split back unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (w) => {
        expect(splitNutWords(`PASSWORD ${quoteNutWord(w)}`)).toEqual(['PASSWORD', w]);
      }),
    );
  });

  it('reads ERR lines with extra words', () => {
    expect(parseNutErr('ERR ACCESS-DENIED')).toEqual({ code: 'ACCESS-DENIED', message: 'ERR ACCESS-DENIED' });
    expect(parseNutErr('ERR UNKNOWN-COMMAND "extra info"')).toEqual({
      code: 'UNKNOWN-COMMAND',
      message: 'ERR UNKNOWN-COMMAND extra info',
    });
    expect(parseNutErr('OK')).toBeUndefined();
  });

  it('waits for END LIST, and reports a reply that is not the one asked for', () => {
    const begin = 'BEGIN LIST VAR ups1';
    expect(parseListReply([], ['VAR', 'ups1'])).toBeUndefined();
    expect(parseListReply([begin, 'VAR ups1 ups.status "OL"'], ['VAR', 'ups1'])).toBeUndefined();
    expect(
      parseListReply([begin, 'VAR ups1 ups.status "OL"', 'END LIST VAR ups1', 'trailing'], ['VAR', 'ups1']),
    ).toEqual({ ok: true, value: [['ups.status', 'OL']] });
    expect(parseListReply(['BEGIN LIST VAR ups2'], ['VAR', 'ups1'])).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL' },
    });
    expect(parseListReply([begin, 'VAR other x "1"'], ['VAR', 'ups1'])).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL' },
    });
    expect(parseListReply([begin, 'VAR ups1 x "open'], ['VAR', 'ups1'])).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL' },
    });
    expect(readVarList([['lonely']])).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(readUpsList([[]])).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('reads numbers the way NUT writes them', () => {
    expect([parseNutNumber('230.0'), parseNutNumber('-1'), parseNutNumber(' 5.2 ')]).toEqual([230, -1, 5.2]);
    expect([
      parseNutNumber(''),
      parseNutNumber('1e3'),
      parseNutNumber('0x10'),
      parseNutNumber(undefined),
    ]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('never throws on random or truncated replies', () => {
    const recorded = lines('nut-list-var-es750.txt');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.string()),
          fc.nat(recorded.length).map((n) => recorded.slice(0, n)),
          fc.tuple(fc.nat(recorded.length), fc.string()).map(([n, s]) => [...recorded.slice(0, n), s]),
        ),
        (reply) => {
          const r = parseListReply(reply, ['VAR', 'es750']);
          if (r === undefined || !r.ok) return;
          const vars = readVarList(r.value);
          if (vars.ok) expect(typeof readUpsValues(vars.value)).toBe('object');
        },
      ),
    );
  });
});
