import type { AppJsonData } from '../constants';
import { VMID_MAX, VMID_MIN } from './protocol';

/**
 * The terminal's app-wide settings, in the app's jsonData (set by provisioning or the settings API; the
 * panel has the same as options, which win when set):
 * - `terminalDirectUrl`: the exporter's URL as the browser reaches it, for a Grafana or a proxy in front
 *   of it that cannot carry WebSocket upgrades (see urls.ts directWsUrl for what the exporter needs).
 * - `terminalTicketInQuery`: send the ticket as `?ticket=` (for a proxy that drops Sec-WebSocket-Protocol).
 */
export interface TerminalJsonData extends AppJsonData {
  terminalDirectUrl?: string;
  terminalTicketInQuery?: boolean;
}

/** An error message for a container id typed by the user, or undefined when valid. */
export function validateVmid(raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') {
    return 'Choose or type a container id';
  }
  if (!/^\d+$/.test(v)) {
    return 'A container id is a number, e.g. 101';
  }
  const n = Number(v);
  if (n < VMID_MIN || n > VMID_MAX) {
    return `A container id is between ${VMID_MIN} and ${VMID_MAX}`;
  }
  return undefined;
}
