/**
 * Request validation. Path and query parameters arrive as text, so they are coerced to the
 * schema's types ("50" -> 50); JSON bodies are taken as sent, so a phone number "13800138000" stays
 * text and a number sent as "3" is an error rather than a silent guess.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, coerceTypes, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

/**
 * Route schemas compile on first use, not at start-up: compiling them all up front was about a
 * third of a second of `npm start`. `compileAll()` compiles the rest: the app calls it once the
 * port is open, and the contract test calls it so that a broken schema fails CI.
 */
export interface RouteValidation {
  /** Compiles every schema not compiled yet, yielding to the event loop between them. */
  compileAll(): Promise<void>;
}

export function registerValidation(app: FastifyInstance): RouteValidation {
  let ajvs: { strict: Ajv; coercing: Ajv } | undefined;
  const pending = new Set<{ route: string; compiled(): ValidateFunction }>();
  app.setValidatorCompiler(({ schema, httpPart, method, url }: { schema: FastifySchema; httpPart?: string; method?: string; url?: string }) => {
    let fn: ValidateFunction | undefined;
    const entry = {
      route: `${method} ${url} (${httpPart})`,
      compiled() {
        if (!fn) {
          ajvs ??= { strict: makeAjv(false), coercing: makeAjv('array') };
          fn = (httpPart === 'body' ? ajvs.strict : ajvs.coercing).compile(schema as object);
          pending.delete(entry);
        }
        return fn;
      },
    };
    pending.add(entry);
    const validate = (data: unknown) => entry.compiled()(data);
    // fastify reads the reasons of a failed call from the function's `errors`.
    Object.defineProperty(validate, 'errors', { get: () => fn?.errors });
    return validate as never;
  });
  return {
    async compileAll() {
      for (const entry of [...pending]) {
        await new Promise((resolve) => setImmediate(resolve));
        try {
          entry.compiled();
        } catch (err) {
          throw new Error(`schema of ${entry.route} does not compile: ${(err as Error).message}`);
        }
      }
    },
  };
}
