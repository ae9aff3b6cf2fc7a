import { userInfo } from 'node:os';
import { spawn, type IPty, type IPtyForkOptions } from 'node-pty';

export type PtySpawner = (file: string, args: string[], options: IPtyForkOptions) => IPty;

export const defaultSpawner: PtySpawner = (file, args, options) => spawn(file, args, options);

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The shell's environment: a fixed, short list. The exporter's own environment can hold secrets
 * (PROXMON_ADMIN_PASSWORD, PVE token) and loader hooks (LD_PRELOAD, BASH_ENV, NODE_OPTIONS); none of
 * that reaches the shell.
 */
export function terminalEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const user = userInfo();
  const env: Record<string, string> = {
    PATH: base.PATH || DEFAULT_PATH,
    HOME: user.homedir,
    USER: user.username,
    LOGNAME: user.username,
    SHELL: user.shell || '/bin/sh',
    LANG: base.LANG || 'C.UTF-8',
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    PROXMON_TERMINAL: '1',
  };
  if (base.TZ) env.TZ = base.TZ;
  return env;
}

export interface SpawnRequest {
  argv: readonly string[];
  cols: number;
  rows: number;
}

/**
 * A PTY running `argv` as the exporter's user, in that user's home. node-pty makes the child a session
 * leader, so its pid is also the id of the session and process group to kill at the end.
 * Output is raw bytes (no decoding): a multi-byte character split across reads stays intact.
 */
export function spawnTerminal(req: SpawnRequest, spawner: PtySpawner = defaultSpawner): IPty {
  const [file, ...args] = req.argv;
  if (!file) throw new Error('empty terminal command');
  return spawner(file, args, {
    name: 'xterm-256color',
    cols: req.cols,
    rows: req.rows,
    cwd: userInfo().homedir,
    env: terminalEnv(),
    encoding: null,
  });
}
