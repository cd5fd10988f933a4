import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { libsInstalled, renderPom, stampOf, type MavenLibsSpec } from './maven-libs.ts';

const spec: MavenLibsSpec = {
  service: 'x',
  deps: [
    { group: 'g', artifact: 'a', version: '1.0', exclusions: ['eg:ea', 'fg:fa'] },
    { group: 'h', artifact: 'b', version: '2.0' },
  ],
  drop: ['bad-'],
  mustHave: 'a-1.0',
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'op-maven-libs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('maven-libs', () => {
  it('renders a pom with the dependencies and their exclusions', () => {
    const pom = renderPom('x', spec.deps);
    expect(pom).toContain('<groupId>g</groupId><artifactId>a</artifactId><version>1.0</version><exclusions><exclusion><groupId>eg</groupId><artifactId>ea</artifactId></exclusion>');
    expect(pom).toContain('<artifactId>fa</artifactId>');
    expect(pom).toContain('<groupId>h</groupId><artifactId>b</artifactId><version>2.0</version></dependency>');
    expect(pom).toContain('<packaging>pom</packaging>');
  });

  it('stamps the exact dependency list, so a changed version or exclusion re-installs', () => {
    expect(stampOf(spec)).not.toBe(stampOf({ ...spec, deps: [{ group: 'g', artifact: 'a', version: '1.1', exclusions: ['eg:ea', 'fg:fa'] }, { group: 'h', artifact: 'b', version: '2.0' }] }));
    expect(stampOf(spec)).not.toBe(stampOf({ ...spec, deps: [{ group: 'g', artifact: 'a', version: '1.0' }, { group: 'h', artifact: 'b', version: '2.0' }] }));
    expect(stampOf(spec)).toBe(stampOf({ ...spec }));
  });

  it('counts as installed only when the stamp file matches', () => {
    const ctx = { config: loadConfig({}), log: createLogger({}, () => undefined), dir: tmp };
    expect(libsInstalled(ctx, spec)).toBe(false);
    fs.mkdirSync(path.join(tmp, 'libs'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'libs', '.complete'), stampOf(spec));
    expect(libsInstalled(ctx, spec)).toBe(true);
    expect(libsInstalled(ctx, { ...spec, drop: [] })).toBe(false);
  });
});
