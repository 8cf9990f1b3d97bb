import { Counter, Gauge, type ServiceMetrics } from '@kanal/observability';

export type WhatsappMetrics = ReturnType<typeof createWhatsappMetrics>;

/** Connector-specific metrics beside the standard set (`kanal_dropped_total{reason}` counts media drops). */
export function createWhatsappMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    dropped: metrics.dropped,
    upserts: new Counter({
      name: 'kanal_whatsapp_upserts_total',
      help: 'messages.upsert items, per upsert type',
      labelNames: ['type'] as const,
      registers,
    }),
    skipped: new Counter({
      name: 'kanal_whatsapp_skipped_total',
      help: 'Items that are by design not messages, per reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'kanal_whatsapp_dead_lettered_total',
      help: 'Items the mapper could not turn into an event, published to the DLQ with their raw payload',
      labelNames: ['code'] as const,
      registers,
    }),
    phoneUnverified: new Counter({
      name: 'kanal_whatsapp_phone_unverified_total',
      help: 'Events whose WhatsApp-verified phone libphonenumber calls invalid (kept, flagged phoneUnverified)',
      registers,
    }),
    fallbacks: new Counter({
      name: 'kanal_whatsapp_fallbacks_total',
      help: 'Events published with a fallback (identityFallback, dateFallback, textTruncated, textSanitized, identifierDropped, messageTrimmed)',
      labelNames: ['flag'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'kanal_whatsapp_duplicates_total',
      help: 'Events skipped because they were already published',
      registers,
    }),
    held: new Counter({
      name: 'kanal_whatsapp_held_stubs_total',
      help: 'CIPHERTEXT stubs held back until the resend',
      registers,
    }),
    publishRetries: new Counter({
      name: 'kanal_whatsapp_publish_retries_total',
      help: 'Publish attempts retried (broker unavailable)',
      registers,
    }),
    disconnects: new Counter({
      name: 'kanal_whatsapp_disconnects_total',
      help: 'Socket closes per DisconnectReason code',
      labelNames: ['code'] as const,
      registers,
    }),
    loggedOut: new Counter({
      name: 'kanal_whatsapp_logged_out_total',
      help: 'Sessions logged out by the phone (401); need re-pairing',
      registers,
    }),
    alerts: new Counter({
      name: 'kanal_whatsapp_session_alerts_total',
      help: 'Sessions stopped for an operator (440 conflict, 403 forbidden)',
      labelNames: ['reason'] as const,
      registers,
    }),
    media: new Counter({
      name: 'kanal_whatsapp_media_total',
      help: 'Media downloads per outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    sessions: new Gauge({
      name: 'kanal_whatsapp_sessions',
      help: 'Sessions of this replica per state',
      labelNames: ['state'] as const,
      registers,
    }),
  };
}
