// One parsed model for Proxmox VE API payloads, shared by the pvesh and REST sources.
export { unwrapData } from './common.js';
export {
  parseClusterResources,
  parseClusterResourcesSliced,
  splitTags,
  type ClusterResources,
  type GuestType,
  type PveGuest,
  type PveResourceNode,
  type PveResourceStorage,
} from './resources.js';
export {
  parseClusterStatus,
  nodesOnline,
  type ClusterStatus,
  type PveClusterNode,
} from './cluster-status.js';
export { parseNodeStatus, type PveNodeStatus } from './node-status.js';
export { parseVersion, type PveVersion } from './version.js';
export { parseNodeStorage, type PveNodeStorage } from './storage.js';
export {
  parseTasks,
  taskOutcome,
  failedTasksByType,
  lastVzdumpByGuest,
  type PveTask,
  type TaskOutcome,
} from './tasks.js';
export { parseHaStatus, type PveHaEntry } from './ha.js';
export { parseBackups, lastBackupByGuest, type PveBackup } from './backups.js';
export { parseReplication, type PveReplication } from './replication.js';
export { syntheticClusterResources } from './synthetic.js';
export {
  parseQemuConfig,
  parseAgentOption,
  parsePveBool,
  parseNodeQemu,
  type PveAgentOption,
  type PveQemuConfig,
  type PveNodeQemu,
} from './qemu-config.js';
export {
  parseGuestFsinfo,
  summarizeGuestFilesystems,
  type GuestFilesystem,
  type GuestDiskUsage,
} from './guest-fsinfo.js';
export { parseNotBackedUp, type PveNotBackedUp } from './not-backed-up.js';
export { guestOnboot, parseGuestConf, parseGuestConfigReply, type GuestConfig } from './guest-conf.js';
