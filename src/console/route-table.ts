import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerHookHandler,
} from 'fastify';
import type { VNode } from 'preact';
import type { z } from 'zod';
import type { AccountService, StaffUser } from '../accounts/service.js';
import type { CsvCell } from '../web/csv.js';
import { sendCsv } from '../web/csv.js';
import { DomainError, invalid } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import type { ConsoleFrame } from './layout.js';
import { demand, type Permission } from './permissions.js';
import { freshGuard } from './fresh.js';
import { consoleMessage, renderRefusal, sessionGuard } from './section.js';

// Console routes are declared as data (docs/decisions/019-route-table.md): what a route needs
// is read here, once, and applied the same way to every one of them: the staff session, the
// permission, CSRF on posts, the schema, refused input shown again beside its fields, and
// DomainError as a 4xx page inside the console frame. A handler gets parsed input and the
// signed-in staff member, and says what to answer.

/** Who may use a route: staff holding this permission, or anyone (`public`). */
export type Access = Permission | 'public';

/** What a handler answers; the registrar turns it into the response. */
export type RouteResult =
  | { page: VNode; status?: number }
  | { redirect: string }
  | { csv: { filename: string; rows: readonly (readonly CsvCell[])[] } }
  | { message: { title: string; text: string }; status?: number };

interface Context<P> {
  params: P;
  /** The signed-in staff member (null only on `public` routes). */
  staff: StaffUser;
  /** Site, staff and a CSRF token (made when first asked for): what every console page takes. */
  frame: () => ConsoleFrame;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A handler's input: the validated params, query and body, and who is asking. */
export interface RouteInput<P, Q, B> extends Context<P> {
  query: Q;
  body: B;
}

/** What a refusal view gets: the body as it was sent (to put back in the form). */
export interface RefusedInput<P> extends Context<P> {
  sent: Record<string, unknown>;
}

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.infer<S> : undefined;
type Answer = RouteResult | Promise<RouteResult>;

export interface ConsoleRoute<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST';
  url: string;
  access: Access;
  params?: Schema;
  query?: Schema;
  body?: Schema;
  /** Route config (CSV routes, rate limits). */
  config?: FastifyContextConfig & Record<string, unknown>;
  /**
   * The view shown again when input is refused: a schema issue, or a DomainError with one of
   * `refusedStatuses` (400 by default). The error's `fields` go beside their inputs; without a
   * view, a refusal is a message page.
   */
  refused?: (input: RefusedInput<P>, error: DomainError) => Answer;
  refusedStatuses?: readonly number[];
  /**
   * A sensitive action (export, role change, deletion): the second factor, or the password
   * without one, is asked again when it was last given more than 15 minutes ago.
   */
  fresh?: boolean;
  /** Reachable by a sign-in that waits for a required second factor (its setup pages). */
  enrolment?: boolean;
  handler: (input: RouteInput<P, Q, B>) => Answer;
}

/** Declares one route; the schemas type the handler's input. */
export function route<
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  BS extends Schema | undefined = undefined,
>(
  r: Omit<ConsoleRoute<Infer<PS>, Infer<QS>, Infer<BS>>, 'params' | 'query' | 'body'> & {
    params?: PS;
    query?: QS;
    body?: BS;
  },
): ConsoleRoute {
  return r as unknown as ConsoleRoute;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may use a route of the console's table (src/console/route-table.ts). */
    access?: Access;
    /** The route asks for a recent second factor (step-up). */
    fresh?: boolean;
  }
}

/** The message of schema issues on a form that is shown again. */
export const correctFields = 'Please correct the highlighted fields.';

/**
 * Registers a capability's console routes. Call it from the capability's plugin; the plugin's
 * refusals (DomainError) render inside the console frame.
 */
export function registerConsoleRoutes(
  fastify: FastifyInstance,
  deps: { accounts: AccountService },
  routes: readonly ConsoleRoute[],
): void {
  fastify.setErrorHandler(renderRefusal);
  const checkSession = sessionGuard(deps.accounts);
  const checkEnrolling = sessionGuard(deps.accounts, { enrolment: true });
  const checkFresh = freshGuard(deps.accounts);
  const checkCsrf = fastify.csrfProtection.bind(fastify) as preHandlerHookHandler;
  for (const r of routes) {
    const access = r.access;
    // Before the body is read: whoever may not use the route learns nothing more than that.
    const allow =
      access === 'public'
        ? []
        : [
            r.enrolment ? checkEnrolling : checkSession,
            async (request: FastifyRequest) => {
              if (request.staff) demand(request.staff, access);
            },
            ...(r.fresh ? [checkFresh] : []),
          ];
    fastify.route({
      method: r.method,
      url: r.url,
      schema: {
        ...(r.params ? { params: r.params } : {}),
        ...(r.query ? { querystring: r.query } : {}),
        ...(r.body ? { body: r.body } : {}),
      },
      attachValidation: true,
      config: { ...r.config, access, fresh: r.fresh === true },
      onRequest: allow,
      preHandler: r.method === 'POST' ? [checkCsrf] : [],
      handler: (request, reply) => run(r, request, reply),
    });
  }
}

async function run(r: ConsoleRoute, request: FastifyRequest, reply: FastifyReply) {
  let csrf: string | undefined;
  const context: Context<unknown> = {
    params: request.params,
    staff: request.staff as StaffUser,
    frame: () => ({
      site: request.site,
      staff: request.staff as StaffUser,
      csrf: (csrf ??= reply.generateCsrf()),
    }),
    request,
    reply,
  };
  try {
    const failed = request.validationError;
    if (failed) {
      // A malformed address is refused as before any route ran; there is no form to show.
      if (failed.validationContext === 'params') throw failed;
      const { fields, general, summary } = readIssues(failed.validation);
      throw r.refused ? invalid(general.join(' ') || correctFields, fields) : invalid(summary);
    }
    const input = { ...context, query: request.query, body: request.body };
    return await answer(reply, await r.handler(input));
  } catch (err) {
    const statuses = r.refusedStatuses ?? [400];
    if (!r.refused || !(err instanceof DomainError) || !statuses.includes(err.status)) throw err;
    reply.code(err.status);
    const sent = typeof request.body === 'object' && request.body !== null ? request.body : {};
    return answer(
      reply,
      await r.refused({ ...context, sent: sent as Record<string, unknown> }, err),
    );
  }
}

function answer(reply: FastifyReply, result: RouteResult) {
  if ('redirect' in result) return reply.redirect(result.redirect, 303);
  if ('csv' in result) return sendCsv(reply, result.csv.filename, result.csv.rows);
  if (result.status) reply.code(result.status);
  if ('message' in result)
    return consoleMessage(reply.request, reply, result.message.title, result.message.text);
  return renderPage(reply, result.page);
}

/** The strings of a sent form, to put back into the form shown again. */
export function sentText(sent: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(sent).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf',
    ),
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route under /console and who may use it, for the test that walks them all. */
    consoleRouteTable: { method: string; url: string; access?: Access; fresh?: boolean }[];
  }
}

/** Collects the console's routes as they are registered: call before any route is added. */
export function trackConsoleRoutes(app: FastifyInstance): void {
  const routes: FastifyInstance['consoleRouteTable'] = [];
  app.decorate('consoleRouteTable', routes);
  app.addHook('onRoute', (r) => {
    if (!/^\/console(\/|$)/.test(r.url)) return;
    for (const method of [r.method].flat()) {
      if (method !== 'HEAD') {
        routes.push({ method, url: r.url, access: r.config?.access, fresh: r.config?.fresh });
      }
    }
  });
}
