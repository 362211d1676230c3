// Live mode: batches from the socket are applied as they come, or held while paused (never
// dropped) and applied on resume; "follow" keeps the newest events in view.
import type { IngestBatch } from '../model/record-ingest.js';

export class LiveMode {
  active = false;
  paused = false;
  follow = true;
  state: 'connecting' | 'open' | 'closed' = 'connecting';
  private held: IngestBatch[] = [];

  /** The batch to apply now, or null if it is held. */
  accept(batch: IngestBatch): IngestBatch | null {
    if (this.active && this.paused) {
      this.held.push(batch);
      return null;
    }
    return batch;
  }

  get heldRecords(): number {
    return this.held.reduce((sum, batch) => sum + batch.spans.count + batch.kept.filter((item) => item.span < 0).length, 0);
  }

  /** Resume and take every held batch, oldest first. */
  resume(): IngestBatch[] {
    this.paused = false;
    const held = this.held;
    this.held = [];
    return held;
  }

  reset(active: boolean): void {
    this.active = active;
    this.paused = false;
    this.follow = true;
    this.state = 'connecting';
    this.held = [];
  }
}
