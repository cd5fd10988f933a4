/**
 * alert-deliver (topic `alerts`, batched; issue 11, docs/alert-delivery.md): each AlertChange the
 * detector wrote is stored in Redis once (open and recent alerts, deduplicated by (alert.id, type,
 * detected_at), ordered per alert), announced to the dashboard (PUBLISH, the same script) and,
 * with ALERT_WEBHOOK_URL, queued in a Redis outbox that this process drains in the background
 * (retries with exponential backoff; the answer never waits for the webhook). The drainer starts
 * with the clients (the first call or health check), so a restarted process resumes the outbox.
 * GET answers the webhook's state: `{webhook, delivered, gave_up, pending, in_flight, dead}`.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { answerNow } from '../../shared/platform/function.ts';
import { deliverChanges } from '../../shared/alerts/deliver.ts';
import { startDrainer, type Drainer } from '../../shared/alerts/deliver-webhook.ts';
import { RedisAlertStore } from '../../shared/alerts/adapters/store-redis.ts';
import { httpPoster } from '../../shared/alerts/adapters/deliver-http.ts';
import { requireSecretFile } from '../../shared/adapters/secret-file.ts';
import { alertMetrics, processRegistry } from '../../shared/platform/metrics.ts';

/** orderpulse_alert_* (served on /_/metrics). */
const metrics = alertMetrics(processRegistry());

interface Clients {
  store: RedisAlertStore;
  drainer: Drainer | undefined;
  webhook: boolean;
  recentMax: number;
}

const fn = defineFunction({
  name: 'alert-deliver',
  open(config, log): Clients {
    const store = RedisAlertStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-alert-deliver', log);
    const url = config.alertWebhookUrl;
    const secret = config.alertWebhookSecret ?? (config.alertWebhookSecretFile === undefined ? undefined : requireSecretFile(config.alertWebhookSecretFile, { setting: 'ALERT_WEBHOOK_SECRET_FILE', whenEmpty: 'write the signing secret into it' }));
    const drainer =
      url === undefined
        ? undefined
        : startDrainer({
            outbox: store,
            post: httpPoster(url),
            log,
            maxAttempts: config.alertWebhookMaxAttempts,
            backoffBaseMs: config.alertWebhookBackoffMs,
            timeoutMs: config.alertWebhookTimeoutMs,
            ...(secret === undefined ? {} : { secret }),
            metrics,
          });
    log.info('alert delivery ready', { webhook: url === undefined ? 'off' : new URL(url).origin, signed: secret !== undefined, keys: `${config.kpiPrefix}alerts:*` });
    return { store, drainer, webhook: url !== undefined, recentMax: config.alertRecentMax };
  },
  parse(event) {
    if (event.method === 'GET') return 'status' as const;
    const { messages } = decodeEvent(event);
    return messages.length === 0 ? answerNow({ changes: 0 }) : messages;
  },
  async handle(messages, _ctx, c, log) {
    if (messages === 'status') return { webhook: c.webhook ? 'on' : 'off', ...(await c.store.webhookStats()), in_flight: c.drainer?.inFlight() ?? 0, dead: await c.store.deadLetters() };
    const r = await deliverChanges(messages, { store: c.store, webhook: c.webhook, recentMax: c.recentMax, log });
    metrics.changes(r);
    if (r.queued > 0) c.drainer?.kick();
    return r;
  },
  async health(clients) {
    const c = await clients();
    await c.store.ping();
    return { status: 'ok', webhook: c.webhook ? 'on' : 'off', webhook_in_flight: c.drainer?.inFlight() ?? 0 };
  },
  async close(c) {
    await c.drainer?.close();
    await c.store.close();
  },
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
