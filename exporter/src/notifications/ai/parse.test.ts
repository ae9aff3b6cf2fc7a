import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RenderedMessage } from '../channels/channel.js';
import { extractIdentifiers, MAX_TITLE_CHARS, parseRewriteReply } from './parse.js';

function message(overrides: Partial<RenderedMessage> = {}): RenderedMessage {
  return {
    title: 'Backup failed: VM 101 (web01)',
    body: 'vzdump of VM 101 failed after 2m 14s.\nReason: storage "backup-nfs" is not online',
    severity: 'CRITICAL',
    type: 'backup_fail',
    group: 'backup',
    fields: [
      { label: 'VM', value: '101 (web01)' },
      { label: 'Storage', value: 'backup-nfs' },
    ],
    host: 'pve1',
    at: Date.UTC(2026, 10, 26, 3, 0, 0),
    ...overrides,
  };
}

const SPANISH = [
  '[TITLE]',
  'Copia de seguridad fallida: VM 101 (web01)',
  '[BODY]',
  'vzdump de la VM 101 falló tras 2m 14s.',
  'Motivo: el almacenamiento "backup-nfs" no está en línea.',
].join('\n');

const reason = (r: ReturnType<typeof parseRewriteReply>) => (r.ok ? 'ok' : r.error.message);

describe('parseRewriteReply', () => {
  it('accepts a faithful rewrite and returns its title and body', () => {
    expect(parseRewriteReply(SPANISH, message())).toEqual({
      ok: true,
      value: {
        title: 'Copia de seguridad fallida: VM 101 (web01)',
        body: 'vzdump de la VM 101 falló tras 2m 14s.\nMotivo: el almacenamiento "backup-nfs" no está en línea.',
      },
    });
  });

  it('tolerates CRLF, a title on the marker line, a code fence, reasoning and bold markers', () => {
    const reply =
      '<think>The user wants Spanish.</think>\r\n```text\r\n[TITLE] **Copia fallida: VM 101 (web01)**\r\n[BODY]\r\n## Detalle\r\nVM 101, almacenamiento backup-nfs.  \r\n```';
    expect(parseRewriteReply(reply, message())).toEqual({
      ok: true,
      value: { title: 'Copia fallida: VM 101 (web01)', body: 'Detalle\nVM 101, almacenamiento backup-nfs.' },
    });
  });

  it.each([
    ['no sections', 'Backup of VM 101 (web01) failed on backup-nfs.', 'reply does not start with [TITLE]'],
    [
      'text before the title',
      'Sure!\n[TITLE]\nVM 101\n[BODY]\nbackup-nfs web01',
      'reply does not start with [TITLE]',
    ],
    [
      'missing body marker',
      '[TITLE]\nVM 101 (web01) backup-nfs',
      '[TITLE] and [BODY] must each appear exactly once',
    ],
    [
      'repeated markers',
      '[TITLE]\nVM 101 (web01)\n[BODY]\nbackup-nfs\n[BODY]\nagain',
      '[TITLE] and [BODY] must each appear exactly once',
    ],
    ['body before title', '[BODY]\nbackup-nfs\n[TITLE]\nVM 101 (web01)', 'reply does not start with [TITLE]'],
    ['empty title', '[TITLE]\n\n[BODY]\nVM 101 (web01) backup-nfs', 'empty title'],
    ['empty body', '[TITLE]\nVM 101 (web01) backup-nfs\n[BODY]\n  \n', 'empty body'],
    ['multi-line title', '[TITLE]\nVM 101\n(web01)\n[BODY]\nbackup-nfs', 'title spans several lines'],
    [
      'unterminated reasoning',
      '<think>hmm\n[TITLE]\nVM 101 (web01)\n[BODY]\nbackup-nfs',
      'unterminated <think> block',
    ],
  ])('rejects %s', (_, reply, why) => {
    expect(reason(parseRewriteReply(reply, message()))).toBe(`AI reply rejected: ${why}`);
  });

  it(`rejects a title longer than ${MAX_TITLE_CHARS} characters`, () => {
    const reply = `[TITLE]\nVM 101 (web01) ${'x'.repeat(MAX_TITLE_CHARS)}\n[BODY]\nbackup-nfs`;
    expect(reason(parseRewriteReply(reply, message()))).toBe(
      'AI reply rejected: title longer than 250 characters',
    );
  });

  it('allows an empty body when the original had none', () => {
    const original = message({ body: '', title: 'Node pve2 rebooted' });
    expect(parseRewriteReply('[TITLE]\nNodo pve2 reiniciado\n[BODY]\n', original)).toEqual({
      ok: true,
      value: { title: 'Nodo pve2 reiniciado', body: '' },
    });
  });

  it.each([
    ['a vmid', SPANISH.replaceAll('101', 'ciento uno'), '101'],
    ['a guest name', SPANISH.replaceAll('(web01)', '(web)'), 'web01'],
    ['a storage name from the fields', SPANISH.replace('"backup-nfs"', 'NFS'), 'backup-nfs'],
  ])('rejects a rewrite that drops %s', (_, reply, id) => {
    expect(reason(parseRewriteReply(reply, message()))).toBe(
      `AI reply rejected: identifiers dropped or changed: ${id}`,
    );
  });

  it('rejects changed IPv4 and IPv6 addresses, /dev paths and host names', () => {
    const original = message({
      severity: 'WARNING',
      title: 'I/O errors on /dev/sdb at pve2.example.com',
      body: 'Peer 10.20.0.15 and fe80::1ff:fe23:4567:890a lost /dev/disk/by-id/ata-ST4000-Z1Z0 (sdb).',
      fields: [],
    });
    const reply = [
      '[TITLE]',
      'Errores de E/S en /dev/sda en pve2',
      '[BODY]',
      'El par 10.20.0.1 y fe80::1 perdieron el disco.',
    ].join('\n');
    expect(reason(parseRewriteReply(reply, original))).toBe(
      'AI reply rejected: identifiers dropped or changed: 10.20.0.15, fe80::1ff:fe23:4567:890a, /dev/sdb, /dev/disk/by-id/ata-ST4000-Z1Z0, pve2.example.com',
    );
    const faithful = [
      '[TITLE]',
      'Errores de E/S en /dev/sdb en pve2.example.com',
      '[BODY]',
      'El par 10.20.0.15 y fe80::1ff:fe23:4567:890a perdieron /dev/disk/by-id/ata-ST4000-Z1Z0 (sdb).',
    ].join('\n');
    expect(parseRewriteReply(faithful, original).ok).toBe(true);
  });

  it('rejects a dropped or swapped severity word, and allows naming the own severity', () => {
    const original = message({
      severity: 'WARNING',
      title: 'pve1: WARNING cpu',
      body: 'CPU usage 93% for 300 s.',
      fields: [],
    });
    const softer = '[TITLE]\npve1: INFO cpu\n[BODY]\nUso de CPU 93% durante 300 s.';
    expect(reason(parseRewriteReply(softer, original))).toBe(
      'AI reply rejected: severity word dropped: WARNING',
    );
    const added = '[TITLE]\npve1: WARNING cpu\n[BODY]\nUso de CPU 93% durante 300 s. Estado: CRITICAL';
    expect(reason(parseRewriteReply(added, original))).toBe(
      'AI reply rejected: severity word introduced: CRITICAL',
    );
    const plain = message({ severity: 'CRITICAL' });
    expect(parseRewriteReply(SPANISH.replace('fallida', 'fallida (CRITICAL)'), plain).ok).toBe(true);
  });
});

describe('extractIdentifiers', () => {
  it('finds addresses, numbers, paths, names and identifier-like field values', () => {
    const text =
      'pve1: ZFS pool rpool on /dev/nvme0n1p3 (nvme0n1) degraded; see /etc/pve/storage.cfg, 2048 GiB, 10.0.0.7:8006, node2.lan, sdc, eth0, vmbr0, 14s, I/O, KiB/s, https://pve1:8006/#v1';
    const original = message({
      host: 'pve1',
      fields: [
        { label: 'Pool', value: 'rpool' },
        { label: 'x', value: 'yes' },
      ],
    });
    expect(extractIdentifiers(text, original).sort()).toEqual(
      [
        '10.0.0.7',
        '2048',
        '8006',
        '/dev/nvme0n1p3',
        '/etc/pve/storage.cfg',
        'storage.cfg',
        'node2.lan',
        'node2',
        'sdc',
        'pve1',
        'nvme0n1p3',
        'nvme0n1',
        'eth0',
        'vmbr0',
        'v1',
      ].sort(),
    );
  });
});

describe('parseRewriteReply properties', () => {
  it('never throws on arbitrary replies: a clear rejection or a checked rewrite', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 200 }), (reply, body) => {
        const result = parseRewriteReply(reply, message({ body }));
        if (result.ok) {
          expect(result.value.title).not.toBe('');
          expect(result.value.title).not.toContain('\n');
          expect(result.value.title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
        } else {
          expect(result.error.kind).toBe('parse');
          expect(result.error.message).toMatch(/^AI reply rejected: /);
        }
      }),
    );
  });

  it('never throws on replies shaped like the format, with arbitrary sections', () => {
    const section = fc.string({
      unit: fc.constantFrom('a', '1', '0', '.', ':', '/', ' ', '\n', '[', ']', '*', '#', 'é', '语'),
      maxLength: 80,
    });
    fc.assert(
      fc.property(section, section, section, (title, body, originalBody) => {
        const original = message({ body: originalBody, title: 'VM 101', fields: [] });
        const result = parseRewriteReply(`[TITLE]\n${title}\n[BODY]\n${body}`, original);
        if (result.ok) {
          for (const id of extractIdentifiers(`${original.title}\n${original.body}`, original)) {
            expect(`${result.value.title}\n${result.value.body}`).toContain(id);
          }
        }
      }),
    );
  });

  it('accepts an unchanged restatement of any plain message', () => {
    const line = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,:/()-]{0,60}$/);
    fc.assert(
      fc.property(line, fc.array(line, { maxLength: 4 }), (title, lines) => {
        const original = message({ title, body: lines.join('\n'), fields: [] });
        const result = parseRewriteReply(`[TITLE]\n${title}\n[BODY]\n${lines.join('\n')}`, original);
        expect(reason(result)).toBe('ok');
      }),
    );
  });
});
