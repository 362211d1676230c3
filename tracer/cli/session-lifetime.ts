// How long a trace session runs: until its processes are gone, or Ctrl-C (SIGINT), SIGTERM,
// SIGHUP or --duration stop it; what was recorded is saved either way.
export interface StoppableSession {
  stop(): void;
  readonly done: Promise<number>;
}

/** The session's end status, once it ended or was stopped; `finish` runs in every case. */
export async function runUntilStopped(session: StoppableSession, seconds: number | undefined, finish: () => Promise<void> | void): Promise<number> {
  const stop = () => session.stop();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, stop);
  const timer = seconds ? setTimeout(stop, seconds * 1000) : undefined;
  try {
    return await session.done;
  } finally {
    clearTimeout(timer);
    for (const signal of signals) process.off(signal, stop);
    await finish();
  }
}
