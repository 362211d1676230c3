// Import progress on a terminal, one line per layer as `docker pull` shows it:
//   3f4d90098f5b: Downloading [=========>                     ]  12.6MB/41.2MB
//   3f4d90098f5b: Extracting [=========>                     ]  12.6MB/41.2MB
// Redrawn in place at most ten times a second; nothing at all when the stream is not a TTY.

export interface LayerProgress {
  advance(bytes: number): void;
  status(text: string): void;
}

export interface Progress {
  /** Announces the import (printed once, before the first layer line). */
  begin(title: string): void;
  layer(id: string, total: number, status?: string): LayerProgress;
  end(): void;
}

const silentLayer: LayerProgress = { advance() {}, status() {} };
export const silentProgress: Progress = { begin() {}, layer: () => silentLayer, end() {} };

interface Line {
  id: string;
  total: number;
  done: number;
  status: string;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes}B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)}${units[unit]}`;
}

/** The statuses that show a bar of bytes done. */
const WITH_BAR = new Set(['Downloading', 'Extracting']);

export function progressLine(line: { id: string; total: number; done: number; status: string }, width = 30): string {
  if (!WITH_BAR.has(line.status) || line.total <= 0) return `${line.id}: ${line.status}`;
  const fraction = Math.min(1, line.done / line.total);
  const filled = Math.floor(fraction * width);
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}`;
  return `${line.id}: ${line.status} [${bar}] ${formatBytes(line.done)}/${formatBytes(line.total)}`;
}

class TerminalProgress implements Progress {
  private readonly lines: Line[] = [];
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private titled = false;

  constructor(private readonly stream: NodeJS.WritableStream & { columns?: number }) {}

  begin(title: string): void {
    if (this.titled) return;
    this.titled = true;
    this.stream.write(`${title}\n`);
  }

  layer(id: string, total: number, status = 'Waiting'): LayerProgress {
    const line: Line = { id, total, done: 0, status };
    this.lines.push(line);
    this.draw(true);
    return {
      advance: (bytes) => {
        line.done += bytes;
        this.draw(false);
      },
      status: (text) => {
        if (text !== line.status) line.done = WITH_BAR.has(text) ? 0 : line.total;
        line.status = text;
        this.draw(true);
      },
    };
  }

  private draw(now: boolean): void {
    const time = Date.now();
    if (!now && time - this.lastDraw < 100) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.draw(true);
      }, 100);
      return;
    }
    this.lastDraw = time;
    const columns = Math.max(20, (this.stream.columns ?? 80) - 1);
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of this.lines) text += `\x1b[2K${progressLine(line).slice(0, columns)}\n`;
    this.drawn = this.lines.length;
    this.stream.write(text);
  }

  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length > 0) this.draw(true);
  }
}

/**
 * Progress on `stream` (default stderr). `enabled` forces it on or off; by default it is on
 * only when the stream is a terminal.
 */
export function makeProgress(option?: boolean | NodeJS.WritableStream): Progress {
  if (option === false) return silentProgress;
  const stream = (typeof option === 'object' ? option : process.stderr) as NodeJS.WritableStream & { isTTY?: boolean };
  if (option === undefined && !stream.isTTY) return silentProgress;
  return new TerminalProgress(stream);
}
