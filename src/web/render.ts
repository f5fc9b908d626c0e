import type { FastifyReply } from 'fastify';
import { h, type VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { PageExtrasContext } from './page-extras.js';

// Preact escapes every interpolated value, so stored text is always rendered inert.
export function renderPage(reply: FastifyReply, page: VNode): FastifyReply {
  const extras = reply.request.pageExtras ?? {};
  const html = render(h(PageExtrasContext.Provider, { value: extras }, page));
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>${html}`);
}
