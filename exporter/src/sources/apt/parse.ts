import { fail, ok, type Result } from '../source.js';

/** One package `apt-get dist-upgrade` would unpack. */
export interface AptUpgrade {
  /** As apt prints it: `name`, or `name:arch` for a foreign architecture. */
  package: string;
  /** Installed version; absent for a NEW package the upgrade pulls in. */
  from?: string;
  to: string;
  /** Release descriptions `Label:Version/Archive` (`Debian-Security:12/stable-security`). */
  origins: string[];
  security: boolean;
  arch?: string;
}

export interface AptSnapshot {
  upgrades: AptUpgrade[];
  /** Label values of proxmon_apt_upgrades_pending: every Inst line, and those from a security origin. */
  counts: { all: number; security: number };
  /** Packages the upgrade would remove (`Remv` lines). */
  removals: number;
  /** apt's "N not upgraded" (held back), when the summary line was printed. */
  notUpgraded?: number;
}

/**
 * Security archives as apt describes them: Debian's `Debian-Security:12/stable-security` (the label
 * too, which older releases used with a plain archive name), Ubuntu's `Ubuntu:24.04/noble-security`.
 * Proxmox repositories (`Proxmox Debian Repository:stable`) carry no security marker.
 */
export function isSecurityOrigin(origin: string): boolean {
  return /-security|\/security/i.test(origin);
}

const SUMMARY = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\.$/;

/**
 * `apt-get -s dist-upgrade` (simulation). Counts `Inst` lines, which apt prints as
 * `Inst <pkg> [<installed>] (<candidate> <origin>, <origin> [<arch>])` followed by optional
 * `[...]` break markers (apt-pkg's pkgSimulate::Describe and VerIterator::RelStr). Labels may contain
 * spaces, so origins are split on ", " only. `Conf` and `Remv` lines are not upgrades. Other lines
 * (progress, the package lists, the non-root NOTE) are ignored; output with neither an Inst line nor
 * the summary is not apt's and is a parse error.
 */
export function parseAptSimulation(text: string): Result<AptSnapshot> {
  const upgrades: AptUpgrade[] = [];
  const seen = new Set<string>();
  let removals = 0;
  let notUpgraded: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('Remv ')) removals++;
    const summary = SUMMARY.exec(line);
    if (summary) notUpgraded = Number(summary[4]);
    if (!line.startsWith('Inst ')) continue;
    const upgrade = parseInstLine(line);
    if (!upgrade || seen.has(upgrade.package)) continue;
    seen.add(upgrade.package);
    upgrades.push(upgrade);
  }
  if (upgrades.length === 0 && notUpgraded === undefined)
    return fail('parse', 'apt-get -s: neither Inst lines nor the summary line in the output');
  return ok({
    upgrades,
    counts: { all: upgrades.length, security: upgrades.filter((u) => u.security).length },
    removals,
    ...(notUpgraded !== undefined && { notUpgraded }),
  });
}

/** One `Inst` line, or undefined when it does not have apt's shape. */
export function parseInstLine(line: string): AptUpgrade | undefined {
  const head = /^Inst (\S+)(?: \[([^\]\s]+)\])? \(/.exec(line);
  if (!head?.[1]) return undefined;
  // Package names never contain ')', so the last one closes the candidate description.
  const close = line.lastIndexOf(')');
  if (close < head[0].length) return undefined;
  const inner = line.slice(head[0].length, close);
  const space = inner.indexOf(' ');
  const to = space < 0 ? inner : inner.slice(0, space);
  if (to === '') return undefined;
  let rest = space < 0 ? '' : inner.slice(space + 1);
  let arch: string | undefined;
  const archMatch = /\s*\[([^[\]\s]+)\]$/.exec(rest);
  if (archMatch) {
    arch = archMatch[1];
    rest = rest.slice(0, archMatch.index);
  }
  const origins = rest
    .split(', ')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  return {
    package: head[1],
    ...(head[2] !== undefined && { from: head[2] }),
    to,
    origins,
    security: origins.some(isSecurityOrigin),
    ...(arch !== undefined && { arch }),
  };
}
