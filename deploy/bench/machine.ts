import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** One line naming the machine, so figures are read against what produced them. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let kafka = 'Kafka 4.1.2';
  try {
    const pom = execSync('grep -m1 -o "<kafka.version>[^<]*" deploy/jvm/kafka/pom.xml', { encoding: 'utf8' });
    kafka = `Kafka ${pom.replace('<kafka.version>', '').trim()}`;
  } catch { /* keep the default */ }
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL 15, ${kafka} (one KRaft node), ${new Date().toISOString().slice(0, 10)}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
