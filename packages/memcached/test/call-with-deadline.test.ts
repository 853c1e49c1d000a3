import { describe, expect, it } from 'vitest';
import type { Answer, Call, Lease, ServerClient } from '../src/call-contract';
import { callWithDeadline } from '../src/call-with-deadline';
import { sleep } from './helpers';

type Callback = (error: unknown, value: unknown) => void;

/** A lease that records what the call reports; `current` can be switched off. */
function recordingLease() {
  const events: string[] = [];
  const aborts = new Set<(reason: string) => void>();
  let current = true;
  const lease: Lease = {
    client: {} as ServerClient,
    server: '127.0.0.1:1',
    current: () => current,
    track(abort) {
      aborts.add(abort);
      return () => aborts.delete(abort);
    },
    failed: (reason) => events.push(`failed: ${reason}`),
    unanswered: (reason) => events.push(`unanswered: ${reason}`),
    missedDeadline: () => events.push('missed'),
    answeredLate: (_call, fault) => events.push(fault === undefined ? 'late ok' : `late fault: ${fault}`),
  };
  return {
    lease,
    events,
    aborts,
    endEpoch: () => {
      current = false;
    },
  };
}

/** A call whose client misbehaves as `send` says; answers read as ok values, errors as faults. */
function misbehaving(send: (callback: Callback) => void, timeoutMs = 50, graceMs = 100): Call<unknown> {
  return {
    what: 'test call',
    timeoutMs,
    graceMs,
    send: (_client, callback) => send(callback),
    read: (error, value): Answer<unknown> =>
      error ? { ok: false, reason: String(error), fault: true } : { ok: true, value },
  };
}

describe('callWithDeadline', () => {
  it('settles with the first answer when the client calls back twice', async () => {
    const { lease, events } = recordingLease();
    const result = await callWithDeadline(
      lease,
      misbehaving((callback) => {
        callback(undefined, 'first');
        callback(undefined, 'second');
        callback(new Error('third'), undefined);
      }),
    );
    expect(result).toBe('first');
    expect(events).toEqual([]);
  });

  it('rejects at its deadline when the client never calls back, and reports the server after the grace period', async () => {
    const { lease, events } = recordingLease();
    const started = performance.now();
    await expect(
      callWithDeadline(
        lease,
        misbehaving(() => {}),
      ),
    ).rejects.toThrow(/test call on 127\.0\.0\.1:1 missed its 50 ms deadline/);
    expect(performance.now() - started).toBeLessThan(50 + 400);
    expect(events).toEqual(['missed']);
    await sleep(200);
    expect(events).toEqual(['missed', 'unanswered: test call got no answer 150 ms after it was sent']);
  });

  it('tells the lease about an answer that comes after the deadline, without settling again', async () => {
    const { lease, events } = recordingLease();
    let answer: Callback = () => {};
    const call = callWithDeadline(
      lease,
      misbehaving((callback) => {
        answer = callback;
      }),
    );
    await expect(call).rejects.toThrow(/deadline/);
    answer(undefined, 'late');
    answer(undefined, 'later still');
    expect(events).toEqual(['missed', 'late ok']);
  });

  it('turns a client that throws while sending into a rejection and a fault', async () => {
    const { lease, events } = recordingLease();
    await expect(
      callWithDeadline(
        lease,
        misbehaving(() => {
          throw new Error('boom');
        }),
      ),
    ).rejects.toThrow(/test call on 127\.0\.0\.1:1 failed: Error: boom/);
    expect(events).toEqual(['failed: Error: boom']);
  });

  it('never throws into the client when reading its answer throws', async () => {
    const { lease, events } = recordingLease();
    const call: Call<unknown> = {
      ...misbehaving((callback) => callback(undefined, 'value')),
      read: () => {
        throw new Error('unreadable');
      },
    };
    await expect(callWithDeadline(lease, call)).rejects.toThrow(/unreadable answer/);
    expect(events).toHaveLength(1);
  });

  it('rejects at once when the lease aborts it, and ignores the answer that follows', async () => {
    const { lease, aborts } = recordingLease();
    let answer: Callback = () => {};
    const call = callWithDeadline(
      lease,
      misbehaving((callback) => {
        answer = callback;
      }, 10_000),
    );
    for (const abort of aborts) abort('the server went down');
    await expect(call).rejects.toThrow('test call on 127.0.0.1:1 was cut short: the server went down');
    expect(() => answer(undefined, 'value')).not.toThrow();
    expect(aborts.size).toBe(0);
  });

  it('does not trust an answer that comes after its server went down', async () => {
    const recording = recordingLease();
    const call = callWithDeadline(
      recording.lease,
      misbehaving((callback) => {
        recording.endEpoch();
        callback(undefined, 'from an old connection');
      }),
    );
    await expect(call).rejects.toThrow(/answered after its server went down/);
  });
});
