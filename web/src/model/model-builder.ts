// Collects ingest batches (from a file being read or a live stream) and derives the model.
// Appending is cheap; build() recomputes the structure, whose cost follows the number of
// processes and kept records, not of syscalls (apart from one pass for the phase anchors).
import type { EndRecord, TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import { deriveArrows } from './arrows.js';
import { deriveLanes } from './lanes.js';
import type { TraceModel } from './model-types.js';
import { deriveNamespaces } from './namespaces.js';
import { deriveMilestones, derivePhases } from './milestones.js';
import { RecordIngest, type IngestBatch, type KeptRecord } from './record-ingest.js';
import { SpanColumns } from './span-columns.js';

export class TraceModelBuilder {
  readonly columns = new SpanColumns();
  private readonly kept: KeptRecord[] = [];
  private readonly laneTids: number[] = [];
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private readonly count: number[] = [];
  private latest = 0;
  private endRecord: EndRecord | null = null;

  constructor(readonly header: TraceHeader) {}

  get spanCount(): number {
    return this.columns.count;
  }

  addBatch(batch: IngestBatch): void {
    for (const lane of batch.lanes) {
      this.laneTids[lane.ordinal] = lane.tid;
      this.first[lane.ordinal] = Infinity;
      this.last[lane.ordinal] = -Infinity;
      this.count[lane.ordinal] = 0;
    }
    this.columns.names.push(...batch.names);
    const base = this.columns.count;
    this.columns.append(batch.spans);
    const { start, dur, lane } = this.columns;
    for (let i = base; i < this.columns.count; i++) {
      const ordinal = lane[i]!;
      const t = start[i]!;
      const end = t + dur[i]!;
      if (t < this.first[ordinal]!) this.first[ordinal] = t;
      if (end > this.last[ordinal]!) this.last[ordinal] = end;
      this.count[ordinal]!++;
      if (end > this.latest) this.latest = end;
    }
    for (const item of batch.kept) {
      this.kept.push(item);
      if (item.record.t > this.latest) this.latest = item.record.t;
      if (item.record.type === 'end') this.endRecord = item.record;
    }
  }

  build(): TraceModel {
    const end = Math.max(this.latest, this.endRecord?.t ?? 0, 1);
    const { lanes, rows } = deriveLanes(this.laneTids, this.kept, { first: this.first, last: this.last, count: this.count }, end);
    const arrows = deriveArrows(lanes, this.kept);
    const { objects, table } = deriveNamespaces(this.header, lanes, this.kept, arrows);
    return {
      header: this.header,
      columns: this.columns,
      lanes,
      rows,
      arrows,
      namespaces: objects,
      milestones: deriveMilestones(this.kept),
      phases: derivePhases(this.header, this.columns, this.kept, end),
      namespaceTable: table,
      kept: this.kept,
      signals: this.kept.filter((item) => item.record.type === 'signal'),
      lost: this.kept.flatMap((item) => (item.record.type === 'lost' ? [item.record] : [])),
      start: 0,
      end,
      complete: this.endRecord !== null,
      endRecord: this.endRecord,
    };
  }
}

/** The whole pipeline in one thread, for tests and small traces. */
export function modelFromRecords(header: TraceHeader, records: Iterable<TraceRecord>): TraceModel {
  const ingest = new RecordIngest();
  let seq = 0;
  for (const record of records) ingest.add(record, seq++);
  const builder = new TraceModelBuilder(header);
  const batch = ingest.take();
  if (batch) builder.addBatch(batch);
  return builder.build();
}
