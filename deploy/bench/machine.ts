import { execFileSync, execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { childrenOf } from '../../test/services/process-tree';
import { cpus, totalmem } from 'node:os';

/** One line naming the machine, so figures are read against what produced them. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let kafka = 'Kafka 4.1.2';
  try {
    const pom = execSync('grep -m1 -o "<kafka.version>[^<]*" deploy/jvm/kafka/pom.xml', { encoding: 'utf8' });
    kafka = `Kafka ${pom.replace('<kafka.version>', '').trim()}`;
  } catch { /* keep the default */ }
  // Autovacuum decides how a database that runs a while performs (dead rows, the planner's statistics): say which.
  let autovacuum = 'autovacuum unknown';
  try {
    autovacuum = `autovacuum ${execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'SHOW autovacuum'], { encoding: 'utf8' }).trim()}`;
  } catch { /* psql missing: unknown */ }
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL 15 (${autovacuum}), ${kafka} (one KRaft node), ${new Date().toISOString().slice(0, 10)}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** CPU seconds a process has used so far (/proc, Linux; 100 Hz ticks); NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of a process and its children (a clustered engine: the primary and its workers). */
export function treeCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  return [pid, ...childrenOf(pid)].reduce((sum, p) => sum + (cpuSeconds(p) || 0), 0);
}

/** Resident memory of a process and its children in MiB (/proc, Linux). */
export function treeRssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  return [pid, ...childrenOf(pid)].reduce((sum, p) => {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1];
      return sum + Number(rss ?? 0) / 1024;
    } catch {
      return sum;
    }
  }, 0);
}

/** The process listening on a TCP port of this machine (read only, e.g. the Camunda JVM's CPU). */
export function listenerPid(port: string | number): number | undefined {
  try {
    const pid = /pid=(\d+)/.exec(execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' }))?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by each PostgreSQL backend, by database (/proc; a backend's title is
 * `postgres: <cluster>: <user> <database> <client> <state>`). Between two snapshots, `cpuDelta`
 * counts a backend that appeared in between from zero; one that ended in between is lost.
 */
export function postgresBackends(): Map<number, { database: string; seconds: number }> {
  const backends = new Map<number, { database: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '');
      const database = /^postgres: [^:]+: \S+ (\S+) /.exec(title)?.[1];
      if (database) backends.set(Number(entry), { database, seconds: cpuSeconds(Number(entry)) || 0 });
    } catch { /* gone meanwhile */ }
  }
  return backends;
}

/** CPU seconds by database between two `postgresBackends` snapshots. */
export function postgresCpuDelta(before: ReturnType<typeof postgresBackends>, after: ReturnType<typeof postgresBackends>): Map<string, number> {
  const byDatabase = new Map<string, number>();
  for (const [pid, now] of after) {
    const then = before.get(pid);
    const used = now.seconds - (then && then.database === now.database ? then.seconds : 0);
    byDatabase.set(now.database, (byDatabase.get(now.database) ?? 0) + Math.max(0, used));
  }
  return byDatabase;
}

/** CPU seconds the whole machine has been busy so far, over all cores (/proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}
