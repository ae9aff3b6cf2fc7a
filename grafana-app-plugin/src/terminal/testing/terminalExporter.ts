import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { repoRoot, startExporter, type TestExporter } from '../../test-support/exporter';

/** The repository's `pct enter` stand-in: prints `entered CT <vmid>` and runs sh. */
export const FAKE_PCT = path.join(repoRoot, 'tests', 'fake-bin', 'pct-enter-sh');

/**
 * An exporter for terminal tests: the LXC console through the `pct` stand-in, `allowedOrigins` for the
 * direct (no proxy) connection, which a browser makes with its page's Origin, and room for the
 * sessions of several tests at once.
 * The shell is bash without startup files: a login shell runs the machine's ~/.bashrc and ~/.profile,
 * which can take many seconds (a developer's pyenv init) or hang, and say nothing about the terminal.
 */
export async function startTerminalExporter(allowedOrigins: string[] = []): Promise<TestExporter> {
  const dir = mkdtempSync(path.join(tmpdir(), 'proxmon-terminal-config-'));
  const file = path.join(dir, 'config.yml');
  // JSON is YAML.
  writeFileSync(
    file,
    JSON.stringify({
      tools: { pct: FAKE_PCT },
      terminal: {
        shell: ['bash', '--noprofile', '--norc'],
        allowed_origins: allowedOrigins,
        max_sessions_per_user: 16,
        max_sessions: 32,
      },
    }),
  );
  const exporter = await startExporter({ PROXMON_CONFIG: file });
  return {
    ...exporter,
    stop: async () => {
      await exporter.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
