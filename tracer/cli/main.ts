// The cttrace command line. Each command's module is imported when it runs: start-up time is
// part of every trace's cost, and `trace` need not load the image store or the live server.
import { Command, CommanderError } from 'commander';
import { EngineUnavailableError } from '../engine/errors.js';
import { TraceFileError as ReadError } from '../trace/file-reader.js';
import { TraceFileError as WriteError } from '../trace/file-writer.js';
import { cttraceVersion } from '../version.js';
import { BundleError, ImageError } from '../../runtime/image/errors.js';
import { backendHelp, type TracingCommand } from './backend-option.js';
import { RUNTIME_NAMES } from './runtimes.js';
import { guardOutput } from './output.js';
import { UserError } from './user-error.js';

function isUserFacing(error: unknown): error is Error {
  return error instanceof UserError || error instanceof ImageError || error instanceof BundleError || error instanceof ReadError || error instanceof WriteError || error instanceof EngineUnavailableError;
}

/** The options trace, run and attach share; `starts`: the command is started by cttrace. */
/** strace's -r, -T and -Z, and the time since the trace began, for every command that prints lines. */
function withTimeOptions(command: Command): Command {
  return command
    .option('-r, --relative', "each line's time since the previous line's, like strace -r")
    .option('--elapsed', "each line's time since the trace began")
    .option('-T, --durations', 'the time spent in each call, like strace -T')
    .option('-Z, --failed-only', 'of the calls, print only those that failed, like strace -Z (the trace keeps them all)');
}

function withTracingOptions(command: Command, { starts, name }: { starts: boolean; name: TracingCommand }): Command {
  withTimeOptions(command)
    .option('-o, --output <file>', 'where to save the trace (default: cttrace-DATE-NAME.cttrace here)')
    .option('-e, --expr <expression>', 'which syscalls: trace=NAME,%class,... like strace (default: the container set)')
    .option('--all', 'every syscall' + (starts ? ' (no prefilter)' : ''))
    .option('--json', 'print the records as JSON lines on stdout')
    .option('--env', "record execve's environment too")
    .option('-q, --quiet', 'no decoded lines on the terminal (the trace is then decoded and saved once the command is done)')
    .option('--web', 'follow the trace live in the web timeline (prints a local URL; serves until Ctrl-C)')
    .option('--port <port>', 'port for --web (default: any free one)')
    .option('--backend <name>', backendHelp(name));
  if (starts) command.option('--no-pin', 'let the tracer move between CPUs (by default it keeps one CPU for itself, where a ptrace stop is handled soonest)');
  return command;
}

export async function main(argv: readonly string[]): Promise<number> {
  guardOutput(process.stdout);
  guardOutput(process.stderr);
  let exitCode = 0;
  const program = new Command()
    .name('cttrace')
    .description('Trace what happens between `docker run` and your process starting')
    .version(cttraceVersion)
    .option('--debug', 'print stack traces of errors')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `cttrace: ${text}` : text) });

  const trace = program
    .command('trace')
    .description('run a command and trace it and all its children')
    .argument('<command...>', 'the command and its arguments (after --)')
    .passThroughOptions();
  withTracingOptions(trace, { starts: true, name: 'trace' })
    .option('--raw-output <file>', "also save the engine's raw binary stream (for bug reports and benchmarks)")
    .action(async (command: string[], options) => {
      exitCode = await (await import('./trace-command.js')).traceCommand(command, { ...options, expression: options.expr });
    });

  const run = program
    .command('run')
    .description('start a container from an image with a runtime, traced: the bundled ctrun by default')
    .argument('<image-and-command...>', 'IMAGE [CMD...] (after --): busybox, oci:DIR[:TAG], FILE.tar (docker save), dir:PATH')
    .option('--runtime <name>', `the runtime: ${RUNTIME_NAMES.join(', ')}`, 'ctrun')
    .option('--hostname <name>', "the container's hostname")
    .option('--memory <size>', 'memory limit, e.g. 64m')
    .option('--pids-limit <n>', 'maximum number of processes', Number)
    .option('--rootless', 'a user namespace: root inside is an unprivileged uid outside')
    .passThroughOptions();
  withTracingOptions(run, { starts: true, name: 'run' }).action(async (imageAndCommand: string[], options) => {
    exitCode = await (await import('./run-command.js')).runCommand(imageAndCommand, { ...options, expression: options.expr });
  });

  const attach = program
    .command('attach')
    .description('attach to running processes (all their threads) and follow what they spawn; Ctrl-C detaches')
    .argument('[pids...]', 'process ids')
    .option('--name <name>', 'the one process with this name (comm)')
    .option('--children', 'also attach to their existing descendants')
    .option('--duration <seconds>', 'detach after this many seconds', Number);
  withTracingOptions(attach, { starts: false, name: 'attach' }).action(async (pids: string[], options) => {
    exitCode = await (await import('./attach-command.js')).attachCommand(pids, { ...options, expression: options.expr });
  });

  program
    .command('watch')
    .description('with eBPF, follow every container started on the host (no daemon attached), one trace each, until Ctrl-C')
    .option('-o, --output <dir>', 'where the traces go, one per container (default: here)')
    .option('-e, --expr <expression>', 'which syscalls: trace=NAME,%class,... like strace (default: the container set)')
    .option('--all', 'every syscall')
    .option('--env', "record execve's environment too")
    .option('--duration <seconds>', 'stop after this many seconds', Number)
    .action(async (options) => {
      exitCode = await (await import('./watch-command.js')).watchCommand({ ...options, expression: options.expr });
    });

  program
    .command('inspect')
    .description("a process's ancestry up to PID 1 and its namespaces beside the host's")
    .argument('<pid>', 'process id (host view)')
    .option('--json', 'print it as JSON')
    .action(async (pid: string, options) => {
      exitCode = await (await import('./inspect-command.js')).inspectCommand(pid, options);
    });

  program
    .command('view')
    .description('open a saved trace in the web timeline (a local URL; Ctrl-C to stop)')
    .argument('<file>', 'a .cttrace file')
    .option('--port <port>', 'serve on this port (default: any free one)')
    .action(async (file: string, options) => {
      exitCode = await (await import('./view-command.js')).viewCommand(file, { port: options.port });
    });

  withTimeOptions(
    program
      .command('show')
      .description('print a saved trace')
      .argument('<file>', 'a .cttrace file')
      .option('--json', 'print the records as JSON lines'),
  ).action(async (file: string, options) => {
    exitCode = await (await import('./show-command.js')).showCommand(file, options);
  });

  program
    .command('export')
    .description('write a saved trace as Chrome Trace Event JSON, to open in ui.perfetto.dev or chrome://tracing')
    .argument('<file>', 'a .cttrace file')
    .option('-o, --output <file>', 'where to write it (default: FILE with .json for .cttrace; - for stdout)')
    .option('--format <format>', 'chrome (the Trace Event Format Perfetto reads)', 'chrome')
    .action(async (file: string, options) => {
      exitCode = await (await import('./export-command.js')).exportCommand(file, options);
    });

  program
    .command('summary')
    .description('count, errors and time per syscall, per process and per phase (like strace -c); several files: phases side by side')
    .argument('<files...>', '.cttrace files')
    .option('--json', 'print the summary as JSON')
    .action(async (files: string[], options) => {
      exitCode = await (await import('./summary-command.js')).summaryCommand(files, options);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isUserFacing(error) && !program.opts().debug) {
      process.stderr.write(`cttrace: ${error.message}\n`);
      return error instanceof UserError ? error.exitCode : 1;
    }
    throw error;
  }
  return exitCode;
}
