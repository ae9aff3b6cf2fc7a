import { describe, expect, it } from 'vitest';
import { readText, type ReadText } from '../read.js';
import { fail, ok, type HostPaths, type SourceContext } from '../source.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { createDiskstatsSource } from './index.js';

const roots = fixtureRoots(import.meta.url, 'root-pve8-host');
const tree = roots.rootfs;

const context = (paths: Partial<HostPaths>, read: ReadText = readText) =>
  sourceContext({ paths: { ...roots, ...paths }, readText: read });

const names = async (ctx: SourceContext, source = createDiskstatsSource()) => {
  const result = await source.collect(ctx);
  if (!result.ok) throw new Error(result.error.message);
  return { rule: result.value.wholeDiskRule, names: result.value.disks.map((d) => d.name) };
};

const WHOLE = ['nvme0n1', 'sda', 'sdb', 'sr0', 'dm-0', 'dm-1', 'zd0', 'zd16'];

describe('diskstats source', () => {
  it('keeps the devices that have a /sys/block entry under the configured roots', async () => {
    expect(await names(context({}))).toEqual({ rule: 'sysfs', names: WHOLE });
  });

  it('falls back to the name rule when sysfs is not there', async () => {
    expect(await names(context({ sysfs: `${tree}/no-such-sys` }))).toEqual({
      rule: 'name-pattern',
      names: WHOLE,
    });
  });

  it('takes its exclusion list as a parameter', async () => {
    const source = createDiskstatsSource({ excludePrefixes: ['loop', 'zram', 'zd', 'sr'] });
    expect((await names(context({}), source)).names).toEqual(['nvme0n1', 'sda', 'sdb', 'dm-0', 'dm-1']);
  });

  it('asks sysfs once per device, then only reads diskstats', async () => {
    const reads: string[] = [];
    const read: ReadText = (path) => {
      reads.push(path.slice(tree.length));
      return readText(path);
    };
    const source = createDiskstatsSource();
    await names(context({}, read), source);
    // 20 lines less loop0, loop1 and zram0
    expect(reads.filter((p) => p.startsWith('/sys/'))).toHaveLength(17);
    reads.length = 0;
    expect((await names(context({}, read), source)).names).toEqual(WHOLE);
    expect(reads).toEqual(['/proc/diskstats']);
  });

  it('looks up a name with a slash under its sysfs spelling', async () => {
    const reads: string[] = [];
    const read: ReadText = async (path) => {
      reads.push(path);
      if (path === '/p/diskstats')
        return ok(' 104 0 cciss/c0d0 1 2 3 4 5 6 7 8 0 9 10\n 104 1 cciss/c0d0p1 1 2 3 4 5 6 7 8 0 9 10\n');
      return path === '/s/block/cciss!c0d0/dev' ? ok('104:0\n') : fail('absent', path);
    };
    expect(await names(context({ procfs: '/p', sysfs: '/s' }, read))).toEqual({
      rule: 'sysfs',
      names: ['cciss/c0d0'],
    });
    expect(reads).toContain('/s/block/cciss!c0d0p1/dev');
  });

  it('is absent when the procfs root has no diskstats', async () => {
    const result = await createDiskstatsSource().collect(context({ procfs: `${tree}/no-such-proc` }));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });
});
