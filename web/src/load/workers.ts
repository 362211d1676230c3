// The two loader workers, as files next to the page: what `cttrace view` serves. The
// self-contained page of `cttrace export --html` builds with workers-inline.ts in this module's
// place (web/vite.config.ts, mode "standalone").
export function makeParseWorker(): Worker {
  return new Worker(new URL('./trace-worker.ts', import.meta.url), { type: 'module', name: 'cttrace-loader' });
}

export function makeInflateWorker(): Worker {
  return new Worker(new URL('./inflate-worker.ts', import.meta.url), { type: 'module', name: 'cttrace-inflate' });
}
