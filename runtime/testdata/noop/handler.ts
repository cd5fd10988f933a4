/** No-op function for runtime/overhead-bench.ts: measures the runtime's own cost per message. */
import type { FnEvent } from '../../../shared/fn/types.ts';

export default async (event: FnEvent): Promise<unknown> => ({ n: (event.body as { messages: unknown[] }).messages.length });
