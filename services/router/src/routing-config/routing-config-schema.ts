import { z } from 'zod';
import { CHANNELS, IDENTITY_TYPES, PROVIDERS, PRIORITIES } from '@kanal/contracts';
import { durationSchema } from './duration';

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case id (a-z, 0-9, ".", "_", "-")');
const priority = z.enum(PRIORITIES);
const hhmm = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const calendarSchema = z.object({
  timeZone: z.string().refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Europe/Istanbul'),
  /** Per weekday, opening intervals `HH:MM-HH:MM` in the calendar's time zone; a missing day is closed. */
  hours: z.partialRecord(z.enum(DAYS), z.array(z.string().regex(hhmm, 'must look like 09:00-18:00'))),
  /** Whole closed days, `YYYY-MM-DD`. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).default([]),
});

const perChannel = z.partialRecord(z.enum(CHANNELS), durationSchema);

const queueSchema = z.object({
  id,
  name: z.string().min(1).max(200),
  calendar: id.optional(),
  /** Count the SLA clock only while the queue's calendar is open. */
  businessHoursOnly: z.boolean().default(false),
  /** First-response targets of this queue per channel (override `sla.firstResponse`). */
  sla: perChannel.default({}),
});

const conditionSchema = z
  .object({
    channels: z.array(z.enum(CHANNELS)).min(1).optional(),
    providers: z.array(z.enum(PROVIDERS)).min(1).optional(),
    accountIds: z.array(z.string().min(1)).min(1).optional(),
    keywords: z.array(z.string().min(1).max(200)).min(1).optional(),
    /** `insensitive` (default): `odeme` finds `ödeme`; `strict`: only case is folded. */
    diacritics: z.enum(['insensitive', 'strict']).default('insensitive'),
    identityTypes: z.array(z.enum(IDENTITY_TYPES)).min(1).optional(),
    externalNamespaces: z.array(z.string().min(1)).min(1).optional(),
    attributes: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    businessHours: z.enum(['within', 'outside']).optional(),
    calendar: id.optional(),
    repeatContacts: z.object({ atLeast: z.number().int().min(2), within: durationSchema }).strict().optional(),
  })
  .strict();

const actionSchema = z
  .object({
    queue: id.optional(),
    priority: priority.optional(),
    sla: durationSchema.optional(),
    tags: z.array(z.string().min(1).max(64)).default([]),
  })
  .strict()
  .refine((a) => a.queue || a.priority || a.sla || a.tags.length > 0, 'needs at least one of queue, priority, sla, tags');

const ruleSchema = z
  .object({
    id,
    description: z.string().optional(),
    /** Also evaluated on later messages of an open conversation, moving it (e.g. account takeover). */
    override: z.boolean().default(false),
    when: conditionSchema,
    then: actionSchema,
  })
  .strict();

export const routingConfigSchema = z
  .object({
    defaults: z
      .object({ queue: id, priority: priority.default('P3'), calendar: id.optional() })
      .strict(),
    calendars: z.record(id, calendarSchema).default({}),
    sla: z
      .object({
        firstResponse: perChannel.default({}),
        priorityFactors: z.partialRecord(priority, z.number().positive().max(10)).default({}),
      })
      .strict()
      .default({ firstResponse: {}, priorityFactors: {} }),
    escalation: z
      .object({ repeatContactMinGap: durationSchema.default(300_000) })
      .strict()
      .default({ repeatContactMinGap: 300_000 }),
    surge: z
      .object({ window: durationSchema.default(600_000), threshold: z.number().int().min(2).default(20) })
      .strict()
      .default({ window: 600_000, threshold: 20 }),
    queues: z.array(queueSchema).min(1),
    rules: z.array(ruleSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const queues = new Set(cfg.queues.map((q) => q.id));
    const calendars = new Set(Object.keys(cfg.calendars));
    const dup = (list: string[]) => list.findIndex((v, i) => list.indexOf(v) !== i);
    const dq = dup(cfg.queues.map((q) => q.id));
    if (dq >= 0) ctx.addIssue({ code: 'custom', path: ['queues', dq, 'id'], message: 'duplicate queue id' });
    const dr = dup(cfg.rules.map((r) => r.id));
    if (dr >= 0) ctx.addIssue({ code: 'custom', path: ['rules', dr, 'id'], message: 'duplicate rule id' });
    if (!queues.has(cfg.defaults.queue)) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'queue'], message: `unknown queue "${cfg.defaults.queue}"` });
    }
    const checkCalendar = (cal: string | undefined, path: (string | number)[]) => {
      if (cal && !calendars.has(cal)) ctx.addIssue({ code: 'custom', path, message: `unknown calendar "${cal}"` });
    };
    checkCalendar(cfg.defaults.calendar, ['defaults', 'calendar']);
    cfg.queues.forEach((q, i) => {
      checkCalendar(q.calendar, ['queues', i, 'calendar']);
      if (q.businessHoursOnly && !(q.calendar ?? cfg.defaults.calendar)) {
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'businessHoursOnly'], message: 'needs a calendar' });
      }
    });
    cfg.rules.forEach((r, i) => {
      if (r.then.queue && !queues.has(r.then.queue)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'then', 'queue'], message: `unknown queue "${r.then.queue}"` });
      }
      checkCalendar(r.when.calendar, ['rules', i, 'when', 'calendar']);
      if (r.when.businessHours && !(r.when.calendar ?? cfg.defaults.calendar)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'when', 'businessHours'], message: 'needs a calendar' });
      }
    });
  });

export type RoutingConfig = z.output<typeof routingConfigSchema>;
export type RoutingRule = RoutingConfig['rules'][number];
export type QueueConfig = RoutingConfig['queues'][number];
export type CalendarConfig = RoutingConfig['calendars'][string];

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
