// The bench's ceilings for the HTTP stack (started by run.ts, plain node like the server bundle):
// a bare Hono route returning JSON (GET /bare) and a bare tRPC query returning a constant
// (GET /trpc/noop), on the same Hono, @hono/node-server and tRPC fetch adapter as the app, with
// no middleware, session or database. PORT and HOST come from the environment.
import { serve } from '@hono/node-server';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';

const t = initTRPC.create();
const router = t.router({ noop: t.procedure.query(() => ({ status: 'ok' })) });
const app = new Hono();
app.get('/bare', (c) => c.json({ status: 'ok' }));
app.get('/health', (c) => c.json({ status: 'ok' }));
app.all('/trpc/*', (c) => fetchRequestHandler({ endpoint: '/trpc', req: c.req.raw, router }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
