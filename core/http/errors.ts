/**
 * One error shape everywhere: `{ statusCode, code, message }`, plus `field` for validation errors.
 * Codes are stable identifiers clients can switch on; messages are for people.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const errors = {
  badRequest: (code: string, message: string, field?: string) => new AppError(400, code, message, field),
  unauthorized: (message = 'Authentication is required.') => new AppError(401, 'UNAUTHENTICATED', message),
  forbidden: (code: string, message: string) => new AppError(403, code, message),
  notFound: (code = 'NOT_FOUND', message = 'Not found.') => new AppError(404, code, message),
  conflict: (code: string, message: string, field?: string) => new AppError(409, code, message, field),
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

/** Converts anything thrown in a route into the public error shape, hiding internals of 5xx errors. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) {
    return { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  }
  const fe = err as FastifyError & { validation?: Array<{ instancePath: string; params?: Record<string, unknown>; message?: string }> };
  if (fe && fe.validation) {
    const first = fe.validation[0];
    const missing = (first?.params?.missingProperty ?? first?.params?.additionalProperty) as string | undefined;
    const pathPart = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
    const field = [pathPart, missing].filter(Boolean).join('.') || (fe as { validationContext?: string }).validationContext || 'body';
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: `${field}: ${first?.message ?? 'is invalid'}`, field };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 500) return { statusCode: status, code: 'INTERNAL', message: 'Something went wrong on our side.' };
  const code = fe.code && /^FST_/.test(fe.code) ? fastifyCode(fe.code) : fe.code || 'BAD_REQUEST';
  return { statusCode: status, code, message: fe.message };
}

function fastifyCode(code: string): string {
  const known: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
    FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
    FST_REQ_FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  };
  return known[code] ?? 'BAD_REQUEST';
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const body = toErrorBody(err);
  if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
  reply.status(body.statusCode).send(body);
}
