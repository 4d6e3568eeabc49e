import { describe, expect, it } from 'vitest';
import type { StatusView } from '@aduan/schema';
import { backLinkFor, statusPage } from './result-pages.ts';

const view = (state: StatusView['state'], opd: { code: string; name: string }): StatusView => ({ ticket: 'ADU-7K3M-9Q2X', state, opd, channel: 'webform', receivedAt: '2026-11-28T16:40:00.000Z', updatedAt: '2026-11-28T17:05:00.000Z', history: [] });

describe('the status page', () => {
  it('names the OPD a complaint went to', () => {
    expect(statusPage({ view: view('routed', { code: 'dishub', name: 'Dinas Perhubungan' }) })).toContain('— <strong>Dinas Perhubungan</strong>');
  });

  it('says a complaint outside the city\'s remit once: "external" is no agency to name after it', () => {
    const page = statusPage({ view: view('external', { code: 'external', name: 'Di luar kewenangan Pemerintah Kota Blitar' }) });
    expect(page.match(/Di luar kewenangan Pemerintah Kota Blitar/g)).toHaveLength(1);
  });
});

describe('error pages lead back', () => {
  it("to the citizens' form from their pages, and staff to their own page", () => {
    expect(backLinkFor('/').href).toBe('/');
    expect(backLinkFor('/status?ticket=x').href).toBe('/');
    expect(backLinkFor('/api/v1/complaints').href).toBe('/');
    expect(backLinkFor('/login?next=%2Fdesk').href).toBe('/login');
    expect(backLinkFor('/logout').href).toBe('/login');
    expect(backLinkFor('/desk').href).toBe('/desk');
    expect(backLinkFor('/admin/triage/01ABC/assign').href).toBe('/admin/triage');
    // Only a path that is a staff page: a citizen's path merely starting alike is not.
    expect(backLinkFor('/desktop').href).toBe('/');
    expect(backLinkFor('/loginx').href).toBe('/');
  });
});
