import { prepareTemplate } from '@cpq/prisma/test-database';
import { testEnv } from './env';

/** Once per run: the migrated template database that each test file clones. */
export default async function setup(): Promise<void> {
  await prepareTemplate(testEnv.postgresUrl);
}
