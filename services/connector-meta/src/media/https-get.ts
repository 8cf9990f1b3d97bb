import type { IncomingMessage } from 'node:http';
import { type Agent, get } from 'node:https';
import { PermanentJobError } from './retry-queue';

export interface HttpsGetOptions {
  agent: Agent;
  headers?: Record<string, string>;
  timeoutMs: number;
}

export class FetchError extends Error {
  readonly code = 'MEDIA.FETCH_FAILED';
}

/** Statuses a retry cannot fix: the URL expired or the media is gone. */
const PERMANENT = new Set([400, 401, 403, 404, 410]);

/**
 * GET over TLS only (media URLs are signed CDN links; plain HTTP would leak them and the token).
 * Follows up to three redirects and resolves with the response stream on 2xx.
 */
export function httpsGet(url: string, options: HttpsGetOptions, redirects = 3): Promise<IncomingMessage> {
  if (!url.startsWith('https://')) return Promise.reject(new PermanentJobError('MEDIA.BAD_URL', 'media URL is not https'));
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: options.agent, headers: options.headers, timeout: options.timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        const next = new URL(res.headers.location, url).toString();
        // A redirect to another host must not carry our access token along.
        const sameHost = new URL(next).host === new URL(url).host;
        resolve(httpsGet(next, { ...options, headers: sameHost ? options.headers : {} }, redirects - 1));
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        const message = `GET ${new URL(url).host} answered ${status}`;
        reject(PERMANENT.has(status) ? new PermanentJobError('MEDIA.GONE', message) : new FetchError(message));
        return;
      }
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new FetchError(`GET ${new URL(url).host} timed out`)));
    req.on('error', (error) => reject(error instanceof FetchError ? error : new FetchError(error.message)));
  });
}

export async function readJson(res: IncomingMessage, maxBytes = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new FetchError('media metadata too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
