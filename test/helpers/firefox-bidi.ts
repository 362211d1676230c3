// Debian's Firefox ESR driven over WebDriver BiDi, its own remote protocol: playwright-core's
// BiDi Firefox asks for commands this ESR lacks (emulation.setMediaFeaturesOverride), and its
// usual Firefox is a patched build Debian does not ship. A few commands are all the tests need:
// open a page, evaluate, click, watch the requests it makes and what it logs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

export const FIREFOX = '/usr/bin/firefox-esr';

type Message = { id?: number; type: string; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: string; message?: string };

export class Firefox {
  private nextId = 0;
  private readonly waiting = new Map<number, (message: Message) => void>();
  /** every URL a page asked for */
  readonly requests: string[] = [];
  /** console errors and uncaught exceptions */
  readonly errors: string[] = [];

  private constructor(
    private readonly process: ChildProcess,
    private readonly socket: WebSocket,
    private readonly profile: string,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (message.id !== undefined) {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      } else if (message.method === 'network.beforeRequestSent') {
        this.requests.push(String((message.params?.request as { url: string }).url));
      } else if (message.method === 'log.entryAdded' && message.params?.level === 'error') {
        this.errors.push(String(message.params.text));
      }
    });
  }

  /** Headless, in a profile of its own with the network pointed at a closed port. */
  static async launch(): Promise<Firefox> {
    const profile = mkdtempSync(join(tmpdir(), 'cttrace-firefox-'));
    writeFileSync(
      join(profile, 'user.js'),
      ['network.proxy.type", 1', 'network.proxy.http", "127.0.0.1"', 'network.proxy.http_port", 9', 'network.proxy.ssl", "127.0.0.1"', 'network.proxy.ssl_port", 9', 'network.proxy.allow_hijacking_localhost", true']
        .map((pref) => `user_pref("${pref});\n`)
        .join(''),
    );
    const child = spawn(FIREFOX, ['--headless', '--no-remote', '--remote-debugging-port=0', '--profile', profile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HOME: profile, MOZ_CRASHREPORTER_DISABLE: '1' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`firefox did not start its BiDi server: ${text}`)), 60_000);
        child.stderr!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const found = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(text);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`firefox exited (${code}): ${text}`)));
      });
      const socket = new WebSocket(`${url}/session`);
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const firefox = new Firefox(child, socket, profile);
      await firefox.send('session.new', { capabilities: {} });
      await firefox.send('session.subscribe', { events: ['network.beforeRequestSent', 'log.entryAdded'] });
      return firefox;
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  async send(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    const reply = await new Promise<Message>((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
    if (reply.type === 'error') throw new Error(`${method}: ${reply.error}: ${reply.message}`);
    return reply.result ?? {};
  }

  /** The first tab, at this URL, loaded. */
  async open(url: string): Promise<string> {
    const tree = (await this.send('browsingContext.getTree', {})) as { contexts: { context: string }[] };
    const context = tree.contexts[0]!.context;
    await this.send('browsingContext.navigate', { context, url, wait: 'complete' });
    return context;
  }

  /** The frames inside a page (its child browsing contexts). */
  async frames(context: string): Promise<string[]> {
    const tree = (await this.send('browsingContext.getTree', { root: context })) as { contexts: { children?: { context: string }[] }[] };
    return (tree.contexts[0]?.children ?? []).map((child) => child.context);
  }

  /** A JSON-able value of an expression in the page. */
  async evaluate<T>(context: string, expression: string): Promise<T> {
    const result = (await this.send('script.evaluate', { expression: `JSON.stringify(${expression})`, target: { context }, awaitPromise: true })) as {
      type: string;
      result?: { value?: string };
      exceptionDetails?: { text: string };
    };
    if (result.type === 'exception') throw new Error(`in the page: ${result.exceptionDetails?.text}`);
    return result.result?.value === undefined ? (undefined as T) : (JSON.parse(result.result.value) as T);
  }

  /** Wait until the expression is truthy; its value. */
  async waitFor<T>(context: string, expression: string, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await this.evaluate<T>(context, expression);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async click(context: string, x: number, y: number): Promise<void> {
    await this.send('input.performActions', {
      context,
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          actions: [
            { type: 'pointerMove', x: Math.round(x), y: Math.round(y) },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
  }

  async close(): Promise<void> {
    this.socket.close();
    const exited = this.process.exitCode !== null || this.process.signalCode !== null ? Promise.resolve() : new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
