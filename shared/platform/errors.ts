/**
 * The one error hierarchy of OrderPulse. Every error carries a machine-readable `code`,
 * a `retriable` flag (may the caller try the same thing again?) and an optional `cause`.
 * `httpStatusOf` maps errors to HTTP in one place.
 */
export interface ErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  details?: Record<string, unknown>;
}

export class OrderPulseError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

/** Configuration is missing or invalid; fix the environment and restart. */
export class ConfigError extends OrderPulseError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('config', message, { ...options, retriable: false });
  }
}

/** The request or event is malformed; retrying the same input cannot succeed. */
export class ValidationError extends OrderPulseError {
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(code, message, { ...options, retriable: false });
  }
}

/** A dependency (Kafka, MongoDB, Redis, HDFS, metastore) failed or timed out. */
export class DependencyError extends OrderPulseError {
  readonly service: string;
  constructor(service: string, message: string, options: ErrorOptions = {}) {
    super('dependency', `${service}: ${message}`, { retriable: true, ...options });
    this.service = service;
  }
}

/** A local service could not be installed or started. */
export class ServiceError extends OrderPulseError {
  readonly service: string;
  readonly logFile: string | undefined;
  constructor(service: string, message: string, options: ErrorOptions & { logFile?: string } = {}) {
    const hint = options.logFile ? ` (see log: ${options.logFile})` : '';
    super('service', `${service}: ${message}${hint}`, options);
    this.service = service;
    this.logFile = options.logFile;
  }
}

/** Something that must never happen happened: data would be lost or duplicated. */
export class InvariantError extends OrderPulseError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('invariant', message, { ...options, retriable: false });
  }
}

export class NotFoundError extends OrderPulseError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('not_found', message, { ...options, retriable: false });
  }
}

/** The HTTP status of an error: 400 invalid input, 404 not found, 503 retriable (the caller retries), 500 otherwise. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConfigError) return 500;
  if (err instanceof DependencyError) return 503;
  if (err instanceof OrderPulseError) return err.retriable ? 503 : 500;
  return 500;
}

export interface ErrorBody {
  error: string;
  code: string;
  retriable: boolean;
}

/** The JSON body of an error answer: `{error, code, retriable}` (an unknown error is `internal`, retriable). */
export function errorBody(err: unknown): ErrorBody {
  if (err instanceof OrderPulseError) return { error: err.message, code: err.code, retriable: err.retriable };
  const message = err instanceof Error ? err.message : String(err);
  return { error: message, code: 'internal', retriable: true };
}

/** The one error-to-HTTP mapping: status and body together (functions, template, dashboard). */
export function httpErrorOf(err: unknown): { status: number; body: ErrorBody } {
  return { status: httpStatusOf(err), body: errorBody(err) };
}
