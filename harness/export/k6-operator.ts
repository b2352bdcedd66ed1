// The k6-operator TestRun beside an exported script: how a user outgrows one machine, with many
// k6 pods (parallelism) against serve replicas or the database. counterbench has no distributed
// runner of its own; k6 splits the executors across the pods by execution segments.
import { stringify } from 'yaml';
import type { K6Target } from './k6-script.ts';

export interface TestRunOptions {
  name: string;
  /** the ConfigMap holding the script, and the script's file name in it */
  configMap: string;
  file: string;
  parallelism: number;
  target: K6Target;
}

export function testRunManifest(o: TestRunOptions): string {
  const env = o.target === 'http'
    ? [{ name: 'BASE_URL', value: 'http://counterbench-serve:8080' }]
    : [
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'counterbench-database', key: 'url' } } },
      ];
  const manifest = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: o.name },
    spec: {
      parallelism: o.parallelism,
      script: { configMap: { name: o.configMap, file: o.file } },
      arguments: '--tag testid=' + o.name,
      runner: {
        ...(o.target === 'sql' ? { image: 'REGISTRY/k6-xk6-sql:latest' } : {}),
        env,
      },
    },
  };
  const head = [
    `# k6-operator TestRun for ${o.file}: ${o.parallelism} k6 pod(s), each running its share of the load`,
    `#   kubectl create configmap ${o.configMap} --from-file=${o.file}`,
    `#   kubectl apply -f testrun.yaml`,
    o.target === 'http'
      ? '# BASE_URL: a Service in front of counterbench serve replicas (each started with --keep on the same schema).'
      : '# image: a k6 built with xk6-sql and its Postgres driver (the xk6 build line is in the script\'s header), pushed\n# to your registry; DATABASE_URL from the Secret counterbench-database (key url).',
    '# Each pod writes its own counterbench-summary.json (handleSummary): collect them and give them all to',
    '# counterbench import k6; then counterbench verify on the schema the load drove.',
  ].join('\n');
  return `${head}\n${stringify(manifest)}`;
}
