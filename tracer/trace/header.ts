// The header line of a trace made on this machine, now.
import { machine, release } from 'node:os';
import { cttraceVersion } from '../version.js';
import { namespacesOf } from './host-namespaces.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type TraceHeader } from './records.js';

export function makeTraceHeader(fields: Pick<TraceHeader, 'command' | 'filter'> & Partial<Pick<TraceHeader, 'image' | 'runtime' | 'backend'>>): TraceHeader {
  return {
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    cttrace: cttraceVersion,
    created: new Date().toISOString(),
    kernel: release(),
    arch: machine(),
    command: fields.command,
    image: fields.image ?? null,
    runtime: fields.runtime ?? null,
    ...(fields.backend ? { backend: fields.backend } : {}),
    filter: fields.filter,
    host: { pid: process.pid, ns: namespacesOf('self') },
  };
}
