// Display names for the exporter's category, section and threshold keys.

const TITLES: Record<string, string> = {
  cpu: 'CPU',
  vms: 'VMs and containers',
  lxc: 'LXC',
  pve: 'PVE',
  zfs: 'ZFS',
  hdd: 'HDD',
  ssd: 'SSD',
  nvme: 'NVMe',
};

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `cpu` → "CPU", `memory` → "Memory", `vms` → "VMs and containers". */
export const categoryTitle = (name: string): string => TITLES[name] ?? capitalise(name);

/** `pve_storage_warning` → "PVE storage warning"; a trailing unit word (`_ms`) is left to the unit. */
export function thresholdLabel(key: string): string {
  const words = key
    .replace(/_ms$/, '')
    .split('_')
    .map((w) => TITLES[w] ?? w);
  return capitalise(words.join(' '));
}
