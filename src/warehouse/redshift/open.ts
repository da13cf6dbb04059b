import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { HaloConfig } from '../../config/types.js';
import { resolvePath } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import { DataApi } from './data-api.js';
import { RedshiftDataWarehouse } from './engine.js';
import { StatementStore } from './statement-store.js';

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * The Redshift Data API engine from the config: a provisioned cluster (database, and a db
 * user for temporary credentials or a Secrets Manager ARN) or a serverless workgroup. AWS
 * credentials come from the SDK's chain (environment, profile, instance role), never from
 * the config.
 */
export function openRedshiftData(config: HaloConfig): RedshiftDataWarehouse {
  const w = config.warehouse;
  const where = config.file ?? 'the config';
  if (!w.database) throw new ConfigError(`${where}: warehouse.database is required for redshift-data`);
  if (!w.clusterIdentifier === !w.workgroupName) {
    throw new ConfigError(`${where}: redshift-data needs exactly one of warehouse.clusterIdentifier (provisioned) or warehouse.workgroupName (serverless)`);
  }
  if (w.clusterIdentifier && !w.dbUser && !w.secretArn) {
    throw new ConfigError(`${where}: a provisioned cluster needs warehouse.dbUser (temporary credentials) or warehouse.secretArn (Secrets Manager)`);
  }
  if (w.iamRole && !ROLE_ARN.test(w.iamRole)) throw new ConfigError(`${where}: warehouse.iamRole is not an IAM role ARN: '${w.iamRole}'`);
  // Node 20 is supported by this SDK line until January 2027; its notice would only be noise in cron mail.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new RedshiftDataClient({
    ...(w.region ? { region: w.region } : config.lake.region ? { region: config.lake.region } : {}),
    ...(w.endpoint ? { endpoint: w.endpoint } : {}),
    ...(config.lake.profile ? { profile: config.lake.profile } : {}),
    maxAttempts: 6,
    retryMode: 'adaptive',
  });
  const seconds = w.statementTimeoutSeconds ?? 1800;
  const api = new DataApi(client, {
    database: w.database, clusterIdentifier: w.clusterIdentifier ?? undefined, workgroupName: w.workgroupName ?? undefined,
    dbUser: w.dbUser ?? undefined, secretArn: w.secretArn ?? undefined,
  }, { firstMs: 250, maxMs: 5000, deadlineMs: seconds * 1000, longPollSeconds: 20 });
  const copy = w.iamRole ? { iamRole: w.iamRole, region: config.lake.region ?? null } : null;
  const store = new StatementStore(resolvePath(config, './.halo-data/redshift-statements'));
  const target = w.workgroupName ? `workgroup ${w.workgroupName}` : `cluster ${w.clusterIdentifier}`;
  return new RedshiftDataWarehouse(api, copy, store, `Amazon Redshift (Data API) ${target}, database ${w.database}`);
}
