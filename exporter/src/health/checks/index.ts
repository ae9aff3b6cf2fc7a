import type { CategoryCheck } from '../check.js';
import type { Category } from '../finding.js';
import { checkCpu } from './cpu.js';
import { checkDisks } from './disks.js';
import { checkLogs } from './logs.js';
import { checkMemory } from './memory.js';
import { checkNetwork } from './network.js';
import { checkSecurity } from './security.js';
import { checkServices } from './services.js';
import { checkStorage } from './storage.js';
import { checkUpdates } from './updates.js';
import { checkVms } from './vms.js';

/** The ten categories and their checks, in the order they are reported. */
export const ALL_CHECKS: Readonly<Record<Category, CategoryCheck>> = {
  cpu: checkCpu,
  memory: checkMemory,
  storage: checkStorage,
  disks: checkDisks,
  network: checkNetwork,
  vms: checkVms,
  services: checkServices,
  logs: checkLogs,
  updates: checkUpdates,
  security: checkSecurity,
};
