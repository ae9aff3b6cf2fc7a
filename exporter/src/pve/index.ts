export { checkRequest, DEFAULT_PVE_TIMEOUT_MS, findLocalNode } from './client.js';
export type { PveClient, PveParams, PveRequestOptions } from './client.js';
export { createPveshClient } from './pvesh.js';
export { createApiClient, type PveApiOptions } from './api.js';
export { normalizeFingerprint } from './tls.js';
export { createPveAccess, type PveAccess, type PveAccessOptions, type PveScope } from './access.js';
