import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('resolves as soon as the condition holds (sync or async)', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, { timeoutMs: 1000, intervalMs: 1, what: 'three polls' });
    expect(n).toBe(3);
    await waitFor(async () => true, { timeoutMs: 0, what: 'an async true' });
  });

  it('fails after the timeout, naming what it waited for and the last error', async () => {
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: 'the impossible' })).rejects.toThrow(/timed out after 30 ms waiting for the impossible$/);
    await expect(
      waitFor(
        () => {
          throw new Error('not connected');
        },
        { timeoutMs: 10, intervalMs: 5, what: 'a connection' },
      ),
    ).rejects.toThrow(/waiting for a connection; the last check threw: not connected/);
  });
});
