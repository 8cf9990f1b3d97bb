import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { ApiRequestError, ApiResponseError, TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import type { XAccount } from '../config';
import { X_ERROR_CODES, XError } from '../errors';

/** What the poller needs from X: one `GET /2/dm_events` page and the rate-limit state after it. */
export interface DmEventsApi {
  fetchPage(paginationToken?: string): Promise<DmPageResponse>;
}

export interface RateLimit {
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets (`x-rate-limit-reset`). */
  reset: number;
}

export interface DmPageResponse {
  body: unknown;
  rateLimit?: RateLimit;
}

/** An X API failure; `status` and `rateLimit` let the scheduler decide how long to wait. */
export class XApiError extends XError {
  constructor(
    code: string,
    message: string,
    readonly status?: number,
    readonly rateLimit?: RateLimit,
  ) {
    super(code, message);
    this.name = 'XApiError';
  }
}

/** Everything the normalizer reads: without these X returns only id, event_type and text. */
export const DM_EVENT_QUERY = {
  'dm_event.fields':
    'id,event_type,text,created_at,sender_id,dm_conversation_id,attachments,referenced_tweets,participant_ids,entities',
  expansions: 'sender_id,participant_ids,attachments.media_keys,referenced_tweets.id',
  'user.fields': 'id,name,username',
  'media.fields': 'media_key,type,url,preview_image_url,alt_text',
  'tweet.fields': 'id,text,author_id',
} as const;

const DEFAULT_BASE = 'https://api.x.com/';

export interface TwitterDmApiOptions {
  baseUrl: string;
  consumerKey?: string;
  consumerSecret?: string;
  pageSize: number;
  timeoutMs: number;
  /** Extra trusted CA (PEM) for a non-public X endpoint; the system roots stay trusted. */
  caPem?: string;
}

/**
 * The twitter-api-v2 adapter. The library hard-codes `https://api.x.com/` and its
 * `cloneWithPrefix()` throws on 1.29.1, so a plugin rewrites the URL of every request instead
 * (research §4); TLS stays verified, with an extra CA when one is configured.
 */
export function createTwitterDmApi(account: XAccount, options: TwitterDmApiOptions): DmEventsApi {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const plugins: ITwitterApiClientPlugin[] =
    base === DEFAULT_BASE
      ? []
      : [{ onBeforeRequestConfig: ({ params }) => void (params.url = params.url.replace(DEFAULT_BASE, base)) }];
  const httpAgent = new Agent({
    keepAlive: true,
    ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
  });
  const auth = account.auth;
  const client =
    auth.type === 'oauth1'
      ? new TwitterApi(
          {
            appKey: options.consumerKey ?? '',
            appSecret: options.consumerSecret ?? '',
            accessToken: auth.accessToken,
            accessSecret: auth.accessSecret,
          },
          { plugins, httpAgent },
        )
      : new TwitterApi(auth.accessToken, { plugins, httpAgent });
  const v2 = client.readOnly.v2;

  return {
    async fetchPage(paginationToken) {
      const query = {
        ...DM_EVENT_QUERY,
        max_results: options.pageSize,
        ...(paginationToken ? { pagination_token: paginationToken } : {}),
      };
      try {
        const response = await v2.get('dm_events', query, { fullResponse: true, timeout: options.timeoutMs });
        return { body: response.data, rateLimit: validRateLimit(response.rateLimit) };
      } catch (error) {
        throw toXApiError(error);
      }
    },
  };
}

function validRateLimit(r: { limit: number; remaining: number; reset: number } | undefined): RateLimit | undefined {
  if (!r || ![r.limit, r.remaining, r.reset].every(Number.isFinite)) return undefined;
  return { limit: r.limit, remaining: r.remaining, reset: r.reset };
}

/** Never carries the library error itself on: it holds the request, Authorization header included. */
function toXApiError(error: unknown): XApiError {
  if (error instanceof ApiResponseError) {
    const rateLimit = validRateLimit(error.rateLimit);
    if (error.code === 429)
      return new XApiError(X_ERROR_CODES.rateLimited, 'X answered 429 (rate limit)', 429, rateLimit);
    if (error.code === 401 || error.code === 403) {
      return new XApiError(
        X_ERROR_CODES.authFailed,
        `X rejected the credentials (HTTP ${error.code})`,
        error.code,
        rateLimit,
      );
    }
    return new XApiError(X_ERROR_CODES.apiFailed, `X answered HTTP ${error.code}`, error.code, rateLimit);
  }
  if (error instanceof ApiRequestError) {
    return new XApiError(
      X_ERROR_CODES.apiFailed,
      `request to X failed: ${error.requestError?.message ?? 'network error'}`,
    );
  }
  return new XApiError(X_ERROR_CODES.apiFailed, `request to X failed: ${(error as Error)?.message ?? 'unknown error'}`);
}
