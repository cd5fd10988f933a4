/**
 * The webhook POST (issue 11): Node's fetch to ALERT_WEBHOOK_URL with a timeout; redirects are
 * not followed (the change goes only to the configured address, as the gateway's callbacks never
 * go elsewhere, docs/runtime.md "Callbacks"); never throws: no answer is `{error}`.
 */
import type { PostResult, WebhookPoster } from '../deliver-webhook.ts';

export function httpPoster(url: string): WebhookPoster {
  return async (body, headers, timeoutMs): Promise<PostResult> => {
    try {
      const r = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await r.body?.cancel().catch(() => undefined);
      return { status: r.status };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return { error: `no answer within ${timeoutMs} ms` };
      return { error: e.cause?.code ?? e.message };
    }
  };
}
