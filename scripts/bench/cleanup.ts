/**
 * Teardown steps run in reverse order of registration, each one even if an earlier one failed.
 * Running it twice (normal exit racing a signal) runs the steps once.
 */
export class Cleanup {
  private readonly steps: Array<{ what: string; step: () => Promise<unknown> | unknown }> = [];
  private running: Promise<void> | undefined;

  add(what: string, step: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, step });
  }

  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  /** On SIGINT/SIGTERM/SIGHUP: tear down, then exit with the conventional 128 + signal number. */
  runOnSignals(): void {
    const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
    for (const [signal, code] of Object.entries(codes)) {
      process.once(signal, () => {
        process.stderr.write(`\n${signal}: cleaning up…\n`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }

  private async runSteps(): Promise<void> {
    for (const { what, step } of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`cleanup: ${what} failed: ${String(error)}\n`);
      }
    }
  }
}
