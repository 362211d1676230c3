// `cttrace attach PID...`: seize running processes, follow what they spawn, detach cleanly.
import { checkPidExists, descendantsOf, pidByName } from './process-lookup.js';
import { defaultOutputPath } from './output-path.js';
import { withLiveViewer, type WebOptions } from './live-option.js';
import { checkOutputOptions, runTracedSession, type OutputOptions } from './traced-session.js';
import { UserError } from './user-error.js';

export interface AttachOptions extends OutputOptions, WebOptions {
  readonly name?: string;
  readonly children?: boolean;
  readonly duration?: number;
}

export async function attachCommand(pidArguments: readonly string[], options: AttachOptions): Promise<number> {
  checkOutputOptions(options);
  if (options.duration !== undefined && !(options.duration > 0)) throw new UserError('--duration takes a number of seconds above 0');
  const pids = pidArguments.map((text) => {
    const pid = Number(text);
    if (!/^\d+$/.test(text)) throw new UserError(`"${text}" is not a process id; give pids as numbers or use --name`);
    checkPidExists(pid);
    return pid;
  });
  if (options.name) pids.push(pidByName(options.name));
  if (pids.length === 0) throw new UserError('nothing to attach to: give pids or --name NAME');
  if (pids.includes(process.pid)) throw new UserError('cttrace cannot attach to itself');
  const targets = options.children ? [...new Set([...pids, ...pids.flatMap(descendantsOf)])] : pids;
  const subject = options.name ?? `process ${pids.join(',')}`;
  return withLiveViewer(options, (hooks) =>
    runTracedSession({
      target: { kind: 'attach', pids: targets },
      command: ['attach', ...targets.map(String)],
      outputPath: options.output ?? defaultOutputPath(options.name ?? `pid${pids[0]}`),
      options,
      durationSeconds: options.duration,
      subject,
      ...hooks,
    }),
  );
}
