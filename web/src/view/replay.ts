// Replay: a playhead that advances through the trace at a chosen speed; nothing after it is shown.

/** Trace time per wall-clock time. */
export const SPEEDS = [0.0001, 0.001, 0.01, 0.1, 1] as const;

export function speedLabel(speed: number): string {
  return speed >= 1 ? `${speed}×` : `1/${Math.round(1 / speed)}×`;
}

/** The speed that plays the whole trace in about eight seconds. */
export function defaultSpeed(durationNs: number): number {
  const wanted = durationNs / 1e6 / 8000;
  return SPEEDS.reduce((best, speed) => (Math.abs(Math.log(speed / wanted)) < Math.abs(Math.log(best / wanted)) ? speed : best), SPEEDS[1]);
}

export class Replay {
  playing = false;
  speed: number = SPEEDS[1];
  /** null: the whole trace is shown */
  playhead: number | null = null;

  play(start: number, end: number): void {
    if (this.playhead === null || this.playhead >= end) this.playhead = start;
    this.playing = true;
  }

  pause(): void {
    this.playing = false;
  }

  /** Advance by wall-clock ms; returns true while still playing. */
  tick(elapsedMs: number, end: number): boolean {
    if (!this.playing || this.playhead === null) return false;
    this.playhead += elapsedMs * 1e6 * this.speed;
    if (this.playhead >= end) {
      this.playhead = null;
      this.playing = false;
    }
    return this.playing;
  }

  /** Scrub to a fraction of the trace (1 shows everything). */
  scrub(fraction: number, start: number, end: number): void {
    this.playing = false;
    this.playhead = fraction >= 1 ? null : start + fraction * (end - start);
  }

  reset(): void {
    this.playing = false;
    this.playhead = null;
  }
}
