import express, { type Express } from 'express';
import { TOPICS } from '@kanal/contracts';
import { HttpError, requestTraceparent, requireBearer } from '@kanal/http';
import { BusUnavailableError, type EventPublisher } from '@kanal/kafka';
import type { Counter } from '@kanal/observability';
import { toInboundEvents } from './to-inbound-events';

export interface MessageRoutesDeps {
  bus: EventPublisher;
  auth: { tokens: string[]; disabled: boolean };
  bodyLimit: string;
  maxBatch: number;
  defaultRegion: string;
  accepted: Counter<'outcome'>;
}

/** `POST /v1/messages`: 202 with the event ids only after Kafka acknowledged every one. */
export function messageRoutes(deps: MessageRoutesDeps) {
  return (app: Express) => {
    app.post(
      '/v1/messages',
      requireBearer(deps.auth.tokens, { disabled: deps.auth.disabled }),
      express.json({ limit: deps.bodyLimit, type: ['application/json', 'application/*+json'] }),
      async (req, res) => {
        if (req.body === undefined || typeof req.body !== 'object' || req.body === null) {
          deps.accepted.inc({ outcome: 'invalid' });
          throw new HttpError(
            400,
            'API.INVALID_BODY',
            'send a JSON object or array with Content-Type: application/json',
          );
        }
        const mapped = toInboundEvents(req.body, { maxBatch: deps.maxBatch, defaultRegion: deps.defaultRegion });
        if (!mapped.ok) {
          deps.accepted.inc({ outcome: 'invalid' });
          const summary = mapped.issues
            .slice(0, 5)
            .map((i) => `${i.path}: ${i.message}`)
            .join('; ');
          throw new HttpError(400, 'API.INVALID_MESSAGE', summary, { issues: mapped.issues });
        }
        try {
          const traceparent = requestTraceparent(req);
          await deps.bus.publish(
            mapped.events.map((event) => ({
              topic: TOPICS.inbound,
              key: event.subject!,
              event,
              headers: { traceparent },
            })),
          );
        } catch (error) {
          deps.accepted.inc({ outcome: 'unavailable' }, mapped.events.length);
          if (error instanceof BusUnavailableError) {
            res.set('Retry-After', '5');
            throw new HttpError(
              503,
              error.code,
              'Kafka is unavailable; retry later (the same messages get the same ids)',
            );
          }
          throw error;
        }
        deps.accepted.inc({ outcome: 'accepted' }, mapped.events.length);
        res.status(202).json({ accepted: mapped.events.length, ids: mapped.events.map((e) => e.id) });
      },
    );
  };
}
