import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './protocol.js';

const text = (s: string) => parseClientFrame(Buffer.from(s), false);

describe('parseClientFrame', () => {
  it('treats binary frames as input, whatever they hold', () => {
    expect(parseClientFrame(Buffer.from('{"type":"ping"}'), true)).toEqual({
      kind: 'data',
      bytes: Buffer.from('{"type":"ping"}'),
    });
  });

  it('reads the control frames', () => {
    expect(text('{"type":"ping"}')).toEqual({ kind: 'control', frame: { type: 'ping' } });
    expect(text('{"type":"resize","cols":120,"rows":40}')).toEqual({
      kind: 'control',
      frame: { type: 'resize', cols: 120, rows: 40 },
    });
    expect(text('{"type":"attach","vmid":101}')).toEqual({
      kind: 'control',
      frame: { type: 'attach', vmid: 101 },
    });
  });

  it('treats text that is not a typed JSON object as input', () => {
    for (const s of ['ls -l\r', '{', '{"cols":1}', '[1]', '{"type":3}', ' {"type":"ping"}'])
      expect(text(s).kind, s).toBe('data');
  });

  it('refuses control frames with bad fields, unknown types or a bad vmid', () => {
    for (const s of [
      '{"type":"resize","cols":0,"rows":10}',
      '{"type":"resize","cols":10.5,"rows":10}',
      '{"type":"resize","cols":10}',
      '{"type":"reboot"}',
      '{"type":"attach","vmid":99}',
      '{"type":"attach","vmid":1000000000}',
      '{"type":"attach","vmid":101.5}',
      '{"type":"attach","vmid":"101; rm -rf /"}',
      '{"type":"attach","vmid":101,"cmd":"sh"}',
    ])
      expect(text(s).kind, s).toBe('invalid');
    expect(text('{"type":"attach","vmid":"101"}')).toMatchObject({ message: expect.stringMatching(/vmid/) });
  });

  it('never throws, and never turns arbitrary input into an attach', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, binary) => {
        const f = parseClientFrame(Buffer.from(bytes), binary);
        if (f.kind === 'control' && f.frame.type === 'attach') {
          expect(Number.isInteger(f.frame.vmid)).toBe(true);
          expect(f.frame.vmid).toBeGreaterThanOrEqual(100);
        }
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const f = text(JSON.stringify(v) ?? '');
        expect(['data', 'control', 'invalid']).toContain(f.kind);
      }),
    );
  });
});
