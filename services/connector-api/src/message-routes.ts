import express, { type Express, type Response } from 'express';
import { TOPICS } from '@kanal/contracts';
import { HttpError, requestTraceparent, requireBearer } from '@kanal/http';
import { BusError, BusUnavailableError, RecordTooLargeError, type EventPublisher } from '@kanal/kafka';
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
        if (!mapped.ok && 'tooLarge' in mapped) {
          deps.accepted.inc({ outcome: 'too-large' });
          const { field, limit, size, code } = mapped.tooLarge;
          throw new HttpError(413, code, `${field} has ${size} bytes as JSON; the limit is ${limit}`, {
            field,
            limit,
            size,
            unit: 'bytes of JSON-encoded UTF-8',
          });
        }
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
          throw refusal(error, mapped.events.length, deps, res);
        }
        deps.accepted.inc({ outcome: 'accepted' }, mapped.events.length);
        res.status(202).json({ accepted: mapped.events.length, ids: mapped.events.map((e) => e.id) });
      },
    );
  };
}

/** A failed publish as an answer: a size problem is the client's (413), never an outage (503). */
function refusal(error: unknown, count: number, deps: MessageRoutesDeps, res: Response): unknown {
  if (error instanceof RecordTooLargeError) {
    deps.accepted.inc({ outcome: 'too-large' }, count);
    const field = Array.isArray(res.req.body) ? `[${error.index}]` : '(root)';
    return new HttpError(413, error.code, `${field} is ${error.size} bytes as an event; the limit is ${error.limit}`, {
      field,
      limit: error.limit,
      size: error.size,
      unit: 'bytes of the Kafka record',
    });
  }
  deps.accepted.inc({ outcome: 'unavailable' }, count);
  if (error instanceof BusUnavailableError) {
    res.set('Retry-After', '5');
    return new HttpError(503, error.code, 'Kafka is unavailable; retry later (the same messages get the same ids)');
  }
  // The broker refused the topic (authorization, a bad name): Kanal's configuration, not the client's input.
  if (error instanceof BusError) {
    res.set('Retry-After', '30');
    return new HttpError(
      503,
      error.code,
      'Kafka refused the publish; retry later (the same messages get the same ids)',
    );
  }
  return error;
}
