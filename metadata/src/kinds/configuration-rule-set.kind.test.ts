import { describe, expect, it } from 'vitest';
import type { ConfigurationRuleSetContent } from './configuration-rule-set.kind';
import { catalogWith, findings, kindCases, raw, ref, validateWithFeelin, type InvalidCase } from './test-support';

const rules = ref('configuration-rule-set', 'business-internet-rules');
const rule = (c: ConfigurationRuleSetContent, i: number) => raw(c.rules[i]);
const requires = (offering: string) => ({ id: `needs-${offering}`, type: 'requires' as const, offerings: [offering], message: 'needed', severity: 'error' as const });

const cases: InvalidCase<ConfigurationRuleSetContent>[] = [
  { name: 'no target', change: (c) => (c.targets = []), code: 'schema.minItems', pointer: '/targets' },
  { name: 'an unknown rule type', change: (c) => (rule(c, 0).type = 'forbids'), code: 'schema.enum', pointer: '/rules/0/type' },
  { name: 'a value constraint without constraint', change: (c) => delete rule(c, 0).constraint, code: 'schema.required', pointer: '/rules/0' },
  { name: 'a field of another rule type', change: (c) => (rule(c, 0).offerings = ['managed-router']), code: 'schema.additionalProperties', pointer: '/rules/0' },
  { name: 'an unknown severity', change: (c) => (rule(c, 0).severity = 'fatal'), code: 'schema.enum', pointer: '/rules/0/severity' },
  { name: 'a target that does not resolve', change: (c) => (c.targets[0] = 'fiber-internet'), code: 'reference.unresolved', pointer: '/targets/0' },
  { name: 'an excluded offering that does not resolve', change: (c) => (rule(c, 4).offerings = ['firewall']), code: 'reference.unresolved', pointer: '/rules/4/offerings/0' },
  { name: 'a constraint that does not parse', change: (c) => (rule(c, 0).constraint = 'bandwidth <= '), code: 'feel.syntax', pointer: '/rules/0/constraint' },
  { name: 'a condition that does not parse', change: (c) => (rule(c, 1).condition = 'access = "5g" and'), code: 'feel.syntax', pointer: '/rules/1/condition' },
  { name: 'a rule id listed twice', change: (c) => (c.rules[1]!.id = 'copper-bandwidth'), code: 'duplicate', pointer: '/rules/1/id' },
  { name: 'an expression reading an unknown characteristic', change: (c) => (rule(c, 1).constraint = 'speed <= 1000'), code: 'characteristic.unknown', pointer: '/rules/1/constraint' },
  { name: 'a derived characteristic that does not exist', change: (c) => (rule(c, 2).characteristic = 'backup'), code: 'characteristic.unknown', pointer: '/rules/2/characteristic' },
  { name: 'a derived characteristic computed from itself', change: (c) => (rule(c, 2).expression = 'not(backupLine)'), code: 'cycle', pointer: '/rules/2/expression' },
  {
    name: 'derived characteristics computed from each other',
    change: (c) => c.rules.push({ id: 'sla-from-backup', type: 'derived', characteristic: 'slaTier', expression: 'if backupLine then "premium" else "standard"', message: 'm', severity: 'info' }),
    code: 'cycle',
    pointer: '/rules/2/expression',
  },
  { name: 'a compatibility column that is not a characteristic', change: (c) => ((rule(c, 3).characteristics as string[])[1] = 'sla'), code: 'characteristic.unknown', pointer: '/rules/3/characteristics/1' },
  { name: 'a compatibility column listed twice', change: (c) => (rule(c, 3).characteristics = ['access', 'access']), code: 'duplicate', pointer: '/rules/3/characteristics/1' },
  { name: 'a compatibility row of the wrong length', change: (c) => ((rule(c, 3).rows as unknown[])[0] = ['fiber', 'basic', 'x']), code: 'compatibility.row-length', pointer: '/rules/3/rows/0' },
  { name: 'a compatibility value outside the domain', change: (c) => ((rule(c, 3).rows as unknown[])[0] = ['fiber', 'gold']), code: 'characteristic.domain', pointer: '/rules/3/rows/0/1' },
  { name: 'a compatibility row listed twice', change: (c) => ((rule(c, 3).rows as unknown[])[1] = ['fiber', 'basic']), code: 'duplicate', pointer: '/rules/3/rows/1' },
  { name: 'an offering requiring itself', change: (c) => c.rules.push(requires('business-internet')), code: 'cycle', pointer: '/rules/5/offerings/0' },
  { name: 'offerings requiring each other across rule sets', change: (c) => c.rules.push(requires('managed-router')), code: 'cycle', pointer: '/rules/5/offerings/0' },
  {
    name: 'an offering both always required and always excluded',
    change: (c) => {
      delete rule(c, 4).condition;
      c.rules.push(requires('security-addon'));
    },
    code: 'rule.contradiction',
    pointer: '/rules/4/offerings/0',
  },
];

describe('configuration-rule-set', () => {
  kindCases(rules, cases);

  it('reports a requires cycle on every rule set taking part, with the path', async () => {
    const issues = await validateWithFeelin(catalogWith<ConfigurationRuleSetContent>(rules, (c) => c.rules.push(requires('managed-router'))));
    expect(findings(issues, ref('configuration-rule-set', 'managed-router-rules'))).toEqual([{ code: 'cycle', pointer: '/rules/0/offerings/0' }]);
    expect(issues.find((i) => i.code === 'cycle')?.message).toContain('business-internet -> managed-router -> business-internet');
  });

  it('accepts the names of the configuration context besides characteristics', async () => {
    const issues = await validateWithFeelin(catalogWith<ConfigurationRuleSetContent>(rules, (c) => (rule(c, 0).condition = 'access = "copper" and quantity > 1 and segment = "smb"')));
    expect(findings(issues, rules)).toEqual([]);
  });

  it('gives the position of a FEEL syntax error', async () => {
    const issues = await validateWithFeelin(catalogWith<ConfigurationRuleSetContent>(rules, (c) => (rule(c, 0).constraint = 'bandwidth <= ')));
    expect(issues.find((i) => i.code === 'feel.syntax')?.message).toMatch(/offset 13 of "bandwidth <= "/);
  });
});
