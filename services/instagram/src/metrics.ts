import { Counter, Gauge, type Registry } from 'prom-client';

/** Connection states, exported as a one-hot gauge (closed set, no personal data). */
export const CONNECTION_STATES = ['starting', 'connected', 'backoff', 'awaiting_code', 'relogin', 'stopped', 'lock_lost'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface IgMetrics {
  items: Counter<'type' | 'outcome'>;
  media: Counter<'kind' | 'outcome'>;
  polls: Counter<'outcome'>;
  backoffs: Counter<'reason'>;
  approvals: Counter<'outcome'>;
  sent: Counter<'outcome'>;
  complaints: Counter<'outcome'>;
  state: Gauge<'state'>;
  lastSuccess: Gauge;
  setState(state: ConnectionState): void;
}

function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Idempotent: tests build several adapters in one process on the shared registry. */
export function createIgMetrics(registry: Registry): IgMetrics {
  const registers = [registry];
  const items = getOrCreate(registry, 'aduan_instagram_items_total', () => new Counter({ name: 'aduan_instagram_items_total', help: 'Direct thread items seen, by item type and outcome', labelNames: ['type', 'outcome'] as const, registers }));
  const media = getOrCreate(registry, 'aduan_instagram_media_total', () => new Counter({ name: 'aduan_instagram_media_total', help: 'Media downloads into attachment storage', labelNames: ['kind', 'outcome'] as const, registers }));
  const polls = getOrCreate(registry, 'aduan_instagram_polls_total', () => new Counter({ name: 'aduan_instagram_polls_total', help: 'Inbox poll cycles by outcome', labelNames: ['outcome'] as const, registers }));
  const backoffs = getOrCreate(registry, 'aduan_instagram_backoffs_total', () => new Counter({ name: 'aduan_instagram_backoffs_total', help: 'Back-offs after Instagram errors, by reason', labelNames: ['reason'] as const, registers }));
  const approvals = getOrCreate(registry, 'aduan_instagram_pending_approvals_total', () => new Counter({ name: 'aduan_instagram_pending_approvals_total', help: 'Message requests (pending inbox) approved', labelNames: ['outcome'] as const, registers }));
  const sent = getOrCreate(registry, 'aduan_instagram_sent_total', () => new Counter({ name: 'aduan_instagram_sent_total', help: 'notify.instagram messages sent into threads', labelNames: ['outcome'] as const, registers }));
  const complaints = getOrCreate(registry, 'aduan_instagram_complaints_total', () => new Counter({ name: 'aduan_instagram_complaints_total', help: 'Complaints filed from Instagram conversations, by outcome (queued, spooled)', labelNames: ['outcome'] as const, registers }));
  const state = getOrCreate(registry, 'aduan_instagram_connection_state', () => new Gauge({ name: 'aduan_instagram_connection_state', help: '1 for the current connection state of the Instagram account', labelNames: ['state'] as const, registers }));
  const lastSuccess = getOrCreate(registry, 'aduan_instagram_last_poll_success_timestamp_seconds', () => new Gauge({ name: 'aduan_instagram_last_poll_success_timestamp_seconds', help: 'Unix time of the last successful poll cycle (alert when it lags)', registers }));
  return {
    lastSuccess,
    items,
    media,
    polls,
    backoffs,
    approvals,
    sent,
    complaints,
    state,
    setState(s) {
      for (const name of CONNECTION_STATES) state.set({ state: name }, name === s ? 1 : 0);
    },
  };
}
