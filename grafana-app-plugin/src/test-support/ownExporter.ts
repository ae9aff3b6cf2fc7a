import { startExporter, type TestExporter } from './exporter';
import { configureApp, setRole } from './grafana';

/**
 * For a test file that changes what the exporter holds, and so runs its own: starts it (`start`, a plain
 * exporter by default) before the file's tests and stops it after them; before each test the simulated
 * user is an Admin and the app points at it. Returns the exporter, for tests and later hooks.
 */
export function ownExporter(
  start: () => Promise<TestExporter> = () => startExporter(),
  timeoutMs = 120_000,
): () => TestExporter {
  let exporter: TestExporter | undefined;
  const current = () => {
    if (!exporter) {
      throw new Error('the test exporter has not started (use it in a test or a hook declared later)');
    }
    return exporter;
  };
  beforeAll(async () => {
    exporter = await start();
  }, timeoutMs);
  afterAll(async () => {
    await exporter?.stop();
  });
  beforeEach(() => {
    setRole('Admin');
    configureApp(current());
  });
  return current;
}
