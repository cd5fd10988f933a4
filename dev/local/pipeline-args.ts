/** Command-line options of `npm run pipeline` (parsed and validated; pure). */
import { commandLine } from '../../shared/platform/args.ts';
import { parseReplicaCounts } from '../../shared/platform/config.ts';
import type { PipelineOptions } from './pipeline.ts';

export const PIPELINE_USAGE = `Usage: npm run pipeline -- [options]

The local OpenFaaS stand-in: gateway, every function of stack.yml as a process, the Kafka and
cron connectors, and the dashboard. Ctrl-C stops everything. Needs the stack: npm run stack -- up.

  --stack FILE            another stack file (default stack.yml)
  --only a[,b]            run only these functions
  --replicas f=N[,g=M]    processes per function, e.g. ingest=4,aggregate=2 (default: FUNCTION_REPLICAS,
                          else com.openfaas.scale.min in stack.yml, else 1; at most scale.max)
  --group-prefix P        consumer groups P<function> instead of orderpulse-<function>
  --no-dashboard          no dashboard
  --no-kafka              no Kafka connector
  --no-cron               no cron connector
  --connectors-only       no local gateway or functions (and no dashboard): the connectors invoke
                          GATEWAY_URL, e.g. a real OpenFaaS gateway
  -h, --help              this text`;

export type PipelineArgs = Pick<PipelineOptions, 'stackFile' | 'only' | 'replicas' | 'kafka' | 'cron' | 'dashboard' | 'connectorsOnly'> & { help: boolean };

const cli = commandLine({
  usage: PIPELINE_USAGE,
  options: {
    stack: { type: 'string', value: 'a stack file, e.g. --stack stack.yml' },
    only: { type: 'list', value: 'a list of functions, e.g. --only ingest,aggregate' },
    replicas: { type: 'list', value: 'replicas per function, e.g. --replicas ingest=4,aggregate=2' },
    'group-prefix': { type: 'string', value: 'a consumer group prefix, e.g. --group-prefix p-' },
    'no-dashboard': { type: 'boolean' },
    'no-kafka': { type: 'boolean' },
    'no-cron': { type: 'boolean' },
    'connectors-only': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

export function parsePipelineArgs(argv: readonly string[]): PipelineArgs {
  const { values: v } = cli.parse(argv);
  if (v['no-kafka'] && v['group-prefix'] !== undefined) cli.fail('--group-prefix sets the Kafka connector\'s consumer groups; drop it or --no-kafka');
  const out: PipelineArgs = { dashboard: !v['no-dashboard'] && !v['connectors-only'], help: v.help ?? false };
  if (v.stack !== undefined) out.stackFile = v.stack;
  if (v.only !== undefined) out.only = v.only;
  if (v.replicas !== undefined) {
    try {
      out.replicas = parseReplicaCounts(v.replicas.join(','), '--replicas');
    } catch (err) {
      cli.fail((err as Error).message, err);
    }
  }
  if (v['no-kafka']) out.kafka = false;
  else if (v['group-prefix'] !== undefined) out.kafka = { groupPrefix: v['group-prefix'] };
  if (v['no-cron']) out.cron = false;
  if (v['connectors-only']) out.connectorsOnly = true;
  return out;
}
