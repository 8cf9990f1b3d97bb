import { TOPICS, type KanalEvent } from '@kanal/contracts';
import { KafkajsEventBus, kafkaEnvSchema, type IncomingRecord, type Subscription } from '@kanal/kafka';

/**
 * Watches both outputs of the pipeline and timestamps (performance.now()) when each message came out
 * of each stage, keyed by the inbound event id connector-api answered with:
 * - unified: `kanal.customer.message.v1` carries `data.source.eventId` (the inbound id) and the
 *   conversation the unifier put the message in;
 * - routed: every bench message starts a new conversation, so the router answers it with exactly one
 *   `kanal.conversation.assigned.v1` whose `data.conversationId` is that conversation (its event id
 *   is routingEventId(unified id, 'assigned', conversationId), derived from the cause).
 * The two topics are read by different fetches, so a routing event may arrive before its unified
 * event: routed times are kept per conversation and joined when asked.
 */
export class StageProbe {
  private readonly unifiedAt = new Map<string, number>();
  private readonly conversationOf = new Map<string, string>();
  private readonly routedAtByConversation = new Map<string, number>();
  private subscription: Subscription | undefined;

  private constructor(private readonly bus: KafkajsEventBus) {}

  static async start(brokers: string, prefix: string, groupId: string): Promise<StageProbe> {
    const bus = new KafkajsEventBus({
      env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
      service: 'bench-probe',
    });
    await bus.start();
    const probe = new StageProbe(bus);
    probe.subscription = await bus.subscribe({
      groupId,
      topics: [TOPICS.customers, TOPICS.routing],
      partitionsConcurrently: 6,
      handler: async (records) => probe.record(records),
    });
    return probe;
  }

  unified(id: string): number | undefined {
    return this.unifiedAt.get(id);
  }

  routed(id: string): number | undefined {
    const conversation = this.conversationOf.get(id);
    return conversation === undefined ? undefined : this.routedAtByConversation.get(conversation);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.bus.stop();
  }

  private record(records: IncomingRecord[]): void {
    const now = performance.now();
    for (const { event } of records as IncomingRecord<KanalEvent>[]) {
      if (event.type === 'kanal.customer.message.v1') {
        const source = event.data.source.eventId;
        if (!this.unifiedAt.has(source)) {
          this.unifiedAt.set(source, now);
          this.conversationOf.set(source, event.data.conversation.id);
        }
      } else if (event.type === 'kanal.conversation.assigned.v1') {
        if (!this.routedAtByConversation.has(event.data.conversationId)) {
          this.routedAtByConversation.set(event.data.conversationId, now);
        }
      }
    }
  }
}

/**
 * Tracks a set of messages until all have come out of the router. Messages finish roughly in the
 * order they were sent, so a cursor over the list makes each poll cheap however long the list is.
 */
export class Completion {
  private cursor = 0;

  constructor(
    private readonly probe: StageProbe,
    private readonly ids: string[],
  ) {}

  done(): boolean {
    while (this.cursor < this.ids.length && this.probe.routed(this.ids[this.cursor]!) !== undefined) this.cursor++;
    return this.cursor === this.ids.length;
  }

  describe(): string {
    const unified = this.ids.filter((id) => this.probe.unified(id) !== undefined).length;
    const routed = this.ids.filter((id) => this.probe.routed(id) !== undefined).length;
    return `${this.ids.length} messages through the pipeline (unified ${unified}, routed ${routed})`;
  }
}
