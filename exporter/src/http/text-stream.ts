import { spawn } from 'node:child_process';
import type { Response } from 'express';
import { errors, type ApiError } from './errors.js';

export interface TextStreamOptions {
  /** The executable (a config override or the bare name, found on PATH) and its argv: never a shell. */
  command: string;
  args: readonly string[];
  /** The whole stream's deadline; what came until then is kept and the end says why it stopped. */
  timeoutMs: number;
  /** Lines passed on at most; the rest is cut with a closing note. */
  maxLines: number;
  filename: string;
  /** Exits that mean "nothing matched" rather than a failure (journalctl: no files, --grep without a match). */
  okWhen?: (exitCode: number, stderr: string) => boolean;
}

/**
 * Pipes a tool's stdout to the response as plain text, honouring backpressure. Headers go out only
 * with the first byte, so a tool that is missing or fails at once still gets a JSON API error (the
 * promise rejects with it). Once streaming, a failure or the deadline ends the text with a note. A
 * client that goes away kills the tool's whole process group.
 */
export function streamToolOutput(res: Response, o: TextStreamOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.command, [...o.args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C.UTF-8', SYSTEMD_COLORS: '0' },
    });
    let started = false;
    let done = false;
    let lines = 0;
    let stderr = '';

    const kill = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const begin = () => {
      if (started) return;
      started = true;
      res.status(200);
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${o.filename}"`);
      res.setHeader('Cache-Control', 'no-store');
    };
    const finish = (note?: string, error?: ApiError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      kill();
      if (!started && error) return reject(error);
      begin();
      res.end(note ? `-- ${note} --\n` : undefined);
      resolve();
    };
    const timer = setTimeout(
      () =>
        finish(
          `stopped after ${o.timeoutMs / 1000} s`,
          errors.unavailable(`${o.command}: no output in time`),
        ),
      o.timeoutMs,
    );

    res.on('close', () => {
      // The client left before the end: stop the tool rather than let it run on.
      if (!done) {
        done = true;
        clearTimeout(timer);
        kill();
        resolve();
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        undefined,
        err.code === 'ENOENT'
          ? errors.unavailable(`${o.command} is not installed`)
          : errors.unavailable(`${o.command}: ${err.message}`),
      ),
    );
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (done) return;
      begin();
      let cut = -1;
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
        if (++lines === o.maxLines) {
          cut = i + 1;
          break;
        }
      }
      if (cut !== -1) {
        res.write(chunk.subarray(0, cut));
        return finish(`limit of ${o.maxLines} lines reached`);
      }
      if (!res.write(chunk)) {
        child.stdout.pause();
        res.once('drain', () => child.stdout.resume());
      }
    });
    child.on('close', (code) => {
      if (done) return;
      const reason = stderr.trim().split('\n', 1)[0] ?? '';
      if (code === 0 || (code !== null && o.okWhen?.(code, stderr))) return finish();
      finish(
        `${o.command} exited ${code ?? 'on a signal'}: ${reason}`,
        errors.unavailable(`${o.command} exited ${code ?? 'on a signal'}: ${reason}`),
      );
    });
  });
}
