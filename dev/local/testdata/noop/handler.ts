/** No-op function for bench/runtime-overhead.ts: measures the runtime's own cost per message. */
import type { FnEvent } from '../../../../shared/platform/fn.ts';

export default async (event: FnEvent): Promise<unknown> => ({ n: (event.body as { messages: unknown[] }).messages.length });
