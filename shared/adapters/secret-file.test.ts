import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../platform/errors.ts';
import { readSecretFile, requireSecretFile } from './secret-file.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'orderpulse-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const o = { setting: 'X_FILE', whenEmpty: 'write one' };

describe('secret files', () => {
  it('trims the newline `echo` leaves, and keeps inner white space', () => {
    const f = path.join(dir, 'a');
    writeFileSync(f, '  s3 cret\n');
    expect(readSecretFile(f, o)).toBe('s3 cret');
    expect(requireSecretFile(f, o)).toBe('s3 cret');
  });
  it('a missing file: undefined when optional, an error naming the setting when required', () => {
    const f = path.join(dir, 'missing');
    expect(readSecretFile(f, o)).toBeUndefined();
    expect(() => requireSecretFile(f, o)).toThrow(ConfigError);
    expect(() => requireSecretFile(f, o)).toThrow(/X_FILE.*does not exist.*unset X_FILE/);
  });
  it('an empty or unreadable file is a ConfigError that says what to do', () => {
    const e = path.join(dir, 'empty');
    writeFileSync(e, '\n');
    expect(() => readSecretFile(e, o)).toThrow(/X_FILE\) is empty: write one/);
    expect(() => readSecretFile(dir, o)).toThrow(/cannot read .*\(X_FILE\)/); // a directory
  });
});
