import { fileURLToPath } from 'node:url';
import { readText } from '../sources/read.js';
import { fail, type HostPaths, type SourceContext } from '../sources/source.js';
import { silentLogger } from './tools.js';

/** What a test may replace; `paths` may name only the roots it is about. */
export type SourceContextOverrides = Partial<Omit<SourceContext, 'paths'>> & { paths?: Partial<HostPaths> };

/**
 * A SourceContext for tests: the real readText, roots that do not exist, no tools (any exec is
 * `absent`), a fixed clock and a silent logger; override what the test is about.
 */
export function sourceContext(overrides: SourceContextOverrides = {}): SourceContext {
  const { paths, ...rest } = overrides;
  return {
    exec: async (tool) => fail('absent', `${tool}: no tools in this test`),
    readText,
    signal: new AbortController().signal,
    now: () => 0,
    logger: silentLogger(),
    ...rest,
    paths: { procfs: '/nonexistent/proc', sysfs: '/nonexistent/sys', rootfs: '/nonexistent', ...paths },
  };
}

/** Roots of a recorded host tree under a test's fixtures folder: `<dir>/proc`, `<dir>/sys`, `<dir>`. */
export function fixtureRoots(base: URL | string, dir: string): HostPaths {
  const root = fileURLToPath(new URL(`./fixtures/${dir}`, base));
  return { procfs: `${root}/proc`, sysfs: `${root}/sys`, rootfs: root };
}
