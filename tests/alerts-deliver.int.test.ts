/**
 * alert-deliver end to end (issue 11 item 2, docs/alert-delivery.md): real Kafka (a private alerts
 * topic), the function behind the local gateway and connector, real Redis, and a local HTTP
 * webhook receiver that refuses the first attempts of every change and hangs once. Every change
 * lands in Redis exactly once, a redelivery is a no-op, the webhook accepts each change exactly
 * once after retries, a hanging webhook does not slow the function's answer, and the outbox
 * survives a SIGKILL of the function (the restarted process resumes it without a new change).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../dev/testing/wait-for.ts';
import { encodeBatch } from '../shared/delivery/kafka-batch.ts';
import { KAFKA_BATCH_CONTENT_TYPE } from '../shared/delivery/wire.ts';
import { encodeAlertChange, type AlertChange } from '../shared/alerts/alert.ts';
import { changeKey } from '../shared/alerts/store.ts';
import { signature } from '../shared/alerts/deliver-webhook.ts';
import { alertOf, lifeOf } from '../shared/alerts/testing/alerts.ts';
import { startAlertsPipeline, type AlertsPipeline } from './alerts-pipeline.ts';

type Mode = 'script' | 'hang-all' | 'down' | 'refuse' | 'ok';

/** The webhook under test: per delivery id, attempts 1-2 answer 503; the first 3rd attempt hangs; then 200. */
async function startReceiver(secret: string) {
  const attempts = new Map<string, number>();
  const accepted = new Map<string, number>();
  const bodies = new Map<string, string>();
  const hanging = new Set<http.ServerResponse>();
  let hungOnce = false;
  let hangs = 0;
  let badSignatures = 0;
  let mode: Mode = 'script';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['x-orderpulse-delivery']);
      const ts = String(req.headers['x-orderpulse-timestamp']);
      if (req.headers['x-orderpulse-signature'] !== signature(secret, ts, body)) badSignatures++;
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const hang = (): void => {
        hangs++;
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
      };
      if (mode === 'hang-all') return hang();
      if (mode === 'down') return void res.writeHead(503).end('down');
      if (mode === 'refuse') return void res.writeHead(410).end('gone');
      if (mode === 'script' && n <= 2) return void res.writeHead(503).end('try later');
      if (mode === 'script' && n === 3 && !hungOnce) {
        hungOnce = true;
        return hang();
      }
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
      bodies.set(id, body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`,
    attempts,
    accepted,
    bodies,
    hanging: () => hanging.size,
    hangs: () => hangs,
    badSignatures: () => badSignatures,
    setMode: (m: Mode) => void (mode = m),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const at = (m: number): string => new Date(Date.UTC(2026, 10, 24, 8, m)).toISOString();

describe('alert-deliver: Kafka -> Redis -> webhook', () => {
  const secret = 'test-secret';
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let p: AlertsPipeline;
  // The secret as OpenFaaS mounts it: a file ending with a newline (ALERT_WEBHOOK_SECRET_FILE).
  const secretDir = mkdtempSync(path.join(os.tmpdir(), 'orderpulse-alert-secret-'));
  const secretFile = path.join(secretDir, 'alert-webhook-secret');
  const a1 = lifeOf(alertOf({ id: 'payment_failure:crypto:1', started_at: at(0), detected_at: at(1) }));
  const a2 = lifeOf(alertOf({ id: 'demand_drop:all:1', kind: 'demand_drop', subject: { scope: 'all' }, severity: 'warning', started_at: at(2), detected_at: at(3), observed: 4, expected: 40 }));
  const a3 = lifeOf(alertOf({ id: 'demand_surge:sale:1', kind: 'demand_surge', subject: { sale: 'flash-1' }, severity: 'warning', started_at: at(4), detected_at: at(5), observed: 300, expected: 40 }));
  const all: AlertChange[] = [a1.opened, a2.opened, a1.updated, a3.opened, a2.updated, a1.resolved, a3.updated, a2.resolved, a3.resolved];

  beforeAll(async () => {
    receiver = await startReceiver(secret);
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    p = await startAlertsPipeline('deliver', {
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_SECRET_FILE: secretFile,
      ALERT_WEBHOOK_BACKOFF_MS: '100',
      ALERT_WEBHOOK_TIMEOUT_MS: '3000',
      ALERT_WEBHOOK_MAX_ATTEMPTS: '8',
    });
  }, 120_000);
  afterAll(async () => {
    await p?.close();
    await receiver?.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  it('stores every change once (a detector re-send and garbage included) and the webhook accepts each once after retries', async () => {
    // The detector re-sends a1.opened after a crash (after its resolution), and one value is not an AlertChange.
    await p.send([...all.slice(0, 6), a1.opened, 'not an alert', ...all.slice(6)]);
    const snap = await waitFor(
      async () => {
        const s = await p.store.snapshot();
        return s.recent.length === 3 && s.open.length === 0 && s.recent.every((a) => a.resolved_at !== null) ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'three resolved alerts in Redis' },
    );
    expect(snap.version).toBe(9); // one step per applied change: the re-send and the garbage changed nothing
    expect(snap.recent.map((a) => a.id)).toEqual(['demand_surge:sale:1', 'demand_drop:all:1', 'payment_failure:crypto:1']);
    expect(snap.recent.find((a) => a.id === 'payment_failure:crypto:1')).toEqual(a1.resolved.alert);

    await waitFor(() => receiver.accepted.size === all.length, { timeoutMs: 90_000, intervalMs: 100, what: `the webhook to accept ${all.length} changes` });
    for (const c of all) {
      const id = changeKey(c);
      expect(receiver.accepted.get(id), `${c.type} ${c.alert.id} accepted once`).toBe(1);
      expect(receiver.bodies.get(id)).toBe(encodeAlertChange(c));
      expect(receiver.attempts.get(id)).toBeGreaterThanOrEqual(3);
    }
    expect(receiver.hangs()).toBe(1);
    expect(receiver.badSignatures()).toBe(0);
    await waitFor(async () => (await p.store.webhookStats()).pending === 0, { timeoutMs: 10_000, what: 'the outbox to empty' });
    expect(await p.store.webhookStats()).toEqual({ delivered: 9, gave_up: 0, pending: 0 });
    const status = await p.pipeline.gatewayFetch('/function/alert-deliver');
    expect(await status.json()).toEqual({ webhook: 'on', delivered: 9, gave_up: 0, pending: 0, in_flight: 0, dead: [] });
    // The function's series, summed by the gateway's /metrics (docs/metrics.md).
    const metrics = await (await p.pipeline.gatewayFetch('/metrics')).text();
    for (const line of ['orderpulse_alert_changes_total{result="applied"} 9', 'orderpulse_alert_changes_total{result="duplicate"} 1', 'orderpulse_alert_changes_total{result="invalid"} 1', 'orderpulse_alert_webhook_attempts_total{outcome="delivered"} 9', 'orderpulse_alert_webhook_outbox 0']) {
      expect(metrics.split('\n'), line).toContain(line);
    }
  }, 180_000);

  it('a redelivery is a no-op: nothing stored, announced or sent again', async () => {
    const before = await p.store.snapshot();
    // The same batch straight through the gateway, as the connector would redeliver it.
    const records = all.map((c, i) => ({ offset: String(1000 + i), key: Buffer.from(c.alert.id), value: Buffer.from(encodeAlertChange(c)), timestamp: '', headers: [] }));
    const r = await p.pipeline.gatewayFetch('/function/alert-deliver', { method: 'POST', headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE }, body: new Uint8Array(encodeBatch(p.config.alertsTopic, 0, records)) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ changes: 9, applied: 0, duplicate: 9, stale: 0, invalid: 0, queued: 0 });
    // And through Kafka, followed by one new change: once that is in, the replay before it was read.
    const sentinel = lifeOf(alertOf({ id: 'payment_failure:paypal:1', subject: { payment_method: 'paypal' }, started_at: at(10), detected_at: at(11) }));
    const t0 = performance.now();
    await p.send([...all, sentinel.opened]);
    await waitFor(async () => (await p.store.snapshot()).open.length === 1, { timeoutMs: 60_000, intervalMs: 10, what: 'the sentinel alert open' });
    const inRedisMs = performance.now() - t0;
    const after = await p.store.snapshot();
    expect(after.version).toBe(before.version + 1);
    expect(after.recent.filter((a) => a.id !== 'payment_failure:paypal:1')).toEqual(before.recent);
    await waitFor(() => receiver.accepted.size === all.length + 1, { timeoutMs: 60_000, intervalMs: 10, what: 'the sentinel at the webhook' });
    process.stdout.write(`alert-deliver: 9 replayed + 1 new change produced -> new alert in Redis ${inRedisMs.toFixed(0)} ms, at the webhook ${(performance.now() - t0).toFixed(0)} ms\n`);
    expect([...receiver.accepted.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('a hanging webhook does not slow the function: the answer comes while the POSTs hang', async () => {
    receiver.setMode('hang-all');
    const post = async (c: AlertChange, offset: number): Promise<{ ms: number; body: unknown }> => {
      const t0 = performance.now();
      const r = await p.pipeline.gatewayFetch('/function/alert-deliver', {
        method: 'POST',
        headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE },
        body: new Uint8Array(encodeBatch(p.config.alertsTopic, 0, [{ offset: String(offset), key: Buffer.from(c.alert.id), value: Buffer.from(encodeAlertChange(c)), timestamp: '', headers: [] }])),
      });
      const body: unknown = await r.json();
      expect(r.status).toBe(200);
      return { ms: performance.now() - t0, body };
    };
    const h1 = lifeOf(alertOf({ id: 'payment_failure:card:hang', subject: { payment_method: 'credit_card' }, started_at: at(20), detected_at: at(21) }));
    const first = await post(h1.opened, 2000);
    expect(first.body).toMatchObject({ applied: 1, queued: 1 });
    await waitFor(() => receiver.hanging() >= 1, { timeoutMs: 10_000, what: 'the webhook to hang on a POST' });
    // While a POST hangs (ALERT_WEBHOOK_TIMEOUT_MS 3000), the next answers are as quick as ever.
    const times: number[] = [];
    for (const [i, c] of [h1.updated, h1.resolved].entries()) {
      const r = await post(c, 2001 + i);
      expect(r.body).toMatchObject({ applied: 1, queued: 1 });
      times.push(r.ms);
      expect(receiver.hanging(), 'a POST still hangs when the function answered').toBeGreaterThanOrEqual(1);
    }
    expect(Math.max(...times)).toBeLessThan(1500);
    // The receiver recovers: each of the three is accepted exactly once (after the timeouts and retries).
    receiver.setMode('ok');
    await waitFor(() => [h1.opened, h1.updated, h1.resolved].every((c) => receiver.accepted.get(changeKey(c)) === 1), { timeoutMs: 60_000, intervalMs: 100, what: 'the hung changes delivered' });
    expect([...receiver.accepted.values()].every((n) => n === 1)).toBe(true);
    process.stdout.write(`alert-deliver answer times while the webhook hangs: ${times.map((t) => t.toFixed(0)).join(', ')} ms (webhook timeout 3000 ms)\n`);
  }, 120_000);

  it('the outbox survives a SIGKILL: the restarted process delivers what was pending, once', async () => {
    receiver.setMode('down');
    const k = lifeOf(alertOf({ id: 'demand_surge:kill:1', kind: 'demand_surge', subject: { sale: 'flash-k' }, severity: 'warning', started_at: at(30), detected_at: at(31), observed: 200, expected: 40 }));
    await p.send([k.opened]);
    const key = changeKey(k.opened);
    await waitFor(() => (receiver.attempts.get(key) ?? 0) >= 1, { timeoutMs: 60_000, intervalMs: 50, what: 'a first (refused) attempt' });
    const pid = p.pipeline.pids()['alert-deliver'];
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    await waitFor(() => { const n = p.pipeline.pids()['alert-deliver']; return typeof n === 'number' && n !== pid; }, { timeoutMs: 60_000, intervalMs: 100, what: 'alert-deliver restarted' });
    receiver.setMode('ok');
    // No new change arrives: the new process's drainer (started by its health check) finds the item.
    await waitFor(() => receiver.accepted.get(key) === 1, { timeoutMs: 60_000, intervalMs: 100, what: 'the pending change delivered after the restart' });
    await waitFor(async () => (await p.store.webhookStats()).pending === 0, { timeoutMs: 10_000, what: 'the outbox to empty' });
    expect(await p.store.webhookStats()).toMatchObject({ gave_up: 0, pending: 0 });
    expect([...receiver.accepted.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('a refusal (4xx) is given up at once: counted, kept in the dead list, shown by GET', async () => {
    receiver.setMode('refuse');
    const g = lifeOf(alertOf({ id: 'payment_failure:refused:1', subject: { payment_method: 'debit_card' }, started_at: at(40), detected_at: at(41) }));
    await p.send([g.opened]);
    const status = await waitFor(
      async () => {
        const s = (await (await p.pipeline.gatewayFetch('/function/alert-deliver')).json()) as { gave_up: number; pending: number; dead: { delivery: string; attempts: number; reason: string; change: unknown }[] };
        return s.gave_up === 1 && s.pending === 0 ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the refused change given up' },
    );
    expect(status.dead).toEqual([expect.objectContaining({ delivery: changeKey(g.opened), attempts: 1, reason: 'HTTP 410 after 1 attempt(s)', change: g.opened })]);
    expect(receiver.attempts.get(changeKey(g.opened))).toBe(1);
    expect(receiver.accepted.has(changeKey(g.opened))).toBe(false);
    // The alert itself is stored and shown regardless of the webhook.
    expect((await p.store.snapshot()).open.map((a) => a.id)).toContain('payment_failure:refused:1');
  }, 120_000);
});
