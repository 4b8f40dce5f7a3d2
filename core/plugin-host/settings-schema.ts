/**
 * Plugin settings schemas: the JSON Schema a manifest declares for its per-tenant settings object,
 * compiled once with ajv. Defaults in the schema fill in missing values.
 */
import { Ajv, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles a settings schema; throws with ajv's reason when it is not a valid object schema. */
export function compileSettingsSchema(schema: Record<string, unknown>): ValidateFunction {
  const hit = compiled.get(schema);
  if (hit) return hit;
  if (schema.type !== 'object') throw new Error('settings must be a JSON Schema of "type": "object"');
  const validate = ajv.compile(schema);
  compiled.set(schema, validate);
  return validate;
}

/** The dotted field an ajv error is about, for `{ field }` in error bodies. */
export function errorField(error: NonNullable<ValidateFunction['errors']>[number]): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const parts = [error.instancePath.replace(/^\//, '').replace(/\//g, '.'), params.missingProperty ?? params.additionalProperty];
  return parts.filter(Boolean).join('.') || 'settings';
}
