import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { TEXT_CONTENT_TYPE } from '@tessera/exposition';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { acceptsGzip } from './accepts-gzip.js';
import { selectCollectors } from './select-collectors.js';
import { renderStatusPage, type StatusRow } from './status-page.js';

const gzipAsync = promisify(gzip);

/** What the HTTP layer needs from the exporter: scraping and status, nothing about plugins. */
export interface MetricsSource {
  /** Enabled collector names, sorted. */
  collectorNames(): readonly string[];
  /**
   * Renders one scrape of `collectors` as text format 0.0.4. `processMetrics` adds the process and
   * Node.js metrics (plain `/metrics` only).
   */
  renderMetrics(collectors: readonly string[], options: { readonly scrapeTimeoutHeaderSeconds: number | undefined; readonly processMetrics: boolean }): Promise<string>;
  statusRows(): readonly StatusRow[];
  isReady(): boolean;
  readonly version: string;
  /** Concurrent scrapes served at once; 0 = no cap. */
  readonly maxRequests: number;
}

/**
 * Builds the fastify app with every route registered: `/metrics`, `/metrics/<collector>`,
 * `/-/healthy`, `/-/ready`, `/`, and plain-text 404s. Request logging is off (one line per scrape
 * is noise); failures are logged by the collectors' own loggers.
 *
 * Seams: `--web.config.file` (exporter-toolkit TLS and basic auth) will pass `https` options to
 * `Fastify()` here and add an `onRequest` authentication hook; `/probe?collector=&target=` will be
 * one more route calling `renderMetrics` for a single configured instance.
 */
export function createHttpApp(source: MetricsSource, logger: Logger): FastifyInstance {
  // Typed as fastify's base logger so the app is the plain `FastifyInstance` the API promises.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: true });
  let scrapesInFlight = 0;

  // While shutting down, responses still in flight end their keep-alive connection, so the server
  // can close as soon as they are sent instead of waiting for the clients to hang up.
  app.addHook('onSend', async (_request, reply) => {
    if (!source.isReady()) reply.header('connection', 'close');
  });

  const serveMetrics = async (request: FastifyRequest, reply: FastifyReply, collectors: readonly string[], processMetrics: boolean): Promise<FastifyReply> => {
    if (source.maxRequests > 0 && scrapesInFlight >= source.maxRequests) {
      return reply.code(503).type('text/plain; charset=utf-8').send(`too many concurrent scrapes: limit is ${source.maxRequests} (--web.max-requests)\n`);
    }
    scrapesInFlight++;
    try {
      const text = await source.renderMetrics(collectors, { scrapeTimeoutHeaderSeconds: scrapeTimeoutHeader(request), processMetrics });
      reply.header('content-type', TEXT_CONTENT_TYPE).header('vary', 'Accept-Encoding');
      if (acceptsGzip(request.headers['accept-encoding'])) {
        return reply.header('content-encoding', 'gzip').send(await gzipAsync(text));
      }
      return reply.send(text);
    } finally {
      scrapesInFlight--;
    }
  };

  app.get('/metrics', async (request, reply) => {
    const filter = selectCollectors(request.query as Record<string, unknown>, source.collectorNames());
    if ('error' in filter) return reply.code(400).type('text/plain; charset=utf-8').send(`Couldn't create filtered metrics handler: ${filter.error}\n`);
    return serveMetrics(request, reply, filter.names, true);
  });

  app.get<{ Params: { collector: string } }>('/metrics/:collector', async (request, reply) => {
    const { collector } = request.params;
    if (!source.collectorNames().includes(collector)) {
      return reply.code(404).type('text/plain; charset=utf-8').send(`collector ${JSON.stringify(collector)} is not enabled (enabled: ${source.collectorNames().join(', ') || 'none'})\n`);
    }
    return serveMetrics(request, reply, [collector], false);
  });

  app.get('/-/healthy', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Healthy\n'));

  app.get('/-/ready', async (_request, reply) =>
    source.isReady() ? reply.type('text/plain; charset=utf-8').send('Ready\n') : reply.code(503).type('text/plain; charset=utf-8').send('Not ready\n'),
  );

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderStatusPage({ version: source.version, rows: source.statusRows() })));

  app.setNotFoundHandler(async (request, reply) => reply.code(404).type('text/plain; charset=utf-8').send(`not found: ${request.url}\n`));

  return app;
}

/** `X-Prometheus-Scrape-Timeout-Seconds` as a positive number, or `undefined` when absent or malformed. */
function scrapeTimeoutHeader(request: FastifyRequest): number | undefined {
  const header = request.headers['x-prometheus-scrape-timeout-seconds'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return header !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}
