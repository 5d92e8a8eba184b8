import { TEXT_CONTENT_TYPE } from '@tessera/exposition';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RenderedCollectors } from '../runtime/rendered-exposition.js';
import { acceptsGzip } from './accepts-gzip.js';
import { registerCompatibilityRoutes, type CompatibilitySource, type ServeScrape } from './compatibility-routes.js';
import { selectCollectors } from './select-collectors.js';
import { renderStatusPage, type StatusPage } from './status-page.js';
import { httpsServerOptions, installWebConfig } from './web-config-server.js';
import type { WebConfigSource } from './web-config-source.js';

/** One rendered scrape: the collectors' cached bytes and this scrape's own tail (self and process metrics). */
export interface ScrapeBody {
  readonly collectors: RenderedCollectors;
  readonly tail: Buffer;
}

/** Why a `/probe` (or compatibility-route) request cannot be served, naming what is valid; answered with `status` (default 400). */
export interface ProbeRefusal {
  readonly refused: string;
  readonly status?: number;
}

/** What the HTTP layer needs from the exporter: scraping, probing and status, nothing about plugins. */
export interface MetricsSource extends CompatibilitySource {
  /** Enabled collector names, sorted. */
  collectorNames(): readonly string[];
  /**
   * One scrape of `collectors`. `processMetrics` adds the process and Node.js metrics (plain
   * `/metrics` only).
   */
  renderMetrics(collectors: readonly string[], options: { readonly scrapeTimeoutHeaderSeconds: number | undefined; readonly processMetrics: boolean }): Promise<ScrapeBody>;
  /**
   * One configured instance in the anchor's series shape, or why not. Must never reach out to
   * anything that is not configured: `target` names an instance, it is not an address.
   */
  renderProbe(collector: string, target: string, options: { readonly scrapeTimeoutHeaderSeconds: number | undefined }): Promise<ScrapeBody | ProbeRefusal>;
  statusPage(): StatusPage;
  /**
   * Instances not ready yet (see `/-/ready`), after giving those a bounded chance to become ready
   * (a probe or a first collection, shared with concurrent checks); empty when every one is.
   */
  notReady(): Promise<readonly string[]>;
  /** False once shutdown began. */
  isOpen(): boolean;
  /** Concurrent scrapes served at once; 0 = no cap. */
  readonly maxRequests: number;
}

/**
 * Builds the fastify app with every route registered: `/metrics`, `/metrics/<collector>`,
 * `/probe`, `/-/healthy`, `/-/ready`, `/`, and plain-text 404s. Request logging is off (one line
 * per scrape is noise); failures are logged by the collectors' own loggers. With `webConfig`
 * (`--web.config.file`), the server speaks TLS when it says so and every route follows its
 * authentication, rate limit and headers.
 */
export function createHttpApp(source: MetricsSource, logger: Logger, webConfig?: WebConfigSource): FastifyInstance {
  // Typed as fastify's base logger so the app is the plain `FastifyInstance` the API promises.
  const loggerInstance: FastifyBaseLogger = logger;
  const options = { loggerInstance, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: true };
  const https = webConfig === undefined ? undefined : httpsServerOptions(webConfig.current);
  // An HTTPS app differs from the plain one only in its raw server's type; routes and inject() are the same.
  const app = https === undefined ? Fastify(options) : (Fastify({ ...options, https }) as unknown as FastifyInstance);
  if (webConfig !== undefined) installWebConfig(app, webConfig);
  let scrapesInFlight = 0;

  // While shutting down, responses still in flight end their keep-alive connection, so the server
  // can close as soon as they are sent instead of waiting for the clients to hang up.
  app.addHook('onSend', async (_request, reply) => {
    if (!source.isOpen()) reply.header('connection', 'close');
    // Browsers must take text as text: a URL echoed anywhere can then never be sniffed into HTML.
    reply.header('x-content-type-options', 'nosniff');
  });

  const plainText = (reply: FastifyReply, code: number, text: string): FastifyReply => reply.code(code).type('text/plain; charset=utf-8').send(text);

  const serve: ServeScrape = async (request, reply, render) => {
    if (source.maxRequests > 0 && scrapesInFlight >= source.maxRequests) {
      return plainText(reply, 503, `too many concurrent scrapes: limit is ${source.maxRequests} (--web.max-requests)\n`);
    }
    scrapesInFlight++;
    try {
      const body = await render(scrapeTimeoutHeader(request));
      if ('refused' in body) return plainText(reply, body.status ?? 400, `${body.refused}\n`);
      reply.header('content-type', TEXT_CONTENT_TYPE).header('vary', 'Accept-Encoding');
      if (acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(await body.collectors.gzip(body.tail));
      return reply.send(body.tail.length === 0 ? body.collectors.plain : Buffer.concat([body.collectors.plain, body.tail]));
    } finally {
      scrapesInFlight--;
    }
  };

  app.get('/metrics', async (request, reply) => {
    const filter = selectCollectors(request.query as Record<string, unknown>, source.collectorNames());
    if ('error' in filter) return plainText(reply, 400, `Couldn't create filtered metrics handler: ${filter.error}\n`);
    return serve(request, reply, (scrapeTimeoutHeaderSeconds) => source.renderMetrics(filter.names, { scrapeTimeoutHeaderSeconds, processMetrics: true }));
  });

  app.get<{ Params: { collector: string } }>('/metrics/:collector', async (request, reply) => {
    const { collector } = request.params;
    if (!source.collectorNames().includes(collector)) {
      return plainText(reply, 404, `collector ${JSON.stringify(collector)} is not enabled (enabled: ${source.collectorNames().join(', ') || 'none'})\n`);
    }
    return serve(request, reply, (scrapeTimeoutHeaderSeconds) => source.renderMetrics([collector], { scrapeTimeoutHeaderSeconds, processMetrics: false }));
  });

  app.get('/probe', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const collector = singleValue(query['collector']);
    const target = singleValue(query['target']);
    if (collector === undefined || target === undefined) {
      return plainText(reply, 400, 'probe needs exactly one collector=<name> and one target=<instance> (a configured instance name, not an address)\n');
    }
    return serve(request, reply, (scrapeTimeoutHeaderSeconds) => source.renderProbe(collector, target, { scrapeTimeoutHeaderSeconds }));
  });

  registerCompatibilityRoutes(app, source, serve);

  app.get('/-/healthy', async (_request, reply) => plainText(reply, 200, 'Healthy\n'));

  app.get('/-/ready', async (_request, reply) => {
    if (!source.isOpen()) return plainText(reply, 503, 'Not ready: shutting down\n');
    const waiting = await source.notReady();
    if (waiting.length === 0) return plainText(reply, 200, 'Ready\n');
    return plainText(reply, 503, `Not ready: waiting for the first successful collection or probe of ${waiting.join(', ')}\n`);
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderStatusPage(source.statusPage())));

  // Like Go's http.NotFound: the request's URL is not echoed back.
  app.setNotFoundHandler(async (_request, reply) => plainText(reply, 404, '404 page not found\n'));

  return app;
}

/** A query parameter given exactly once, else `undefined`. */
function singleValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `X-Prometheus-Scrape-Timeout-Seconds` as a positive number, or `undefined` when absent or malformed. */
function scrapeTimeoutHeader(request: FastifyRequest): number | undefined {
  const header = request.headers['x-prometheus-scrape-timeout-seconds'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return header !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}
