/**
 * The HTTP transport under the Twilio REST client: the request/response contract of twilio's RequestClient
 * (`{ method, uri, params, data, headers, username, password, timeout }` in, `{ statusCode, body, headers }`
 * out), built on node:http(s) with keep-alive. It exists because twilio's own RequestClient loads axios,
 * form-data and jsonwebtoken: about 80 ms of cold start that a webhook Lambda pays before its first answer.
 */
import http from 'node:http';
import https from 'node:https';

/** The request twilio's Version/Page classes hand to the client (RequestClient.RequestOptions). */
export interface TransportRequest {
  readonly method: string;
  readonly uri: string;
  readonly username?: string;
  readonly password?: string;
  readonly headers?: Record<string, string>;
  readonly params?: Record<string, unknown>;
  readonly data?: Record<string, unknown>;
  readonly timeout?: number;
}

/** The response shape twilio's Version, Page and RestException read. */
export interface TransportResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: http.IncomingHttpHeaders;
}

/** A network failure with a Node-style `code` (ECONNRESET, ETIMEDOUT, ...), as axios reports them. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** Percent-encodes like qs (RFC 3986): everything but A-Z a-z 0-9 - . _ ~ is escaped. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Form/query encoding as twilio's RequestClient does it (`qs.stringify(..., { arrayFormat: 'repeat' })`):
 * arrays repeat the name, undefined values are skipped.
 * @example encodeForm({ StatusCallbackEvent: ['answered', 'completed'] }) // 'StatusCallbackEvent=answered&StatusCallbackEvent=completed'
 */
export function encodeForm(data: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue;
      parts.push(`${encode(name)}=${encode(item === null ? '' : String(item))}`);
    }
  }
  return parts.join('&');
}

function parseBody(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Per-request timeout of the handlers' Twilio client: short enough that a webhook still answers in time. */
export const DEFAULT_TWILIO_REQUEST_TIMEOUT_MS = 5000;

/** A keep-alive HTTP(S) transport with a per-request timeout. */
export class NodeHttpTransport {
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(private readonly defaultTimeoutMs: number) {}

  /** Sends one request; a non-2xx status resolves (twilio's Version turns it into a RestException). */
  request(opts: TransportRequest): Promise<TransportResponse> {
    const url = new URL(opts.uri);
    if (opts.params) {
      const query = encodeForm(opts.params);
      if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
    }
    const headers: Record<string, string> = { ...opts.headers, Connection: 'keep-alive' };
    if (opts.username && opts.password) {
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    }
    let body: string | undefined;
    if (opts.data && headers['Content-Type'] === 'application/x-www-form-urlencoded') body = encodeForm(opts.data);
    else if (opts.data && headers['Content-Type'] === 'application/json') body = JSON.stringify(opts.data);
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));

    const isHttps = url.protocol === 'https:';
    const timeout = opts.timeout ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const request = (isHttps ? https : http).request(
        url,
        { method: opts.method.toUpperCase(), headers, agent: isHttps ? this.httpsAgent : this.httpAgent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error: NodeJS.ErrnoException) =>
            reject(new TransportError(error.message, error.code ?? 'ECONNRESET')),
          );
          response.on('end', () =>
            resolve({
              statusCode: response.statusCode ?? 0,
              body: parseBody(Buffer.concat(chunks).toString('utf8')),
              headers: response.headers,
            }),
          );
        },
      );
      request.setTimeout(timeout, () =>
        request.destroy(new TransportError(`Twilio did not answer within ${timeout} ms`, 'ETIMEDOUT')),
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        reject(error instanceof TransportError ? error : new TransportError(error.message, error.code ?? 'ECONNRESET')),
      );
      request.end(body);
    });
  }
}
