import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProbeRefusal, ScrapeBody } from './create-http-app.js';

/** One compatibility route the host serves: `/metrics/<collector>/<route>?<instanceParameter>=…`. */
export interface CompatibilityRoute {
  readonly collector: string;
  readonly route: string;
  readonly instanceParameter: string;
}

/** One request to a compatibility route, as the exporter resolves it. */
export interface CompatibilityRequest {
  readonly collector: string;
  readonly route: string;
  /** The value of the route's instance parameter (`endpoint=fb01.example.com`). */
  readonly instanceValue: string;
  /** The token of an `Authorization: Bearer …` header; `undefined` without one (or with another scheme, the host's own). */
  readonly bearerToken: string | undefined;
  readonly scrapeTimeoutHeaderSeconds: number | undefined;
}

/** What the HTTP layer needs from the exporter to serve compatibility routes. */
export interface CompatibilitySource {
  /** The routes of every enabled collector that declares some. */
  compatibilityRoutes(): readonly CompatibilityRoute[];
  /** One configured instance's subset in the anchor's shape, or why not (400, 401 or 404). Never contacts anything unconfigured. */
  renderCompatibility(request: CompatibilityRequest): Promise<ScrapeBody | ProbeRefusal>;
}

/**
 * Serves a scrape (the app's single place that writes metrics bodies, counts concurrent scrapes and
 * answers refusals); `render` receives the request's `X-Prometheus-Scrape-Timeout-Seconds`, when valid.
 */
export type ServeScrape = (
  request: FastifyRequest,
  reply: FastifyReply,
  render: (scrapeTimeoutHeaderSeconds: number | undefined) => Promise<ScrapeBody | ProbeRefusal>,
) => Promise<FastifyReply>;

/**
 * Registers `GET /metrics/<collector>/<route>` for every compatibility route (see the contract's
 * `CompatibilityRoutes`): the instance parameter is required (400 without it, as the anchors
 * answer), and a bearer token in the request is passed on to the collector to accept or refuse.
 */
export function registerCompatibilityRoutes(app: FastifyInstance, source: CompatibilitySource, serve: ServeScrape): void {
  for (const { collector, route, instanceParameter } of source.compatibilityRoutes()) {
    app.get(`/metrics/${collector}/${route}`, async (request, reply) => {
      const value = (request.query as Record<string, unknown>)[instanceParameter];
      return serve(request, reply, async (scrapeTimeoutHeaderSeconds) => {
        if (typeof value !== 'string' || value === '') {
          return { refused: `${instanceParameter} parameter is missing: /metrics/${collector}/${route}?${instanceParameter}=<the ${instanceParameter} of a configured ${collector} instance>` };
        }
        return source.renderCompatibility({
          collector,
          route,
          instanceValue: value,
          bearerToken: bearerToken(request.headers.authorization),
          scrapeTimeoutHeaderSeconds,
        });
      });
    });
  }
}

/** The token of `Authorization: Bearer <token>` (the scheme compared case-insensitively); `undefined` for none or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^bearer(?:\s+(.*))?$/i.exec(header.trim());
  return match === null ? undefined : (match[1] ?? '').trim();
}
