/**
 * Secrets read from files, as OpenFaaS mounts them (/var/openfaas/secrets/<name>) and as
 * Docker/Kubernetes do: the content with surrounding white space trimmed (a secret written with
 * `echo` ends with a newline; OpenFaaS trims it too). Used for the gateway password
 * (GATEWAY_PASSWORD_FILE) and the alert webhook's signing secret (ALERT_WEBHOOK_SECRET_FILE).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../platform/errors.ts';

export interface SecretFileOptions {
  /** The setting that names the file, for the error messages (e.g. GATEWAY_PASSWORD_FILE). */
  setting: string;
  /** What to do about an empty file (appended to the error). */
  whenEmpty: string;
}

/** The trimmed secret; undefined when the file does not exist; ConfigError when unreadable or empty. */
export function readSecretFile(file: string, o: SecretFileOptions): string | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${file} (${o.setting}): ${(err as Error).message}`, { cause: err });
  }
  const secret = raw.trim();
  if (secret === '') throw new ConfigError(`${file} (${o.setting}) is empty: ${o.whenEmpty}`);
  return secret;
}

/** Like readSecretFile, but a missing file is an error too (the setting asked for it). */
export function requireSecretFile(file: string, o: SecretFileOptions): string {
  const s = readSecretFile(file, o);
  if (s === undefined) throw new ConfigError(`${file} (${o.setting}) does not exist: create it, or unset ${o.setting}`);
  return s;
}
