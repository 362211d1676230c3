// `cttrace trace -- CMD...`: run a command under the engine, print and save what it does.
import { defaultOutputPath } from './output-path.js';
import { resolveCommand } from './resolve-command.js';
import { withLiveViewer, type WebOptions } from './live-option.js';
import { checkOutputOptions, runTracedSession, type OutputOptions } from './traced-session.js';
import { UserError } from './user-error.js';

export async function traceCommand(command: readonly string[], options: OutputOptions & WebOptions): Promise<number> {
  if (command.length === 0) throw new UserError('no command given: cttrace trace -- CMD [ARGS...]');
  checkOutputOptions(options);
  const path = resolveCommand(command[0]!);
  return withLiveViewer(options, (hooks) =>
    runTracedSession({
      target: { kind: 'command', path, argv: command },
      command,
      outputPath: options.output ?? defaultOutputPath(command[0]!),
      options,
      subject: command[0]!,
      ...hooks,
    }),
  );
}
