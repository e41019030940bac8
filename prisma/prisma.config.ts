import { defineConfig } from 'prisma/config';

// Only `prisma generate` uses this file: migrations are SQL applied by src/migrate.ts,
// because Prisma's native schema engine cannot be downloaded on our machines.
export default defineConfig({
  schema: 'schema',
});
