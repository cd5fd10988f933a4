/** Installs the Debian packages the browser test and benchmarks use (chromium, wrk), once. */
import { ensureAptPackages } from './apt.ts';

await ensureAptPackages([
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/wrk', pkg: 'wrk' },
]);
