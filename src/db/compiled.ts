import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';

// Building and compiling a query through Kysely's query builder can cost more than the database
// takes to run it (it did on the intake and analytics write paths). A query whose SQL depends
// only on its shape is compiled once per shape and engine, then run with fresh parameters.
const compiled = new WeakMap<object, Map<string, CompiledQuery | null>>();

/**
 * Runs the query `build` compiles, compiled once per `shape` (and engine), with `parameters`. The
 * compiled SQL is reused only if Kysely's own parameters were exactly `parameters`, in order, so
 * a value Kysely rendered as SQL rather than bound can never be cached into the wrong place.
 */
export async function runCompiled<R>(
  db: Kysely<Database>,
  shape: string,
  parameters: readonly unknown[],
  build: () => CompiledQuery<R>,
): Promise<QueryResult<R>> {
  const adapter = db.getExecutor().adapter;
  let shapes = compiled.get(adapter);
  if (!shapes) compiled.set(adapter, (shapes = new Map<string, CompiledQuery | null>()));
  const template = shapes.get(shape);
  if (template) return db.executeQuery<R>({ ...template, parameters });
  const query = build();
  if (!shapes.has(shape)) {
    const reusable =
      query.parameters.length === parameters.length &&
      query.parameters.every((p, i) => p === parameters[i]);
    shapes.set(shape, reusable ? query : null);
  }
  return db.executeQuery(query);
}
