import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../src';
import { bumpCounters } from '../src/conversations/counter-bumps';
import { runConversation, runConversationSync } from '../src/conversations/run-conversation';
import { readTokens } from '../src/conversations/token-reads';
import { newPageState } from '../src/page/page-state';
import { scriptedBackend } from './support/scripted-backend';

const context = { namespace: 'cs', versionTtlSeconds: 0, report: () => {}, decode: () => undefined };

describe('backend conversations', () => {
  it('run alike against the async backend and its synchronous face', async () => {
    const backend = memoryBackend();
    const asyncPage = newPageState();
    const rounds: string[] = [];
    const outcome = await runConversation(readTokens(['cs:a', 'cs:b'], asyncPage, context), backend, 100, (op) => {
      rounds.push(op.what);
      return undefined;
    });
    expect(outcome.ok).toBe(true);
    expect(rounds).toEqual(['get version tokens', 'create version tokens']);
    const syncPage = newPageState();
    runConversationSync(readTokens(['cs:a', 'cs:b'], syncPage, context), backend.sync!, () => undefined);
    expect([...syncPage.tokens]).toEqual([...asyncPage.tokens]);
    expect(syncPage.created.size).toBe(0); // created by the first page: this one only read them
  });

  it('stop at a round that fails or misses its deadline, naming the round', async () => {
    const { backend, script } = scriptedBackend();
    script('incr', 'hang');
    const outcome = await runConversation(bumpCounters(['cs:a']), backend, 20, () => undefined);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.op.what).toBe('bump version tokens');
      expect(String(outcome.error)).toMatch(/scripted bump version tokens missed its 20 ms deadline/);
    }
  });
});
