import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignDiskIds, vdevDiskIds } from './disk-id.js';
import type { ZpoolPool } from './types.js';

/** Links as `ls -l /dev/disk/by-id` shows them on a host with one SATA disk and one NVMe drive. */
const LINKS = {
  'ata-ST8000VN004-2M2101_WSD4EYEW': '../../sda',
  'ata-ST8000VN004-2M2101_WSD4EYEW-part1': '../../sda1',
  'wwn-0x5000c500c65ac66f': '../../sda',
  'wwn-0x5000c500c65ac66f-part1': '../../sda1',
  'nvme-Samsung_SSD_980_500GB_S64DNL0T824602E': '../../nvme0n1',
  'nvme-Samsung_SSD_980_500GB_S64DNL0T824602E_1': '../../nvme0n1',
  'nvme-eui.002538d411a07b0a': '../../nvme0n1',
  'nvme-eui.002538d411a07b0a-part3': '../../nvme0n1p3',
};

describe('vdevDiskIds', () => {
  it.each([
    ['wwn-0x5000c500c65ac66f', { diskId: '0x5000c500c65ac66f', wwn: '0x5000c500c65ac66f' }],
    ['wwn-0x5002538F54C19521-part3', { diskId: '0x5002538f54c19521', wwn: '0x5002538f54c19521' }],
    ['scsi-35000cca02d51e3e4', { diskId: '0x5000cca02d51e3e4', wwn: '0x5000cca02d51e3e4' }],
    ['ata-WDC_WD30EFRX-68EUZN0_WD-WMC4N1768104', { diskId: 'WD-WMC4N1768104', serial: 'WD-WMC4N1768104' }],
    ['ata-ST31000524AS_5VPD6EX2-part3', { diskId: '5VPD6EX2', serial: '5VPD6EX2' }],
    ['scsi-SATA_ST3000DM001-9YN_S1F0MYWK', { diskId: 'S1F0MYWK', serial: 'S1F0MYWK' }],
    [
      'nvme-Samsung_SSD_980_500GB_S64DNL0T824555Z-part1',
      { diskId: 'S64DNL0T824555Z', serial: 'S64DNL0T824555Z' },
    ],
    [
      'nvme-Samsung_SSD_980_500GB_S64DNL0T824555Z_1',
      { diskId: 'S64DNL0T824555Z', serial: 'S64DNL0T824555Z' },
    ],
    [
      'nvme-nvme.144d-533158584e594147393030323535-53414d53554e47204d5a5650563531324844474c2d3030303030-00000001',
      { diskId: 'S1XXNYAG900255', serial: 'S1XXNYAG900255' },
    ],
    ['usb-WD_Elements_25A2_575835314137-0:0', { diskId: '575835314137', serial: '575835314137' }],
    ['/dev/disk/by-id/ata-ST31000528AS_5VP07Z06-part3', { diskId: '5VP07Z06', serial: '5VP07Z06' }],
  ])('reads %s by its name alone', (name, expected) => {
    expect(vdevDiskIds(name)).toEqual(expected);
  });

  it.each([
    'sda',
    'nvme-eui.002538d411a07b0a',
    'mirror-0',
    '12573010284538016996',
    'drive0-part1',
    'c1t0d0',
    '',
  ])('cannot tell the disk of %s without links', (name) => {
    expect(vdevDiskIds(name)).toBeUndefined();
  });

  it('finds the WWN of a disk named by model and serial, and of a kernel name, through the links', () => {
    const both = { diskId: '0x5000c500c65ac66f', wwn: '0x5000c500c65ac66f', serial: 'WSD4EYEW' };
    expect(vdevDiskIds('ata-ST8000VN004-2M2101_WSD4EYEW-part1', LINKS)).toEqual(both);
    expect(vdevDiskIds('sda1', LINKS)).toEqual(both);
    expect(vdevDiskIds('/dev/sda', LINKS)).toEqual(both);
  });

  it('finds the serial of an NVMe drive named by EUI or kernel name through the links', () => {
    const nvme = { diskId: 'S64DNL0T824602E', serial: 'S64DNL0T824602E' };
    expect(vdevDiskIds('nvme-eui.002538d411a07b0a-part3', LINKS)).toEqual(nvme);
    expect(vdevDiskIds('nvme0n1p3', LINKS)).toEqual(nvme);
  });

  it('treats names that are Object.prototype keys as plain names', () => {
    expect(vdevDiskIds('toString', {})).toBeUndefined();
    expect(vdevDiskIds('constructor', { __proto__: 'x' })).toBeUndefined();
  });

  it('never throws on random names and links', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.string()), (name, links) => {
        const r = vdevDiskIds(name, links);
        if (r) expect(r.diskId.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('assignDiskIds', () => {
  it('sets disk_id on leaves only, by the was-path of a missing disk and the devid of a JSON vdev', () => {
    const leaf = { depth: 2, class: 'normal' as const, type: 'disk', leaf: true, state: 'ONLINE' };
    const pools: ZpoolPool[] = [
      {
        name: 'rpool',
        state: 'DEGRADED',
        scans: [],
        vdevs: [
          {
            name: 'rpool',
            label: 'rpool',
            depth: 0,
            class: 'normal',
            type: 'root',
            leaf: false,
            state: 'DEGRADED',
          },
          { ...leaf, name: 'mirror-0', label: 'mirror-0', type: 'mirror', leaf: false },
          {
            ...leaf,
            name: '12573010284538016996',
            label: '12573010284538016996',
            state: 'UNAVAIL',
            wasPath: '/dev/disk/by-id/ata-ST31000528AS_5VP07Z06-part3',
          },
          {
            ...leaf,
            name: 'nvme0n1',
            label: 'nvme0n1',
            devid: 'nvme-Seagate_FireCuda_530_ZP4000GM30013_7VS010DE-part1',
          },
          { ...leaf, name: '/var/tmp/file1', label: '/var/tmp/file1', type: 'file' },
        ],
      },
    ];
    assignDiskIds(pools);
    expect(pools[0]?.vdevs.map((v) => v.diskId)).toEqual([
      undefined,
      undefined,
      '5VP07Z06',
      '7VS010DE',
      undefined,
    ]);
  });
});
