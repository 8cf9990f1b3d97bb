import express, { type Express, type RequestHandler } from 'express';
import { HttpError, requireBearer } from '@kanal/http';
import type { EventPublisher, OutgoingRecord } from '@kanal/kafka';
import { BusUnavailableError } from '@kanal/kafka';
import { withTransaction, type Pool } from '@kanal/postgres';
import type { RouterContext } from '../router-context';
import { customerConversations, getConversation, type Conversation } from '../store/conversation-repo';
import { DirectStore, type ConversationStore } from '../store/conversation-store';
import { conversationHistory } from '../store/history-repo';
import { openIncidents } from '../surge/surge-watch';
import { closeConversation, recordResponse } from '../use-cases/record-response';
import { queueOverview } from './queue-overview';
import { assertNotBeforeConversation, responseTime } from './response-time';
import { idParams, parseInput, respondedBody } from './route-input';

export interface RouteDeps {
  ctx: RouterContext;
  pool: Pool;
  bus: EventPublisher;
  auth: { tokens: string[]; disabled: boolean };
  bodyLimit: string;
}

/** The router endpoints (docs/architecture.md §5): thin, each delegating to a query or a use case. */
export function routerRoutes(deps: RouteDeps) {
  return (app: Express) => {
    const auth = requireBearer(deps.auth.tokens, { disabled: deps.auth.disabled });
    const json = express.json({ limit: deps.bodyLimit });
    const { ctx, pool } = deps;

    app.get('/v1/queues', auth, wrap(async (_req, res) => res.json({ items: await queueOverview(pool, ctx) })));

    app.get('/v1/conversations/:id', auth, wrap(async (req, res) => {
      const conv = await getConversation(pool, parseId(req.params));
      if (!conv) throw new HttpError(404, 'ROUTER.CONVERSATION_NOT_FOUND', 'no such conversation');
      res.json({ ...view(conv), history: await conversationHistory(pool, conv.id) });
    }));

    app.get('/v1/customers/:id/conversations', auth, wrap(async (req, res) => {
      res.json({ items: (await customerConversations(pool, parseId(req.params))).map(view) });
    }));

    app.post('/v1/conversations/:id/responded', auth, json, wrap(async (req, res) => {
      const id = parseId(req.params);
      const body = parseInput(respondedBody, req.body ?? {}, 'ROUTER.INVALID_BODY');
      const at = responseTime('at', body.at, ctx.now());
      const conv = await mutate(deps, id, (db, c) => {
        assertNotBeforeConversation('at', at, c);
        return recordResponse(ctx, db, c, { cause: `responded:${c.id}:${c.generation}`, at });
      });
      res.json(view(conv));
    }));

    app.post('/v1/conversations/:id/close', auth, json, wrap(async (req, res) => {
      const conv = await mutate(deps, parseId(req.params), (db, c) =>
        closeConversation(ctx, db, c, { cause: `closed:${c.id}:${c.generation}`, at: ctx.now() }),
      );
      res.json(view(conv));
    }));

    app.get('/v1/incidents', auth, wrap(async (_req, res) => {
      res.json({ items: await openIncidents(pool, ctx.config.surge.window, ctx.now()) });
    }));
  };
}

/** Lock, change, publish (acks=all), commit: a Kafka outage answers 503 and changes nothing. */
async function mutate(
  deps: RouteDeps,
  id: string,
  change: (store: ConversationStore, c: Conversation) => Promise<{ conversation: Conversation; records: OutgoingRecord[] }>,
): Promise<Conversation> {
  try {
    return await withTransaction(deps.pool, async (db) => {
      const store = new DirectStore(db);
      const conv = await store.lock(id);
      if (!conv) throw new HttpError(404, 'ROUTER.CONVERSATION_NOT_FOUND', 'no such conversation');
      const { conversation, records } = await change(store, conv);
      await deps.bus.publish(records);
      return conversation;
    });
  } catch (error) {
    if (error instanceof BusUnavailableError) throw new HttpError(503, error.code, 'event bus unavailable; retry later');
    throw error;
  }
}

export function view(c: Conversation) {
  return {
    id: c.id,
    customerId: c.customerId,
    status: c.status,
    queue: c.queue,
    priority: c.priority,
    channel: c.channel,
    channels: c.channels,
    openedAt: c.openedAt.toISOString(),
    lastInboundAt: c.lastInboundAt.toISOString(),
    slaDueAt: c.status === 'waiting' ? c.slaDueAt?.toISOString() : undefined,
    slaBreached: c.slaBreached,
    firstResponseAt: c.firstResponseAt?.toISOString(),
    firstResponseSeconds: c.firstResponseAt ? (c.firstResponseAt.getTime() - c.slaStartedAt.getTime()) / 1000 : undefined,
    closedAt: c.closedAt?.toISOString(),
    mergedInto: c.mergedInto ?? undefined,
  };
}

function parseId(params: unknown): string {
  return parseInput(idParams, params, 'ROUTER.INVALID_ID').id;
}

function wrap(fn: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => Promise<unknown>): RequestHandler {
  return (req, res, next) => void fn(req, res).catch(next);
}
