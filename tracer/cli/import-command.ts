// `cttrace import FILE... [-o OUT]`: strace logs as a .cttrace, for the viewer, summary, show and
// diff. One file made with -f, or the files of -ff (FILE.TID, or their common FILE prefix).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { importStrace, StraceImportError, type StraceSource } from '../import/strace-import.js';
import { TraceFileWriter } from '../trace/file-writer.js';
import { print } from './output.js';
import { redactorFor, type RedactOptions } from './redact-option.js';
import { UserError } from './user-error.js';

/** FILE, or FILE.TID files when FILE is the -o prefix of strace -ff. */
function sourcesOf(paths: readonly string[]): StraceSource[] {
  return paths.flatMap((path) => {
    if (existsSync(path) && statSync(path).isFile()) {
      const tid = /\.(\d+)$/.exec(path)?.[1];
      return [{ name: path, text: readFileSync(path, 'utf8'), pid: tid ? Number(tid) : null }];
    }
    const dir = dirname(path);
    const prefix = `${basename(path)}.`;
    const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.startsWith(prefix) && /^\d+$/.test(file.slice(prefix.length))) : [];
    if (files.length === 0) throw new UserError(`${path}: no such file, nor strace -ff files ${path}.PID`, 1);
    return files.map((file) => ({ name: join(dir, file), text: readFileSync(join(dir, file), 'utf8'), pid: Number(file.slice(prefix.length)) }));
  });
}

export function defaultImportPath(first: string): string {
  return `${first.replace(/\.(strace|log|txt|\d+)$/, '')}.cttrace`;
}

export async function importCommand(paths: readonly string[], options: { output?: string } & RedactOptions): Promise<number> {
  const sources = sourcesOf(paths);
  let imported;
  try {
    imported = importStrace(sources);
  } catch (error) {
    if (error instanceof StraceImportError) throw new UserError(`cannot import: ${error.message}`, 1);
    throw error;
  }
  const redactor = redactorFor(options);
  const header = redactor ? redactor.header(imported.header) : imported.header;
  const output = options.output ?? defaultImportPath(paths[0]!);
  const writer = TraceFileWriter.create(output, header);
  for (const record of imported.records) writer.write(redactor ? redactor.record(record) : record);
  await writer.close();
  const tasks = new Set(imported.records.flatMap((record) => (record.type === 'process' ? [record.pid] : []))).size;
  print(process.stderr, `cttrace: ${imported.records.length} records of ${tasks} tasks imported into ${output}\n`);
  return 0;
}
