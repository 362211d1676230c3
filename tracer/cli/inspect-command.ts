// `cttrace inspect PID`: where a process sits: its ancestry up to PID 1, and its namespaces
// beside the host's (PID 1's), with how many processes share each.
import { NAMESPACE_KINDS } from '../trace/namespace-kinds.js';
import { ancestry, namespaceInode, namespaceMembership, type ProcessIdentity } from '../inspect/proc.js';
import { print } from './output.js';
import { checkPidExists } from './process-lookup.js';
import { UserError } from './user-error.js';

export interface NamespaceRow {
  readonly kind: string;
  readonly inode: number | null;
  readonly host: number | null;
  readonly sharedWithHost: boolean;
  readonly processes: number;
}

function formatAncestry(chain: readonly ProcessIdentity[]): string {
  const lines = ['    PID    PPID USER(UID)          NS PID  COMMAND'];
  for (const proc of chain) {
    const user = `${proc.user}(${proc.uid})`;
    const command = proc.cmdline.length ? proc.cmdline.join(' ') : `[${proc.comm}]`;
    lines.push(`${String(proc.pid).padStart(7)} ${String(proc.ppid).padStart(7)} ${user.padEnd(18)} ${String(proc.nspid.at(-1)).padStart(7)}  ${command}`);
  }
  return lines.join('\n');
}

function formatNamespaces(rows: readonly NamespaceRow[], reference: string): string {
  const lines = [`KIND                    INODE  ${`HOST (${reference})`.padStart(13)}  SHARED WITH HOST  PROCESSES`];
  for (const row of rows) {
    lines.push(
      `${row.kind.padEnd(18)} ${String(row.inode ?? '-').padStart(10)}  ${String(row.host ?? '-').padStart(12)}  ${(row.sharedWithHost ? 'yes' : 'no').padEnd(16)}  ${row.processes}`,
    );
  }
  return lines.join('\n');
}

export async function inspectCommand(pidText: string, options: { json?: boolean }): Promise<number> {
  if (!/^\d+$/.test(pidText)) throw new UserError(`"${pidText}" is not a process id; give a number`);
  const pid = Number(pidText);
  checkPidExists(pid);
  const chain = ancestry(pid);
  if (chain.length === 0) throw new UserError(`process ${pid} went away while it was read`);
  const membership = namespaceMembership();
  // The host's namespaces are PID 1's; where PID 1 cannot be read (a sandboxed init), cttrace's own.
  const reference = namespaceInode(1, 'mnt') !== null ? { pid: 1 as const, label: 'PID 1' } : { pid: 'self' as const, label: 'cttrace' };
  const rows: NamespaceRow[] = NAMESPACE_KINDS.map((kind) => {
    const inode = namespaceInode(pid, kind);
    const host = namespaceInode(reference.pid, kind);
    return { kind, inode, host, sharedWithHost: inode !== null && inode === host, processes: inode === null ? 0 : (membership.get(`${kind}:${inode}`) ?? 0) };
  });
  if (options.json) {
    print(process.stdout, `${JSON.stringify({ pid, ancestry: chain, hostReference: reference.label, namespaces: rows })}\n`);
  } else {
    print(process.stdout, `${formatAncestry(chain)}\n\n${formatNamespaces(rows, reference.label)}\n`);
  }
  return 0;
}
