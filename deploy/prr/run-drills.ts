// `npm run drills`: every failure drill of seed section 13 on the real platform, i.e. every test file
// the drill catalog names as evidence (deploy/prr/drills.catalog.ts), with the long drills on
// (DRILLS_LONG=1: the 30-minute outbox backlog at demo rate). `npm test` runs the same files
// without the long ones. Extra arguments go to vitest (e.g. `npm run drills -- -t "hot key"`).
import { spawnSync } from 'node:child_process';
import { DRILLS } from './drills.catalog';
import { ROOT } from './generate';

const files = [...new Set(DRILLS.flatMap((d) => d.evidence.map((e) => e.file)))].filter((f) => f.endsWith('.int.test.ts')).sort();
console.log(`${files.length} test files hold the ${DRILLS.filter((d) => d.status !== 'not yet').length} drills with evidence`);
const result = spawnSync('vitest', ['run', '--project', 'integration', ...files, ...process.argv.slice(2)], {
  cwd: ROOT, stdio: 'inherit', env: { ...process.env, DRILLS_LONG: '1' },
});
process.exit(result.status ?? 1);
