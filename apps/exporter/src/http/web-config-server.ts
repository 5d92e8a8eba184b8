import type { Server as HttpsServer, ServerOptions as HttpsServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { errorMessage } from '../runtime/error-message.js';
import { BasicAuthenticator } from './web-config-auth.js';
import { TokenBucket } from './web-config-rate-limit.js';
import type { LoadedWebConfig, WebConfigSource } from './web-config-source.js';
import { clientCertificateProblem } from './web-config-tls.js';

/** Fastify's `https` options for a web config with TLS; `undefined` means plain HTTP. */
export function httpsServerOptions(loaded: LoadedWebConfig): HttpsServerOptions | undefined {
  if (loaded.tls === undefined) return undefined;
  return { ...loaded.tls.secureContext, requestCert: loaded.tls.requestCert, rejectUnauthorized: loaded.tls.rejectUnauthorized };
}

/**
 * Puts a web config in force on `app` (built with {@link httpsServerOptions}); call it before any
 * route or hook is added. Every request, whatever its route (`/-/healthy` and 404s included), is
 * rate limited, authenticated and given the configured headers; with TLS, each new connection first
 * picks up changed certificate, key and CA files, and after its handshake its client certificate is
 * checked where Node's handshake options cannot express the policy.
 */
export function installWebConfig(app: FastifyInstance, source: WebConfigSource): void {
  // With TLS, fastify's server is an https.Server whatever the instance's type parameter says. Node's
  // tls.Server keeps its `requestCert` and `rejectUnauthorized` options in these fields and reads
  // them for every connection it accepts (lib/_tls_wrap.js), so a reload can change them.
  const server = app.server as unknown as HttpsServer & { requestCert: boolean; rejectUnauthorized: boolean };
  const { logger } = source;
  const authenticator = new BasicAuthenticator();
  let applied = source.current;
  let bucket = applied.config.rateLimit === undefined ? undefined : new TokenBucket(applied.config.rateLimit);

  let refused: LoadedWebConfig | undefined;
  const apply = (loaded: LoadedWebConfig): LoadedWebConfig => {
    if (loaded === applied || loaded === refused) return applied;
    if (loaded.tls !== undefined) {
      try {
        // The loader built this context once already; should OpenSSL still refuse it, the old one serves on.
        server.setSecureContext(loaded.tls.secureContext);
      } catch (error) {
        refused = loaded;
        logger.error(`web config not applied, still serving the last good one: ${errorMessage(error)}`);
        return applied;
      }
      // The server reads these per connection; the new context serves connections from now on.
      server.requestCert = loaded.tls.requestCert;
      server.rejectUnauthorized = loaded.tls.rejectUnauthorized;
    }
    const limit = loaded.config.rateLimit;
    if (limit?.intervalMs !== bucket?.limit.intervalMs || limit?.burst !== bucket?.limit.burst) bucket = limit === undefined ? undefined : new TokenBucket(limit);
    applied = loaded;
    return applied;
  };

  if (applied.tls !== undefined) {
    // Before the TLS layer wraps the socket, so a certificate changed on disk serves this very connection.
    server.prependListener('connection', () => apply(source.refresh()));
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const problem = applied.tls === undefined ? undefined : clientCertificateProblem(socket, applied.tls);
      if (problem === undefined) return;
      logger.debug({ remoteAddress: socket.remoteAddress }, `TLS connection refused: ${problem}`);
      socket.destroy();
    });
    server.on('tlsClientError', (error, socket) => logger.debug({ remoteAddress: socket.remoteAddress }, `TLS handshake failed: ${error.message}`));
  }

  app.addHook('onRequest', async (request, reply) => {
    const { config } = apply(source.refresh());
    if (bucket !== undefined && !bucket.take()) return reply.code(429).type('text/plain; charset=utf-8').send('Too Many Requests\n');
    if (config.users.size === 0) return;
    const result = await authenticator.authenticate(request.headers.authorization, config.users);
    if (result === 'allowed') return;
    if (result === 'busy') return reply.code(429).header('retry-after', '1').type('text/plain; charset=utf-8').send('Too Many Requests: authentication checks queued\n');
    return reply.code(401).header('www-authenticate', 'Basic').type('text/plain; charset=utf-8').send('Unauthorized\n');
  });

  app.addHook('onClose', () => authenticator.close());

  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(applied.config.headers)) reply.header(name, value);
  });
}
