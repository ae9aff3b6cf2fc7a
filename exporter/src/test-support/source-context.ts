import { fileURLToPath } from 'node:url';
import { readText } from '../sources/read.js';
import { fail, type SourceContext } from '../sources/source.js';
import { silentLogger } from './tools.js';

/**
 * A SourceContext for tests: the real readText, roots that do not exist, no tools (any exec is
 * `absent`), a fixed clock and a silent logger; override what the test is about.
 */
export function sourceContext(overrides: Partial<SourceContext> = {}): SourceContext {
  return {
    paths: { procfs: '/nonexistent/proc', sysfs: '/nonexistent/sys', rootfs: '/nonexistent' },
    exec: async (tool) => fail('absent', `${tool}: no tools in this test`),
    readText,
    signal: new AbortController().signal,
    now: () => 0,
    logger: silentLogger(),
    ...overrides,
  };
}

/** Roots of a recorded host tree under a test's fixtures folder: `<dir>/proc`, `<dir>/sys`, `<dir>`. */
export function fixtureRoots(base: URL | string, dir: string): SourceContext['paths'] {
  const root = fileURLToPath(new URL(`./fixtures/${dir}`, base));
  return { procfs: `${root}/proc`, sysfs: `${root}/sys`, rootfs: root };
}
