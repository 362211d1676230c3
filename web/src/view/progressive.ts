// Work too long for one frame (a filter or search over millions of spans) done a slice at a
// time: a generator that yields every few thousand items, run for at most SLICE_MS per task,
// with input and drawing free to run between the tasks. A newer job cancels the one running.
const SLICE_MS = 6;

/** A task after the ones already queued (input and frames among them): a message to ourselves. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** After the next frame is drawn (or 100 ms, in a tab that draws none): several slices queued as
 *  tasks would otherwise all run before the browser gets to draw. */
function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void nextTask().then(resolve);
    };
    const timer = setTimeout(go, 100);
    requestAnimationFrame(go);
  });
}

/** Work between two frames at most: the rest of the 16.7 ms is the browser's (input, drawing). */
const FRAME_BUDGET_MS = 8;

export class ProgressiveJobs {
  private generation = 0;
  running = false;

  /** Runs the steps to their end; resolves with the result, or null if a newer job (or cancel) replaced it. */
  async run<T>(steps: Generator<void, T>): Promise<T | null> {
    const mine = ++this.generation;
    this.running = true;
    try {
      // not inside the input handler that asked: the handler returns at once, the frame goes out
      await nextTask();
      if (mine !== this.generation) return null;
      let frameStart = performance.now();
      for (;;) {
        const sliceEnd = performance.now() + SLICE_MS;
        let step = steps.next();
        while (!step.done && performance.now() < sliceEnd) step = steps.next();
        if (step.done) return mine === this.generation ? step.value : null;
        if (performance.now() - frameStart >= FRAME_BUDGET_MS) {
          await afterNextFrame();
          frameStart = performance.now();
        } else await nextTask();
        if (mine !== this.generation) return null;
      }
    } finally {
      if (mine === this.generation) this.running = false;
    }
  }

  cancel(): void {
    this.generation++;
    this.running = false;
  }
}
