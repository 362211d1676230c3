// The cttrace command line. Each command's module is imported when it runs: start-up time is
// part of every trace's cost, and `trace` need not load the image store or the live server.
import { Command, CommanderError } from 'commander';
import { EngineUnavailableError } from '../engine/errors.js';
import { LiveServerError } from '../live/live-error.js';
import { TraceFileError } from '../trace/trace-file-error.js';
import { cttraceVersion } from '../version.js';
import { BundleError, ImageError } from '../../runtime/image/errors.js';
import { withLineOptions } from './line-options.js';
import { backendHelp, type TracingCommand } from './backend-option.js';
import { RUNTIME_NAMES } from './runtimes.js';
import { guardOutput, outputFailed } from './output.js';
import { UserError } from './user-error.js';
import { withImageOptions } from './image-options.js';

function isUserFacing(error: unknown): error is Error {
  return error instanceof UserError || error instanceof ImageError || error instanceof BundleError || error instanceof TraceFileError || error instanceof LiveServerError || error instanceof EngineUnavailableError;
}

/** The options trace, run and attach share; `starts`: the command is started by cttrace. */
/** strace's -r, -T and -Z, and the time since the trace began, for every command that prints lines. */
function withTimeOptions(command: Command): Command {
  return withLineOptions(command)
    .option('-r, --relative', "each line's time since the previous line's, like strace -r")
    .option('--elapsed', "each line's time since the trace began")
    .option('-T, --durations', 'the time spent in each call, like strace -T')
    .option('-Z, --failed-only', 'of the calls, print only those that failed, like strace -Z (the trace keeps them all)');
}

/** --redact and --redact-pattern (tracer/cli/redact-option.ts), for every command that outputs records. */
function withRedactOptions(command: Command): Command {
  return command
    .option('--redact', 'replace secrets (environment values, passwords and tokens in arguments and writes, private keys, home paths, user names) by <redacted:XXXX> placeholders in every output')
    .option('--redact-pattern <regex>', 'also redact what this regular expression matches (its group "secret" if it has one); repeatable; implies --redact', (value: string, previous: string[] = []) => [...previous, value]);
}

function withTracingOptions(command: Command, { starts, name }: { starts: boolean; name: TracingCommand }): Command {
  withRedactOptions(withTimeOptions(command))
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

const CONTAINER = "only this container's processes: its id or a prefix of it (`cttrace summary FILE` lists them)";
const LENIENT = 'skip records that do not fit the trace format (and say how many) instead of refusing the file';

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
    .argument('<image-and-command...>', 'IMAGE [CMD...] (after --): alpine, host:port/app:tag, docker://REF, docker-daemon:NAME, busybox, oci:DIR[:TAG], FILE.tar, dir:PATH')
    .option('--runtime <name|path>', `the runtime: ${RUNTIME_NAMES.join(', ')}, or the path of any runtime with runc's command line`, 'ctrun')
    .option('-t, --tty', 'give the container a terminal (a pty from the runtime), as docker run -t')
    .option('-i, --interactive', 'keep stdin open to the container, as docker run -i (it always is)')
    .option('--seccomp <profile>', "default (docker's profile), unconfined, or a profile FILE.json (as docker's --security-opt seccomp=)", 'default')
    .option('--hostname <name>', "the container's hostname")
    .option('--memory <size>', 'memory limit, e.g. 64m')
    .option('--pids-limit <n>', 'maximum number of processes', Number)
    .option('--rootless', 'a user namespace: root inside is an unprivileged uid outside')
    .passThroughOptions();
  withTracingOptions(withImageOptions(run, { pullPolicy: true }), { starts: true, name: 'run' }).action(async (imageAndCommand: string[], options) => {
    exitCode = await (await import('./run-command.js')).runCommand(imageAndCommand, { ...options, expression: options.expr });
  });

  const attach = program
    .command('attach')
    .description('attach to running processes (all their threads) and follow what they spawn; Ctrl-C detaches')
    .argument('[pids...]', 'process ids')
    .option('--name <name>', 'the process with this name (comm): the topmost when it has same-named descendants')
    .option('--children', 'also attach to their existing descendants')
    .option('--duration <seconds>', 'detach after this many seconds', Number);
  withTracingOptions(attach, { starts: false, name: 'attach' }).action(async (pids: string[], options) => {
    exitCode = await (await import('./attach-command.js')).attachCommand(pids, { ...options, expression: options.expr });
  });

  program
    .command('cleanup')
    .description('remove what crashed runs left behind: containers whose cttrace is gone (processes, cgroups, overlays, folders, runtime state), unfinished unpacks')
    .action(async () => {
      exitCode = await (await import('./cleanup-command.js')).cleanupCommand();
    });

  program
    .command('watch')
    .description('with eBPF, follow every container started on the host (no daemon attached), one trace each, until Ctrl-C')
    .option('-o, --output <dir>', 'where the traces go, one per container (default: here)')
    .option('-e, --expr <expression>', 'which syscalls: trace=NAME,%class,... like strace (default: the container set)')
    .option('--all', 'every syscall')
    .option('--env', "record execve's environment too")
    .option('--duration <seconds>', 'stop after this many seconds', Number)
    .option('--web', 'list the containers live in the web timeline as they are recorded (prints a local URL; serves until Ctrl-C)')
    .option('--port <port>', 'port for --web (default: any free one)')
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
    .option('--lenient', LENIENT)
    .action(async (file: string, options) => {
      exitCode = await (await import('./view-command.js')).viewCommand(file, { port: options.port, lenient: options.lenient });
    });

  withRedactOptions(withTimeOptions(
    program
      .command('show')
      .description('print a saved trace')
      .argument('<file>', 'a .cttrace file')
      .option('--json', 'print the records as JSON lines')
      .option('--container <id>', CONTAINER)
      .option('--lenient', LENIENT),
  )).action(async (file: string, options) => {
    exitCode = await (await import('./show-command.js')).showCommand(file, options);
  });

  withRedactOptions(
    program
    .command('export')
    .description('write a saved trace as Chrome Trace Event JSON (ui.perfetto.dev, chrome://tracing), or as one HTML page with the viewer (--html)')
    .argument('<file>', 'a .cttrace file')
    .option('-o, --output <file>', 'where to write it (default: FILE with .json or .html for .cttrace; - for stdout)')
    .option('--format <format>', 'chrome (the Trace Event Format Perfetto reads) or html')
    .option('--html', 'one self-contained HTML page: the viewer with the trace inside, opens from file:// with no server')
    .option('--container <id>', CONTAINER)
    .option('--lenient', LENIENT),
  ).action(async (file: string, options) => {
    exitCode = await (await import('./export-command.js')).exportCommand(file, options);
  });

  withRedactOptions(
    program
      .command('redact')
      .description('write a saved trace with its secrets replaced by <redacted:XXXX> placeholders (the same rules as --redact)')
      .argument('<file>', 'a .cttrace file')
      .option('-o, --output <file>', 'where to write it (default: FILE.redacted.cttrace)')
      .option('--lenient', LENIENT),
  ).action(async (file: string, options) => {
    exitCode = await (await import('./redact-command.js')).redactCommand(file, options);
  });

  withRedactOptions(
    program
      .command('diff')
      .description('compare two start-ups: phase times, and per role (runtime, stages, pid 1) the calls only in one and those with other arguments, like diff -u; exits 1 when the calls differ')
      .argument('<a>', 'a .cttrace file')
      .argument('<b>', 'another .cttrace file')
      .option('--json', 'print the comparison as JSON')
      .option('--container <id>', `${CONTAINER}; ID_A,ID_B for one in each`)
      .option('--lenient', LENIENT)
      .option('--html', 'write one page with the two start-ups side by side on one time axis and the diff below (opens from file://)')
      .option('-o, --output <file>', 'where --html writes the page (default: A-vs-B.html beside A; - for stdout)'),
  ).action(async (a: string, b: string, options) => {
    exitCode = await (await import('./diff-command.js')).diffCommand(a, b, options);
  });

  withRedactOptions(
    program
      .command('import')
      .description('make a .cttrace of strace logs (strace -f, or the -ff files; -t/-tt/-ttt, -T, -y, --pidns-translation are read)')
      .argument('<files...>', 'an strace -f log, or -ff files FILE.PID (or their prefix FILE)')
      .option('-o, --output <file>', 'where to write the trace (default: the log\'s name with .cttrace)'),
  ).action(async (files: string[], options) => {
    exitCode = await (await import('./import-command.js')).importCommand(files, options);
  });

  withRedactOptions(
    program
      .command('summary')
      .description('count, errors and time per syscall, per process and per phase (like strace -c); several files: phases side by side')
      .argument('<files...>', '.cttrace files')
      .option('--json', 'print the summary as JSON')
      .option('--lenient', LENIENT),
  ).action(async (files: string[], options) => {
    exitCode = await (await import('./summary-command.js')).summaryCommand(files, options);
  });

  withImageOptions(program.command('pull').description('fetch an image into the cache (registry, dockerd or file) and unpack it').argument('<image>', 'alpine, host:port/app:tag, docker-daemon:NAME, oci:DIR...'), { pullPolicy: false }).action(async (image: string, options) => {
    exitCode = await (await import('./pull-command.js')).pullCommand(image, options);
  });
  program.command('images').description('the images in the cache: reference, digest, platform, size, last used').option('--json', 'one JSON object a line').action(async (options) => {
    exitCode = await (await import('./images-command.js')).imagesCommand(options);
  });
  program.command('rmi').description('remove images from the cache (their layers too, unless another image uses them)').argument('<images...>', 'references or image ids').action(async (images: string[]) => {
    exitCode = await (await import('./rmi-command.js')).rmiCommand(images);
  });
  program.command('prune').description('remove cached layers and blobs no image uses, and unfinished downloads').action(async () => {
    exitCode = await (await import('./prune-command.js')).pruneCommand();
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isUserFacing(error) && !program.opts().debug) {
      process.stderr.write(`cttrace: ${error.message}\n`);
      return error instanceof UserError || error instanceof LiveServerError ? error.exitCode : 1;
    }
    throw error;
  }
  return exitCode === 0 && outputFailed() ? 1 : exitCode;
}
