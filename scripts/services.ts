/**
 * Every Kanal service with its local port (docs/architecture.md#5-http-surface-and-ports); `npm start` runs those that exist. `env`
 * holds development defaults (the environment wins); a service whose `requires` variables are not
 * set is skipped with a note, since it has nothing to connect to (e.g. no mailbox configured).
 */
export interface ServiceEntry {
  name: string;
  port: number;
  endpoints: string;
  env?: Record<string, string>;
  requires?: string[];
}

export const SERVICES: ServiceEntry[] = [
  { name: 'connector-api', port: 8081, endpoints: 'POST /v1/messages' },
  {
    name: 'connector-meta',
    port: 8082,
    endpoints: 'GET|POST /webhooks/{whatsapp,instagram,messenger}',
    env: { META_APP_SECRETS: 'kanal-dev-app-secret', META_VERIFY_TOKEN: 'kanal-dev-verify-token', BLOB_DIR: '.kanal/blobs' },
  },
  { name: 'connector-email', port: 8083, endpoints: 'ops only', requires: ['EMAIL_MAILBOXES'], env: { BLOB_DIR: '.kanal/blobs' } },
  {
    name: 'connector-whatsapp',
    port: 8084,
    endpoints: 'GET /v1/sessions, POST /v1/sessions/{id}/pair',
    env: { BLOB_DIR: '.kanal/blobs', WHATSAPP_PRINT_QR: 'true' },
  },
  { name: 'connector-x', port: 8085, endpoints: 'GET|POST /webhooks/x' },
  { name: 'unifier', port: 8090, endpoints: 'GET /v1/customers/{id}[/timeline], GET /v1/identities/{type}/{value}' },
  { name: 'router', port: 8091, endpoints: 'GET /v1/queues, GET /v1/conversations/{id}, GET /v1/incidents' },
];
