import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The end-to-end tests run the built CLI, exactly as `npm start` does; build it once per run. */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('npx', ['tsc', '-p', 'exporter/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
