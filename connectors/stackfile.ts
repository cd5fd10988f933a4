/**
 * stack.yml (faas-cli format) -> validated function definitions for the local runtime.
 * Like faas-cli, `${VAR}` and `${VAR:-default}` are substituted from the environment before parsing.
 * Triggers: annotation `topic` (comma-separated Kafka topics; `cron-function` marks a cron
 * function, which also needs `schedule`). Local runtime knobs are annotations too (they are
 * harmless to OpenFaaS): `orderpulse.dev/delivery` (batch | single),
 * `orderpulse.dev/batch-max-messages`, `orderpulse.dev/batch-max-bytes`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../shared/platform/errors.ts';
import { parseCron, type CronSchedule } from './cron.ts';

export const CRON_TOPIC = 'cron-function';
export const ANNOTATION_DELIVERY = 'orderpulse.dev/delivery';
export const ANNOTATION_MAX_MESSAGES = 'orderpulse.dev/batch-max-messages';
export const ANNOTATION_MAX_BYTES = 'orderpulse.dev/batch-max-bytes';
/** OpenFaaS scaling labels (faas-cli writes them under `labels:`; an annotation of the same name is read too). */
export const LABEL_SCALE_MIN = 'com.openfaas.scale.min';
export const LABEL_SCALE_MAX = 'com.openfaas.scale.max';
/** OpenFaaS's defaults when a function sets neither label. */
export const DEFAULT_SCALE_MIN = 1;
export const DEFAULT_SCALE_MAX = 20;
/** Used when a function sets neither exec_timeout nor write_timeout. */
export const DEFAULT_TIMEOUT_MS = 60_000;

export type Delivery = 'batch' | 'single';

export interface FunctionDef {
  name: string;
  lang: string;
  /** As written in stack.yml (a folder). */
  handler: string;
  /** Absolute path of the handler folder. */
  handlerDir: string;
  /** Absolute path of `<handler>/handler.ts`. */
  handlerFile: string;
  image: string;
  annotations: Record<string, string>;
  environment: Record<string, string>;
  labels: Record<string, string>;
  /** Kafka topics from the `topic` annotation, without `cron-function`. */
  topics: string[];
  cron: { expression: string; schedule: CronSchedule } | undefined;
  delivery: Delivery;
  batchMaxMessages: number | undefined;
  batchMaxBytes: number | undefined;
  /** Invocation timeout: max(exec_timeout, write_timeout) from the environment. */
  timeoutMs: number;
  /** Replicas from com.openfaas.scale.min / max (default 1 / 20); the local runtime starts `min`. */
  scale: { min: number; max: number };
}

export interface StackFile {
  file: string;
  version: string;
  provider: { name: string; gateway: string };
  functions: FunctionDef[];
}

/** Substitute ${VAR} and ${VAR:-default} the way faas-cli does (unset -> empty or the default). */
export function substituteEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
    const v = env[name];
    return v !== undefined && v !== '' ? v : (def ?? '');
  });
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as of-watchdog reads them: "15m", "1h30m", "500ms", or a bare number of seconds. */
export function parseDuration(raw: string): number | undefined {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * GO_UNITS[m[2]!]!;
  return Math.round(total);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringMap(file: string, where: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new ConfigError(`${file}: ${where} must be a map of key: value`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else throw new ConfigError(`${file}: ${where}.${k} must be a string, number or boolean (quote it in YAML)`);
  }
  return out;
}

function positiveInt(file: string, where: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${file}: ${where} = "${raw}" must be a positive integer`);
  return n;
}

function parseFunction(file: string, baseDir: string, name: string, raw: unknown): FunctionDef {
  const where = `functions.${name}`;
  if (!DNS_LABEL.test(name)) throw new ConfigError(`${file}: function name "${name}" must be a DNS label (a-z, 0-9, '-', at most 63 characters)`);
  if (!isRecord(raw)) throw new ConfigError(`${file}: ${where} must be a map`);
  const req = (key: string): string => {
    const v = raw[key];
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${file}: ${where}.${key} is required (a non-empty string)`);
    return v.trim();
  };
  const lang = req('lang');
  const handler = req('handler');
  const image = req('image');
  const annotations = stringMap(file, `${where}.annotations`, raw.annotations);
  const environment = stringMap(file, `${where}.environment`, raw.environment);
  const labels = stringMap(file, `${where}.labels`, raw.labels);
  if (raw.environment_file !== undefined) throw new ConfigError(`${file}: ${where}.environment_file is not supported by the local runtime; put values in environment`);

  const allTopics = (annotations.topic ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of allTopics) if (!/^[A-Za-z0-9._-]{1,249}$/.test(t)) throw new ConfigError(`${file}: ${where}.annotations.topic has an invalid Kafka topic name "${t}"`);
  const topics = allTopics.filter((t) => t !== CRON_TOPIC);
  let cron: FunctionDef['cron'];
  if (allTopics.includes(CRON_TOPIC)) {
    const expression = annotations.schedule;
    if (!expression) throw new ConfigError(`${file}: ${where} has topic cron-function but no schedule annotation (e.g. schedule: "*/5 * * * *")`);
    try {
      cron = { expression, schedule: parseCron(expression) };
    } catch (cause) {
      throw new ConfigError(`${file}: ${where}.annotations.schedule: ${(cause as Error).message}`, { cause });
    }
  } else if (annotations.schedule !== undefined) {
    throw new ConfigError(`${file}: ${where} has a schedule annotation but its topic annotation does not include cron-function`);
  }

  const delivery = annotations[ANNOTATION_DELIVERY] ?? 'batch';
  if (delivery !== 'batch' && delivery !== 'single') throw new ConfigError(`${file}: ${where}.annotations["${ANNOTATION_DELIVERY}"] must be batch or single, not "${delivery}"`);

  let timeoutMs = 0;
  for (const key of ['exec_timeout', 'write_timeout']) {
    const v = environment[key];
    if (v === undefined) continue;
    const ms = parseDuration(v);
    if (ms === undefined) throw new ConfigError(`${file}: ${where}.environment.${key} = "${v}" is not a duration (e.g. 30s, 15m)`);
    timeoutMs = Math.max(timeoutMs, ms);
  }

  const scale = scaleOf(file, where, labels, annotations);
  const handlerDir = path.resolve(baseDir, handler);
  return {
    name,
    lang,
    handler,
    handlerDir,
    handlerFile: path.join(handlerDir, 'handler.ts'),
    image,
    annotations,
    environment,
    labels,
    topics,
    cron,
    delivery,
    batchMaxMessages: positiveInt(file, `${where}.annotations["${ANNOTATION_MAX_MESSAGES}"]`, annotations[ANNOTATION_MAX_MESSAGES]),
    batchMaxBytes: positiveInt(file, `${where}.annotations["${ANNOTATION_MAX_BYTES}"]`, annotations[ANNOTATION_MAX_BYTES]),
    timeoutMs: timeoutMs || DEFAULT_TIMEOUT_MS,
    scale,
  };
}

/** com.openfaas.scale.min / max: a label (as faas-cli writes them) wins over an annotation of the same name. */
function scaleOf(file: string, where: string, labels: Record<string, string>, annotations: Record<string, string>): FunctionDef['scale'] {
  const read = (key: string): number | undefined => {
    const inLabels = labels[key] !== undefined;
    return positiveInt(file, `${where}.${inLabels ? 'labels' : 'annotations'}["${key}"]`, inLabels ? labels[key] : annotations[key]);
  };
  const min = read(LABEL_SCALE_MIN);
  const max = read(LABEL_SCALE_MAX);
  const scale = { min: min ?? Math.min(DEFAULT_SCALE_MIN, max ?? DEFAULT_SCALE_MAX), max: max ?? Math.max(DEFAULT_SCALE_MAX, min ?? DEFAULT_SCALE_MIN) };
  if (scale.min > scale.max) throw new ConfigError(`${file}: ${where}: ${LABEL_SCALE_MIN} (${scale.min}) must not exceed ${LABEL_SCALE_MAX} (${scale.max})`);
  return scale;
}

/** Parse stack.yml text. `baseDir` resolves handler folders (the file's directory). */
export function parseStack(text: string, file: string, baseDir: string, env: Record<string, string | undefined> = process.env): StackFile {
  let doc: unknown;
  try {
    doc = parseYaml(substituteEnv(text, env));
  } catch (cause) {
    throw new ConfigError(`${file}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (!isRecord(doc)) throw new ConfigError(`${file}: expected a YAML map with version, provider and functions`);
  const version = doc.version;
  if (typeof version !== 'string' && typeof version !== 'number') throw new ConfigError(`${file}: "version" is required (version: 1.0)`);
  const provider = doc.provider;
  if (!isRecord(provider) || provider.name !== 'openfaas') throw new ConfigError(`${file}: provider.name must be "openfaas"`);
  const gateway = typeof provider.gateway === 'string' ? provider.gateway : 'http://127.0.0.1:8080';
  if (!isRecord(doc.functions) || Object.keys(doc.functions).length === 0) throw new ConfigError(`${file}: "functions" must list at least one function`);
  const functions = Object.entries(doc.functions).map(([name, raw]) => parseFunction(file, baseDir, name, raw));
  return { file, version: String(version), provider: { name: 'openfaas', gateway }, functions };
}

export function loadStack(file: string, env: Record<string, string | undefined> = process.env): StackFile {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read stack file ${abs}: ${(cause as Error).message}`, { cause });
  }
  return parseStack(text, abs, path.dirname(abs), env);
}
