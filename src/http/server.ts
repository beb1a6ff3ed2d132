/**
 * The Fastify server: webhooks, web chat, admin and health. One central error handler: 4xx is
 * logged as info and answered with its message; 5xx is logged as error and answered without
 * internals. Every JSON body keeps its raw bytes on `request.rawBody` (Zalo signs them).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyError, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw request body bytes of a JSON request (for signature checks). */
    rawBody?: Buffer;
  }
}

/** Largest accepted request body: 1 MB. Larger bodies get 413. */
export const BODY_LIMIT = 1024 * 1024;

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /**
   * Reverse proxies (addresses, CIDRs, `loopback`) whose `X-Forwarded-For`/`-Proto`/`-Host`
   * are believed, so `req.ip` is the client's address only when the hop it came through is one
   * of them. Empty or absent: no proxy is trusted and `req.ip` is the peer's own address; a
   * forged header changes neither the login throttle nor the audit log.
   */
  trustProxy?: readonly string[];
}

/** Creates the server (not yet listening). */
export function createHttpServer(logger: Logger, opts: HttpServerOptions = {}): FastifyInstance {
  const trusted = opts.trustProxy ?? [];
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Per-request access lines would flood the log at webhook rates; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    // Never `true`: that believes any X-Forwarded-For, and any client can write one.
    trustProxy: trusted.length ? [...trusted] : false,
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    req.rawBody = buf;
    if (buf.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch {
      const err = new Error('http: the body is not valid JSON') as FastifyError;
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, url: req.url }, 'http: request failed');
      return reply.code(status).send({ ok: false, error: 'internal error' });
    }
    req.log.info({ status, url: req.url, msg: err.message }, 'http: request refused');
    return reply.code(status).send({ ok: false, error: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ ok: false, error: 'not found' }));
  return app;
}
