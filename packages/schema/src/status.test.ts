import { describe, expect, it } from 'vitest';
import { Routing, StatusUpdate } from './index.ts';

const update = { schemaVersion: 1, complaintId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', opd: 'dishub', at: '2026-01-05T03:00:00.000Z', updateId: 'u-1' } as const;

describe('StatusUpdate', () => {
  it('takes a "returned" report only with a message for the admin', () => {
    const bare = StatusUpdate.safeParse({ ...update, state: 'returned' });
    expect(bare.success).toBe(false);
    expect(bare.error?.issues.map((i) => i.path.join('.'))).toEqual(['message']);
    expect(StatusUpdate.safeParse({ ...update, state: 'returned', message: '   ' }).success).toBe(false);
    expect(StatusUpdate.parse({ ...update, state: 'returned', message: 'Bukan kewenangan kami, mungkin DLH' }).state).toBe('returned');
  });
  it('keeps every earlier report valid, with or without a message', () => {
    for (const state of ['in_progress', 'resolved', 'rejected'] as const) expect(StatusUpdate.safeParse({ ...update, state }).success).toBe(true);
  });
});

describe('Routing', () => {
  it('names a decision made by an OPD that returned the complaint', () => {
    const r = Routing.parse({ opd: 'dishub', opdName: 'Dinas Perhubungan', confidence: 0, decidedBy: 'opd', triage: true, revision: 1, routedAt: '2026-01-05T03:00:00.000Z', routerVersion: '1' });
    expect([r.decidedBy, r.triage]).toEqual(['opd', true]);
  });
});
