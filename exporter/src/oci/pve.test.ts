import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, OCI_REFERENCE, templateName } from './catalogue.js';
import { createParams, templateVolid } from './deploy.js';
import { mergeEnv, parseTaskStatus, pveRelease, supportsOci, taskSucceeded } from './pve.js';

describe('the repo catalogue', () => {
  it('loads and every image is a reference PVE accepts', () => {
    const c = loadCatalogue();
    expect(c.apps.length).toBeGreaterThanOrEqual(3);
    for (const app of c.apps) expect(app.image).toMatch(OCI_REFERENCE);
    const nginx = c.apps.find((a) => a.id === 'nginx')!;
    expect(templateName(nginx)).toBe('proxmon-nginx-1.27-alpine');
    expect(templateVolid({ app: nginx, templateStorage: 'local' })).toBe(
      'local:vztmpl/proxmon-nginx-1.27-alpine.tar',
    );
  });

  it('refuses a catalogue with a bad image or duplicate ids, naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-oci-cat-'));
    const good = loadCatalogue().apps[0]!;
    const write = (apps: unknown[]) => {
      const f = join(dir, `${apps.length}-${Math.random()}.json`);
      writeFileSync(f, JSON.stringify({ version: 1, apps }));
      return f;
    };
    expect(() => loadCatalogue(write([{ ...good, image: 'nginx' }]))).toThrow(
      /apps\.0\.image: an OCI reference with a tag/,
    );
    expect(() => loadCatalogue(write([good, good]))).toThrow(/app ids must be unique/);
    expect(() => loadCatalogue(join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });

  it('builds create parameters that carry the proxmon tags', () => {
    const app = loadCatalogue().apps.find((a) => a.id === 'whoami')!;
    const params = createParams({
      app,
      node: 'pve',
      vmid: 140,
      hostname: 'probe',
      templateStorage: 'local',
      rootfsStorage: 'local-zfs',
      bridge: 'vmbr0',
      cores: 1,
      memoryMb: 64,
      swapMb: 0,
      diskGb: 1,
      start: true,
      env: {},
    });
    expect(params).toMatchObject({ tags: 'proxmon-oci;oci-whoami', rootfs: 'local-zfs:1', unprivileged: 1 });
  });
});

describe('PVE helpers', () => {
  it('reads the release and gates on 9.1', () => {
    const r91 = pveRelease({ version: '9.1.4', release: '9.1', repoid: 'x' });
    expect(r91).toEqual({ ok: true, value: { version: '9.1.4', major: 9, minor: 1 } });
    expect(r91.ok && supportsOci(r91.value)).toBe(true);
    const r90 = pveRelease({ version: '9.0.10' });
    expect(r90.ok && supportsOci(r90.value)).toBe(false);
    const r84 = pveRelease({ version: '8.4.14', release: '8.4' });
    expect(r84.ok && supportsOci(r84.value)).toBe(false);
    expect(supportsOci({ major: 10, minor: 0 })).toBe(true);
    expect(pveRelease({ version: 'x' }).ok).toBe(false);
    expect(pveRelease(null).ok).toBe(false);
  });

  it('reads task states', () => {
    const done = parseTaskStatus({ status: 'stopped', exitstatus: 'OK' });
    expect(done.ok && taskSucceeded(done.value)).toBe(true);
    const warned = parseTaskStatus({ status: 'stopped', exitstatus: 'WARNINGS: 2' });
    expect(warned.ok && taskSucceeded(warned.value)).toBe(true);
    const failed = parseTaskStatus({ status: 'stopped', exitstatus: 'command failed' });
    expect(failed.ok && taskSucceeded(failed.value)).toBe(false);
    expect(parseTaskStatus({ status: 'running' })).toEqual({ ok: true, value: { running: true } });
    expect(parseTaskStatus('x').ok).toBe(false);
  });

  it("merges variables into the image's environment, keeping PATH", () => {
    expect(mergeEnv('PATH=/usr/bin:/bin\0HOME=/root', { TZ: 'Europe/Madrid', HOME: '/data' })).toBe(
      'PATH=/usr/bin:/bin\0HOME=/data\0TZ=Europe/Madrid',
    );
    expect(mergeEnv(undefined, { A: '1' })).toBe('A=1');
  });

  it('never throws on odd input', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(fc.stringMatching(/^[A-Z_]{1,8}$/), fc.string()),
        (v, add) => {
          pveRelease(v);
          parseTaskStatus(v);
          const merged = mergeEnv(typeof v === 'string' ? v : undefined, add);
          for (const k of Object.keys(add))
            expect(merged.split('\0').some((e) => e.startsWith(`${k}=`))).toBe(true);
        },
      ),
    );
  });
});
