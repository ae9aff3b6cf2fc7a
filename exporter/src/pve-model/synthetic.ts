/**
 * A `/cluster/resources` REST body with `n` guests in the real PVE 9 shape (plus a node, storages, a pool
 * and an SDN zone to skip), for benchmarks. Deterministic: guest i always looks the same.
 */
export function syntheticClusterResources(n: number, nodes = 3): { data: unknown[] } {
  const nodeNames = Array.from({ length: Math.max(1, nodes) }, (_, i) => `pve${i + 1}`);
  const data: unknown[] = [{ id: '/pool/bench', pool: 'bench', type: 'pool' }];
  for (const node of nodeNames) {
    data.push(
      {
        'cgroup-mode': 2,
        cpu: 0.0611,
        disk: 5009698816,
        id: `node/${node}`,
        level: '',
        maxcpu: 64,
        maxdisk: 100861726720,
        maxmem: 270582939648,
        mem: 96559923200,
        node,
        status: 'online',
        type: 'node',
        uptime: 2497300,
      },
      {
        content: 'images,rootdir',
        disk: 8614069456,
        id: `storage/${node}/local-lvm`,
        maxdisk: 852878163968,
        node,
        plugintype: 'lvmthin',
        shared: 0,
        status: 'available',
        storage: 'local-lvm',
        type: 'storage',
      },
      {
        id: `network/${node}/zone/localnetwork`,
        network: 'localnetwork',
        'network-type': 'zone',
        node,
        status: 'ok',
        type: 'network',
      },
    );
  }
  for (let i = 0; i < n; i++) {
    const vmid = 100 + i;
    const type = i % 4 === 3 ? 'lxc' : 'qemu';
    const running = i % 5 !== 0;
    const node = nodeNames[i % nodeNames.length];
    data.push({
      cpu: running ? ((i * 37) % 100) / 1000 : 0,
      disk: type === 'lxc' && running ? 1073741824 + i * 4096 : 0,
      diskread: running ? 100000000 + i * 1000 : 0,
      diskwrite: running ? 20000000 + i * 1000 : 0,
      id: `${type}/${vmid}`,
      maxcpu: 1 + (i % 8),
      maxdisk: 34359738368,
      maxmem: 2147483648 * (1 + (i % 4)),
      mem: running ? 536870912 + i * 4096 : 0,
      memhost: running ? 587669504 + i * 4096 : 0,
      name: `guest-${vmid}`,
      netin: running ? 868906 + i * 100 : 0,
      netout: running ? 57626 + i * 100 : 0,
      node,
      ...(i % 10 === 0 ? { pool: 'bench' } : {}),
      status: running ? 'running' : 'stopped',
      tags: i % 2 === 0 ? 'bench;even' : 'bench',
      template: 0,
      type,
      uptime: running ? 86400 + i : 0,
      vmid,
    });
  }
  return { data };
}
