/**
 * The quality check's report as this stage stores it: the contracted QualityReport
 * (shared/analytics/types.ts, GET /api/quality) plus how the comparison was made. `details` holds
 * only mismatches (`details.length === mismatches`); the extra fields are information, never
 * counted as mismatches.
 */
import type { QualityReport } from '../analytics/types.ts';

export interface QualityCheckReport extends QualityReport {
  /**
   * true: the live views did not change while the batch ran and count the same orders, so every
   * field was compared exactly. false: orders were flowing; additive fields were checked to lie
   * between the live values read before and after the batch run, ratios were skipped.
   */
  settled: boolean;
  /** Orders in the hot store and the archive at once (a batch written, not yet deleted): fine mid-move while the count identity holds. */
  in_both: number;
  /** The served views' version and as_of the batch was compared with (the first read). */
  live_version: number | null;
  live_as_of: string | null;
  /** When the batch run finished, and how long it took. */
  batch_as_of: string;
  batch_took_ms: number;
  /** DLQ records read, and how many of them repeated an earlier record's source offset (a redelivered batch): not counted in dlq_by_reason. */
  dlq_records: number;
  dlq_redelivered: number;
}

/** DLQ records counted by reason (the `reason` header), each source message once. */
export interface DlqCounts {
  by_reason: Record<string, number>;
  /** Records read from the topic. */
  records: number;
  /** Records whose source topic/partition/offset was already counted. */
  redelivered: number;
}
