/** Every Kanal service with its local port (DESIGN §5); `npm start` runs those that exist. */
export const SERVICES: Array<{ name: string; port: number; endpoints: string; env?: Record<string, string> }> = [
  { name: 'connector-api', port: 8081, endpoints: 'POST /v1/messages' },
  { name: 'connector-meta', port: 8082, endpoints: 'GET|POST /webhooks/{whatsapp,instagram,messenger}' },
  { name: 'connector-email', port: 8083, endpoints: 'ops only' },
  { name: 'connector-whatsapp', port: 8084, endpoints: 'GET /v1/sessions, POST /v1/sessions/{id}/pair' },
  { name: 'connector-x', port: 8085, endpoints: 'GET|POST /webhooks/x' },
  { name: 'unifier', port: 8090, endpoints: 'GET /v1/customers/{id}[/timeline], GET /v1/identities/{type}/{value}' },
  { name: 'router', port: 8091, endpoints: 'GET /v1/queues, GET /v1/conversations/{id}, GET /v1/incidents' },
];
