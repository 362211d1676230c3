// The viewer inside the compare page of `cttrace diff --html`: it tells the page when the user
// moves its time window, and takes a window from the page (the other trace's, moved by the
// offset that aligns their phases), which records to mark (the differences) and which to show
// alone. Only numbers pass; nothing else is read or sent.
import type { App } from './app.js';

export interface WindowMessage {
  readonly type: 'cttrace-window' | 'cttrace-set-window';
  readonly t0: number;
  readonly t1: number;
}

/** page → viewer: show only the calls of these records (the differences), or all (null) */
export interface OnlyMessage {
  readonly type: 'cttrace-only';
  readonly seqs: readonly number[] | null;
}

/** page → viewer: the records whose calls the diff marks (only in this trace, or changed) */
export interface MarksMessage {
  readonly type: 'cttrace-marks';
  readonly seqs: readonly number[];
}

const isSeqList = (seqs: unknown): seqs is readonly number[] => Array.isArray(seqs) && seqs.every((seq) => Number.isSafeInteger(seq) && seq >= 0);

function isOnlyMessage(data: unknown): data is OnlyMessage {
  const message = data as Partial<OnlyMessage> | null;
  return !!message && message.type === 'cttrace-only' && (message.seqs === null || isSeqList(message.seqs));
}

function isMarksMessage(data: unknown): data is MarksMessage {
  const message = data as Partial<MarksMessage> | null;
  return !!message && message.type === 'cttrace-marks' && isSeqList(message.seqs);
}

function isWindowMessage(data: unknown, type: WindowMessage['type']): data is WindowMessage {
  const message = data as Partial<WindowMessage> | null;
  return !!message && message.type === type && Number.isFinite(message.t0) && Number.isFinite(message.t1) && message.t1! > message.t0!;
}

export function installEmbedSync(app: App): void {
  if (window.parent === window) return;
  const parent = window.parent;
  // file:// pages have an opaque origin: '*' is the only target that reaches the page; the
  // message is two numbers
  app.onWindowMoved = (t0, t1) => parent.postMessage({ type: 'cttrace-window', t0, t1 } satisfies WindowMessage, '*');
  window.addEventListener('message', (event) => {
    if (event.source !== parent) return;
    if (isWindowMessage(event.data, 'cttrace-set-window')) app.timeline.setWindow(event.data.t0, event.data.t1);
    else if (isOnlyMessage(event.data)) app.showOnlyRecords(event.data.seqs);
    else if (isMarksMessage(event.data)) app.markRecords(event.data.seqs);
  });
  // the page sends the marks when it hears this (and when the frame has loaded: whichever it sees)
  parent.postMessage({ type: 'cttrace-ready' }, '*');
}
