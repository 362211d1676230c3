// Rectangles collected by colour during a frame, then filled colour by colour (geometry first,
// fills grouped by colour, text last). fillRect, not one path of many rectangles: Skia fills a
// rectangle directly, while a path of thousands of them is rasterized edge by edge.

export class RectBatches {
  private readonly data: Float32Array[];
  private readonly counts: number[];

  constructor(readonly size: number) {
    this.data = Array.from({ length: size }, () => new Float32Array(4096));
    this.counts = new Array(size).fill(0);
  }

  reset(): void {
    this.counts.fill(0);
  }

  /**
   * Adds a rectangle snapped to whole pixels (crisp, and the cheapest for Skia to fill); one that
   * touches the previous rectangle of the batch on the same row extends it instead.
   */
  add(batch: number, x: number, y: number, w: number, h: number): void {
    const left = Math.floor(x);
    const right = Math.max(left + 1, Math.round(x + w));
    let data = this.data[batch]!;
    const count = this.counts[batch]!;
    if (count > 0) {
      const last = (count - 1) * 4;
      if (data[last + 1] === y && data[last + 3] === h && data[last]! + data[last + 2]! >= left && data[last]! <= left) {
        data[last + 2] = Math.max(data[last + 2]!, right - data[last]!);
        return;
      }
    }
    const at = count * 4;
    if (at + 4 > data.length) {
      const grown = new Float32Array(data.length * 2);
      grown.set(data);
      this.data[batch] = data = grown;
    }
    data[at] = left;
    data[at + 1] = y;
    data[at + 2] = right - left;
    data[at + 3] = h;
    this.counts[batch]!++;
  }

  count(batch: number): number {
    return this.counts[batch]!;
  }

  fill(context: CanvasRenderingContext2D, batch: number, style: string): void {
    const n = this.counts[batch]!;
    if (n === 0) return;
    const data = this.data[batch]!;
    context.fillStyle = style;
    for (let i = 0; i < n * 4; i += 4) context.fillRect(data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!);
  }
}
