// Several live traces on one live server (cttrace watch --web): each trace streams on its own
// socket, /ws?trace=NAME, exactly as the one trace of `trace --web` does on /ws (a RecordStream:
// catch-up, then live batches); /ws/traces lists them, one JSON line per trace as it appears
// ({"name", "header"}) and one when it is complete ({"name", "finished": true}). The live server
// checks Host, Origin and the token before a socket gets here; these sockets only send, too.
import { WebSocket } from 'ws';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { RecordStream } from './record-stream.js';

export const LIST_SOCKET_PATH = '/ws/traces';
const TRACE_SOCKET_PATH = '/ws';

/** What /ws/traces says, one JSON object a line. */
export type TraceListEntry = { readonly name: string; readonly header: TraceHeader } | { readonly name: string; readonly finished: true };

interface Channel {
  readonly stream: RecordStream;
  readonly clients: Set<WebSocket>;
}

function sendTo(clients: Iterable<WebSocket>, message: string): void {
  for (const client of clients) if (client.readyState === WebSocket.OPEN) client.send(message);
}

export class LiveChannels {
  private readonly channels = new Map<string, Channel>();
  private readonly listeners = new Set<WebSocket>();
  /** every list line so far, for a list socket that connects late */
  private readonly listed: string[] = [];

  /** A new trace: its stream starts, and every list socket hears of it. */
  open(name: string, header: TraceHeader): void {
    if (this.channels.has(name)) return;
    const clients = new Set<WebSocket>();
    this.channels.set(name, { stream: new RecordStream(header, (message) => sendTo(clients, message)), clients });
    this.announce({ name, header });
  }

  publish(name: string, record: TraceRecord): void {
    this.channels.get(name)?.stream.publish(record);
  }

  /** The trace is complete: viewers keep it, late joiners still get it all. */
  finish(name: string): void {
    const channel = this.channels.get(name);
    if (!channel || channel.stream.isFinished) return;
    channel.stream.finish();
    this.announce({ name, finished: true });
  }

  finishAll(): void {
    for (const name of this.channels.keys()) this.finish(name);
  }

  get names(): string[] {
    return [...this.channels.keys()];
  }

  /** The handler for a socket at `path` (the token, Host and Origin already checked), or null:
   *  not a path of these channels, or a trace that does not exist. */
  handlerFor(path: string, params: URLSearchParams): ((client: WebSocket) => void) | null {
    if (path === LIST_SOCKET_PATH) {
      return (client) => {
        if (this.listed.length) client.send(this.listed.join('\n'));
        this.listeners.add(client);
        client.on('close', () => this.listeners.delete(client));
        client.on('error', () => this.listeners.delete(client));
      };
    }
    const channel = path === TRACE_SOCKET_PATH ? this.channels.get(params.get('trace') ?? '') : undefined;
    if (!channel) return null;
    return (client) => {
      // everything so far, then live batches: sent in this same tick, so nothing is missed or doubled
      for (const message of channel.stream.catchUp()) client.send(message);
      channel.clients.add(client);
      client.on('close', () => channel.clients.delete(client));
      client.on('error', () => channel.clients.delete(client));
    };
  }

  get viewers(): number {
    let count = this.listeners.size;
    for (const channel of this.channels.values()) count += channel.clients.size;
    return count;
  }

  /** Every socket of these channels, for the server to close. */
  sockets(): WebSocket[] {
    return [...this.listeners, ...[...this.channels.values()].flatMap((channel) => [...channel.clients])];
  }

  dispose(): void {
    for (const channel of this.channels.values()) {
      channel.stream.flush();
      channel.stream.dispose();
    }
  }

  private announce(entry: TraceListEntry): void {
    const line = JSON.stringify(entry);
    this.listed.push(line);
    sendTo(this.listeners, line);
  }
}
