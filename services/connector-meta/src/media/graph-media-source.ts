import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Agent } from 'node:https';
import { z } from 'zod';
import { FetchError, httpsGet, readJson } from './https-get';

export interface MediaSourceOptions {
  graphBaseUrl: string;
  apiVersion: string;
  accessToken?: string;
  caFile?: string;
  timeoutMs?: number;
}

const mediaInfoSchema = z.looseObject({ url: z.string().min(1), mime_type: z.string().optional() });

export interface OpenedMedia {
  stream: IncomingMessage;
  mimeType?: string;
}

/**
 * Where media bytes come from: Cloud API media ids resolve through the Graph API (token needed
 * for both calls); IG/Messenger attachments are signed CDN URLs fetched as they are.
 */
export class GraphMediaSource {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(private readonly options: MediaSourceOptions) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async open(item: { providerMediaId?: string; url?: string }): Promise<OpenedMedia> {
    if (item.providerMediaId) return this.openCloudMedia(item.providerMediaId);
    if (item.url) {
      const stream = await httpsGet(item.url, { agent: this.agent, timeoutMs: this.timeoutMs });
      return { stream, mimeType: stream.headers['content-type'] };
    }
    throw new FetchError('attachment has neither a media id nor a URL');
  }

  close(): void {
    this.agent.destroy();
  }

  private async openCloudMedia(id: string): Promise<OpenedMedia> {
    const auth = { authorization: `Bearer ${this.options.accessToken ?? ''}` };
    let base = this.options.graphBaseUrl;
    while (base.endsWith('/')) base = base.slice(0, -1);
    const infoRes = await httpsGet(`${base}/${this.options.apiVersion}/${encodeURIComponent(id)}`, {
      agent: this.agent,
      headers: auth,
      timeoutMs: this.timeoutMs,
    });
    const info = mediaInfoSchema.safeParse(await readJson(infoRes));
    if (!info.success) throw new FetchError('Graph API media lookup returned no url');
    const stream = await httpsGet(info.data.url, { agent: this.agent, headers: auth, timeoutMs: this.timeoutMs });
    return { stream, mimeType: info.data.mime_type ?? stream.headers['content-type'] };
  }
}
