import { describe, expect, it } from 'vitest';
import { closeConsumerClient } from './platformatic.adapter';

// The bounded close of a replaced @platformatic/kafka consumer client (ADR 0003 addendum
// 2026-12-04). The client stands in for @platformatic/kafka's Consumer: the failures it shows
// (a close that never settles behind a hung group request, a LeaveGroup failure that skips the
// socket teardown) cannot be produced on demand against the real broker.

type Warning = { obj: Record<string, unknown>; msg: string };

function stand(closeOutcome: 'resolves' | 'rejects' | 'hangs', connectionsOutcome: 'resolves' | 'hangs' = 'resolves') {
  const calls = { close: [] as unknown[], connectionsClosed: 0 };
  const settle = (outcome: string, error: Error) =>
    outcome === 'resolves' ? Promise.resolve() : outcome === 'rejects' ? Promise.reject(error) : new Promise<void>(() => {});
  const client = {
    close: (force?: boolean) => {
      calls.close.push(force);
      return settle(closeOutcome, new Error('LeaveGroup failed: NOT_COORDINATOR'));
    },
    connections: {
      close: () => {
        calls.connectionsClosed++;
        return settle(connectionsOutcome, new Error('unreachable'));
      },
    },
  };
  return { client: client as unknown as Parameters<typeof closeConsumerClient>[0], calls };
}

function collect() {
  const warnings: Warning[] = [];
  return { warnings, logger: { warn: (obj: object, msg: string) => void warnings.push({ obj: obj as Record<string, unknown>, msg }) } };
}

describe('closeConsumerClient', () => {
  it('a close that settles: forced close, nothing logged, connections left to it', async () => {
    const { client, calls } = stand('resolves');
    const { warnings, logger } = collect();
    await closeConsumerClient(client, 200, logger, { groupId: 'g', client: 1 });
    expect(calls.close).toEqual([true]);
    expect(calls.connectionsClosed).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('a close that fails (LeaveGroup refused, sockets not torn down): logged with its error, connections closed', async () => {
    const { client, calls } = stand('rejects');
    const { warnings, logger } = collect();
    await closeConsumerClient(client, 200, logger, { groupId: 'g', client: 2, reason: 'stream failed' });
    expect(calls.connectionsClosed).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/did not close/);
    expect(warnings[0]!.obj).toMatchObject({ groupId: 'g', client: 2, reason: 'stream failed', err: 'LeaveGroup failed: NOT_COORDINATOR' });
  });

  it('a close that never settles (hung group request): resolves after the timeout, logged, connections closed', async () => {
    const { client, calls } = stand('hangs');
    const { warnings, logger } = collect();
    const started = Date.now();
    await closeConsumerClient(client, 200, logger, { groupId: 'g', client: 3 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
    expect(calls.connectionsClosed).toBe(1);
    expect(warnings.map((w) => w.obj.err)).toEqual(['Kafka consumer close timed out after 200 ms']);
  });

  it('connections that do not close either: still resolves within two timeouts, both logged', async () => {
    const { client } = stand('hangs', 'hangs');
    const { warnings, logger } = collect();
    const started = Date.now();
    await closeConsumerClient(client, 150, logger, { groupId: 'g', client: 4 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(warnings.map((w) => w.msg)).toEqual([
      'Kafka consumer client did not close; closing its connections',
      'Kafka consumer client: its connections did not close either',
    ]);
  });

  it('a close that throws synchronously is handled like a failed one', async () => {
    const { warnings, logger } = collect();
    let connectionsClosed = 0;
    const client = {
      close: () => {
        throw new Error('sync failure');
      },
      connections: { close: async () => void connectionsClosed++ },
    } as unknown as Parameters<typeof closeConsumerClient>[0];
    await closeConsumerClient(client, 200, logger, {});
    expect(connectionsClosed).toBe(1);
    expect(warnings.map((w) => w.obj.err)).toEqual(['sync failure']);
  });
});
