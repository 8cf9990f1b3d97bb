import { z } from 'zod';
import { ALL_EVENT_TYPES, EVENT_TYPES, eventSchema, type EventType } from './event-types';
import { ALL_TOPICS, TOPICS } from './topics';

/** JSON Schema (2020-12) of one event type: envelope plus its `data`. */
export function jsonSchemaOf(type: EventType): Record<string, unknown> {
  const schema = z.toJSONSchema(eventSchema(type), { target: 'draft-2020-12', unrepresentable: 'any' });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://kanal.dev/schemas/${type}.json`,
    title: type,
    description: EVENT_TYPES[type].summary,
    ...schema,
  };
}

const TOPIC_INFO: Record<string, { key: string; producer: string; description: string }> = {
  [TOPICS.inbound]: {
    key: '`channel:accountId:conversationRef`',
    producer: 'connectors',
    description: 'Canonical events from every channel connector.',
  },
  [TOPICS.customers]: {
    key: '`customerId`',
    producer: 'unifier',
    description: 'Unified per-customer stream: enriched messages, merges, splits, link suggestions.',
  },
  [TOPICS.routing]: {
    key: '`customerId`',
    producer: 'router',
    description: 'Routing decisions, escalations, SLA breaches, closures and surge incidents.',
  },
  [TOPICS.dlq]: {
    key: 'the original record key',
    producer: 'any consumer',
    description: 'Records that could not be processed, with an error code and their source position.',
  },
};

const messageName = (type: string) => type.replace(/^kanal\./, '').replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());
const channelName = (topic: string) => topic.replace(/^kanal\./, '').replace(/\.v\d+$/, '');

/** The AsyncAPI 3.0 document of the whole event contract (docs/architecture.md#2-the-event-contract). */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const topic of ALL_TOPICS) {
    const types = ALL_EVENT_TYPES.filter((t) => EVENT_TYPES[t].topic === topic);
    const name = channelName(topic);
    const info = TOPIC_INFO[topic]!;
    channels[name] = {
      address: topic,
      description: `${info.description} Produced by ${info.producer}; record key: ${info.key}. Values are CloudEvents 1.0 JSON (structured mode); headers carry \`ce_type\` and \`traceparent\`.`,
      messages: Object.fromEntries(types.map((t) => [messageName(t), { $ref: `#/components/messages/${messageName(t)}` }])),
    };
    operations[`receive${name[0]!.toUpperCase()}${name.slice(1)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${name}` },
      summary: `Subscribe to ${topic}.`,
    };
    for (const t of types) {
      const { $schema: _s, $id: _i, ...schema } = jsonSchemaOf(t);
      schemas[messageName(t)] = schema;
      messages[messageName(t)] = {
        name: t,
        title: t,
        summary: EVENT_TYPES[t].summary,
        contentType: 'application/cloudevents+json',
        headers: {
          type: 'object',
          properties: {
            ce_type: { type: 'string', const: t },
            ce_id: { type: 'string' },
            traceparent: { type: 'string', description: 'W3C trace context' },
          },
          required: ['ce_type', 'traceparent'],
        },
        payload: { $ref: `#/components/schemas/${messageName(t)}` },
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Kanal event contract',
      version: '1.0.0',
      description:
        'Every Kanal Kafka topic and event type. Generated from libs/contracts (zod) by `npm run generate:contracts`; do not edit by hand.',
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      local: { host: '127.0.0.1:19092', protocol: 'kafka', description: 'Local single-node broker (npm start)' },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}
