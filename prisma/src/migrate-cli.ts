// `npm run db:migrate`: creates the database when missing and applies pending migrations.
import { applyMigrations, ensureDatabase } from './migrate';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/cpq';
const created = await ensureDatabase(url);
if (created) console.log(`created database ${new URL(url).pathname.slice(1)}`);
const result = await applyMigrations(url, { log: (line) => console.log(line) });
console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
