import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '@aduan/telemetry';

/** Labels are closed sets (outcome, reason, kind) or our own number; never a citizen's data. */
function create() {
  const registers = [metricsRegistry];
  return {
    messages: new Counter({ name: 'aduan_whatsapp_messages_total', help: 'Incoming WhatsApp messages by outcome', labelNames: ['outcome', 'reason'], registers }),
    media: new Counter({ name: 'aduan_whatsapp_media_total', help: 'Media downloads by outcome', labelNames: ['outcome'], registers }),
    complaints: new Counter({ name: 'aduan_whatsapp_complaints_total', help: 'Complaints queued on intake', labelNames: ['outcome'], registers }),
    sends: new Counter({ name: 'aduan_whatsapp_sends_total', help: 'Outgoing messages by notification kind and outcome', labelNames: ['kind', 'outcome'], registers }),
    state: new Gauge({ name: 'aduan_whatsapp_connection_state', help: '1 for the current state of each number', labelNames: ['account', 'state'], registers }),
    lastMessage: new Gauge({ name: 'aduan_whatsapp_last_message_timestamp_seconds', help: 'When the last citizen message arrived', labelNames: ['account'], registers }),
    reconnects: new Counter({ name: 'aduan_whatsapp_reconnects_total', help: 'Socket restarts by reason', labelNames: ['account', 'reason'], registers }),
    inboxSpooled: new Gauge({ name: 'aduan_whatsapp_inbox_spooled', help: 'Messages waiting in the inbound spool for Redis', registers }),
  };
}

let instance: ReturnType<typeof create> | undefined;

/** One set per process (prom-client refuses to register a name twice). */
export function waMetrics(): ReturnType<typeof create> {
  instance ??= create();
  return instance;
}
