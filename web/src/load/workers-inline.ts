// The loader workers of the self-contained page (`cttrace export --html`): their code is inside
// the page and they start from blob: URLs, since a page opened from file:// may not load a
// worker from a file. Kept as workers (not run in the page) so that gunzip and parsing stay off
// the main thread, as in the served viewer: the same code, the same speed on a large trace.
import InflateWorker from './inflate-worker.ts?worker&inline';
import ParseWorker from './trace-worker.ts?worker&inline';

export function makeParseWorker(): Worker {
  return new ParseWorker({ name: 'cttrace-loader' });
}

export function makeInflateWorker(): Worker {
  return new InflateWorker({ name: 'cttrace-inflate' });
}
