/**
 * Asynchronous function invocation through the OpenFaaS-style gateway (`/async-function/<name>`
 * answers 202): archive-check asks archive-move, aggregate asks kpi-rebuild.
 */
import { DependencyError } from '../platform/errors.ts';

export interface InvokeResult {
  status: number;
  /** The gateway's call id (X-Call-Id), when it sends one. */
  callId?: string;
}

export interface Invoker {
  invokeAsync(fn: string, body: unknown): Promise<InvokeResult>;
}

export class HttpInvoker implements Invoker {
  constructor(
    private readonly gatewayUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async invokeAsync(fn: string, body: unknown): Promise<InvokeResult> {
    const url = `${this.gatewayUrl.replace(/\/+$/, '')}/async-function/${encodeURIComponent(fn)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new DependencyError('gateway', `cannot reach ${url}; is the pipeline running? (npm run pipeline)`, { cause });
    }
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status >= 300) throw new DependencyError('gateway', `POST ${url} answered ${res.status}: ${text.slice(0, 200)}`, { retriable: res.status >= 500 });
    const callId = res.headers.get('x-call-id') ?? undefined;
    return callId ? { status: res.status, callId } : { status: res.status };
  }
}
