import { fail, ok, type Result } from '../source.js';

/** One unit proxmon asked systemd about. */
export interface ServiceState {
  /** The unit as asked for (`pveproxy`): the `service` label. */
  name: string;
  /** What systemd answered with in `Id=` (`pveproxy.service`), when it said. */
  unit?: string;
  /** Raw `LoadState`: loaded, not-found, masked, bad-setting, error, ... */
  loadState: string;
  /**
   * systemd knows the unit: anything but not-found-and-inactive. A not-found unit that still runs
   * (its file was removed after it started, systemd#1105) is kept; a PVE unit on a host that is not a
   * PVE node is not, so it never pages "pveproxy down".
   */
  loaded: boolean;
  /** Up: `active`, or `reloading`/`refreshing` (still serving while it re-reads its config). */
  active: boolean;
  /** Raw `ActiveState`; `activating` (incl. SubState auto-restart loops) counts as down until it is up. */
  activeState: string;
  subState?: string;
}

export interface ServicesSnapshot {
  services: ServiceState[];
}

const UP_STATES = new Set(['active', 'reloading', 'refreshing']);
const UNIT_TYPE = /\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)$/;

/** `pveproxy` → `pveproxy.service`, as systemctl completes a name without a unit type suffix. */
export function unitId(name: string): string {
  return UNIT_TYPE.test(name) ? name : `${name}.service`;
}

/**
 * `systemctl show --property=Id,LoadState,ActiveState,SubState <units...>`: one `Key=Value` block per
 * unit, blank-line separated, in the order asked. systemctl exits 0 for unknown units and prints
 * `LoadState=not-found` (ActiveState=inactive, SubState=dead) for them (systemd 252 and 257 alike).
 * Blocks are matched to the asked names by `Id`, else by position when every unit got a block and
 * no other name claims it by Id (an alias: `sshd` answers with `Id=ssh.service`). A unit with no
 * block, or a block without an ActiveState, is left out rather than guessed.
 */
export function parseSystemctlShow(text: string, units: readonly string[]): Result<ServicesSnapshot> {
  const blocks = text
    .split(/\r?\n[ \t]*\r?\n/)
    .map(properties)
    .filter((b) => b.size > 0);
  if (units.length > 0 && blocks.length === 0)
    return fail('parse', 'systemctl show: no unit properties in the output');

  const byId = new Map<string, Map<string, string>>();
  for (const b of blocks) {
    const id = b.get('Id');
    if (id !== undefined && !byId.has(id)) byId.set(id, b);
  }
  const claimed = new Set(units.map((name) => byId.get(unitId(name))));
  const atPosition = (i: number) => {
    const b = blocks.length === units.length ? blocks[i] : undefined;
    return b && !claimed.has(b) ? b : undefined;
  };
  const services: ServiceState[] = [];
  units.forEach((name, i) => {
    const block = byId.get(unitId(name)) ?? atPosition(i);
    const activeState = block?.get('ActiveState');
    if (!block || !activeState) return;
    const loadState = block.get('LoadState') ?? '';
    const subState = block.get('SubState');
    const unit = block.get('Id');
    services.push({
      name,
      ...(unit && { unit }),
      loadState,
      loaded: !(loadState === 'not-found' && activeState === 'inactive'),
      active: UP_STATES.has(activeState),
      activeState,
      ...(subState && { subState }),
    });
  });
  return ok({ services });
}

function properties(block: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (/^[A-Za-z]+$/.test(key)) found.set(key, line.slice(eq + 1).trim());
  }
  return found;
}
