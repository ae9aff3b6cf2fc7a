import { fail, ok, type Result } from '../source.js';

/** Protocol → field → value, spelled as the kernel spells them (`Tcp`/`RetransSegs`, `Ip6`/`InOctets`). */
export type NetstatTable = Record<string, Record<string, number>>;

// Letters first: keeps `__proto__` and other odd keys out of the plain objects built here.
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
// Signed: Tcp MaxConn is -1 when unlimited. Bounded so a garbage token cannot become Infinity.
const INTEGER = /^-?\d{1,20}$/;

interface Row {
  protocol: string;
  cells: string[];
}

/**
 * Parses /proc/net/snmp or /proc/net/netstat: per protocol, a line of field names and then a line of
 * values, both prefixed `Proto:`. Fields are matched by position, so a pair whose counts disagree is a
 * parse error naming the protocol rather than a table of mislabelled values.
 */
export function parseProcNetSnmp(text: string, file: string): Result<NetstatTable> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const table: NetstatTable = {};
  for (let i = 0; i < lines.length; i += 2) {
    const names = splitRow(lines[i] ?? '');
    if (names === undefined) {
      return fail('parse', `${file}: expected "Proto: names...", got ${quote(lines[i])}`);
    }
    const values = splitRow(lines[i + 1] ?? '');
    if (values === undefined || values.protocol !== names.protocol) {
      return fail('parse', `${file}: ${names.protocol}: field names without a matching value line`);
    }
    if (names.cells.length !== values.cells.length) {
      return fail(
        'parse',
        `${file}: ${names.protocol}: ${names.cells.length} field names but ${values.cells.length} values`,
      );
    }
    const fields: Record<string, number> = {};
    for (const [j, name] of names.cells.entries()) {
      const value = values.cells[j] ?? '';
      if (!NAME.test(name)) return fail('parse', `${file}: ${names.protocol}: odd field name ${quote(name)}`);
      if (!INTEGER.test(value)) {
        return fail('parse', `${file}: ${names.protocol} ${name}: ${quote(value)} is not an integer`);
      }
      fields[name] = Number(value);
    }
    table[names.protocol] = fields;
  }
  return ok(table);
}

/**
 * Parses /proc/net/snmp6: one `Ip6InOctets  123` line per field. The protocol is the name up to its
 * first `6` (Ip6, Icmp6, Udp6, UdpLite6). Each line stands alone, so an odd one is skipped rather than
 * failing the rest; a file with no usable line at all is a parse error.
 */
export function parseProcNetSnmp6(text: string): Result<NetstatTable> {
  const table: NetstatTable = {};
  let lines = 0;
  let used = 0;
  for (const line of text.split('\n')) {
    const [name, value, ...rest] = line.trim().split(/\s+/);
    if (name === undefined || name === '') continue;
    lines++;
    const match = /^([A-Za-z]+6)([A-Za-z][A-Za-z0-9]*)$/.exec(name);
    if (match === null || value === undefined || rest.length > 0 || !INTEGER.test(value)) continue;
    const [, protocol = '', field = ''] = match;
    (table[protocol] ??= {})[field] = Number(value);
    used++;
  }
  if (lines > 0 && used === 0) return fail('parse', '/proc/net/snmp6: no "name value" lines');
  return ok(table);
}

function splitRow(line: string): Row | undefined {
  const colon = line.indexOf(':');
  const protocol = line.slice(0, colon);
  if (colon < 0 || !NAME.test(protocol)) return undefined;
  return {
    protocol,
    cells: line
      .slice(colon + 1)
      .split(/\s+/)
      .filter((cell) => cell !== ''),
  };
}

function quote(text: string | undefined): string {
  return JSON.stringify((text ?? '').slice(0, 60));
}
