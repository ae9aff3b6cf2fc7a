import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain `N passed, N failed` line that CI reads in any language, preceded by one
 * `failed: file > test: reason` line per failure (reason: the error's first 1500 characters) so that a
 * log's tail alone says what broke.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    let passed = 0;
    let skipped = 0;
    const failures: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const result = t.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') {
          failures.push(`${m.moduleId} > ${t.fullName}: ${reason(result.errors?.[0]?.message)}`);
        } else skipped++;
      }
      // A file that failed to load, or whose hooks failed, has no tests to blame.
      if (m.state() === 'failed' && m.children.size === 0) {
        failures.push(`${m.moduleId}: ${reason(m.errors()[0]?.message)}`);
      }
    }
    const root = process.cwd() + '/';
    const lines = failures.map((f) => `failed: ${f.split(root).join('')}\n`).join('');
    process.stdout.write(
      `\n${lines}tests: ${passed} passed, ${failures.length} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}

/** The start of the error, on one line: enough for a wait's own explanation (logs, what arrived). */
function reason(message: string | undefined): string {
  const text = (message ?? 'no message').replace(/\s*\n\s*/g, ' | ');
  return text.length > 1500 ? `${text.slice(0, 1500)} …` : text;
}
