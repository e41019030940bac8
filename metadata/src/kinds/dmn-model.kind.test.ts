import { describe, expect, it } from 'vitest';
import { compileFeel } from '../feel';
import { validateReleaseSet } from '../registry';
import type { DmnModelContent } from './dmn-model.kind';
import { catalogWith, kindCases, ref, validateWithFeelin, type InvalidCase } from './test-support';

const model = ref('dmn-model', 'approval-level');
const edit = (from: string | RegExp, to: string) => (c: DmnModelContent) => {
  const xml = c.xml.replace(from, to);
  if (xml === c.xml) throw new Error(`the sample DMN has no ${String(from)}`);
  c.xml = xml;
};

const cases: InvalidCase<DmnModelContent>[] = [
  { name: 'a decision key that is not an XML id', change: (c) => (c.decisionKey = 'approval level'), code: 'schema.pattern', pointer: '/decisionKey' },
  { name: 'XML that does not parse', change: (c) => (c.xml = '<definitions'), code: 'dmn.parse', pointer: '/xml' },
  { name: 'XML that is not DMN', change: (c) => (c.xml = '<invoice xmlns="urn:x"/>'), code: 'dmn.parse', pointer: '/xml' },
  { name: 'an unknown DMN element (parse warning)', change: edit('<output id="level"', '<bogus /><output id="level"'), code: 'dmn.parse', pointer: '/xml' },
  { name: 'no decision with the decision key', change: (c) => (c.decisionKey = 'discount-level'), code: 'dmn.decision-key', pointer: '/decisionKey' },
  { name: 'no historyTimeToLive', change: edit(' camunda:historyTimeToLive="P180D"', ''), code: 'dmn.history-ttl', pointer: '/xml' },
  { name: 'an input entry that does not parse', change: edit('<text>&lt;= 10</text>', '<text>&lt;= </text>'), code: 'feel.syntax', pointer: '/xml' },
  { name: 'an output entry that does not parse', change: edit('<text>"rep"</text>', '<text>"rep</text>'), code: 'feel.syntax', pointer: '/xml' },
  { name: 'an input expression that does not parse', change: edit('<text>dealValue</text>', '<text>dealValue +</text>'), code: 'feel.syntax', pointer: '/xml' },
];

describe('dmn-model', () => {
  kindCases(model, cases);

  it('says which decision, rule and entry holds a FEEL error', async () => {
    const issues = await validateWithFeelin(catalogWith(model, edit('<text>&lt;= 10</text>', '<text>&lt;= </text>')));
    expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(/^decision "approval-level", rule "rep" input entry "rep-discount": .* at offset 2 of "<="$/)]);
  });

  it('carries the id of the entry, input clause or decision at fault, so the studio can mark it in the table', async () => {
    const at = async (change: (c: DmnModelContent) => void) => (await validateWithFeelin(catalogWith(model, change))).map((i) => [i.code, i.elementId]);
    expect(await at(edit('<text>&lt;= 10</text>', '<text>&lt;= </text>'))).toEqual([['feel.syntax', 'rep-discount']]);
    expect(await at(edit('<text>dealValue</text>', '<text>dealValue +</text>'))).toEqual([['feel.syntax', 'deal-value']]);
    expect(await at(edit(' camunda:historyTimeToLive="P180D"', ''))).toEqual([['dmn.history-ttl', 'approval-level']]);
  });

  it('compiles FEEL with the model\'s names in scope: an input named "for loop count" is a name, not a for loop', async () => {
    // Given an input data whose name starts with a FEEL keyword, read by an input expression
    const items = catalogWith(model, (c: DmnModelContent) => {
      edit('<text>dealValue</text>', '<text>for loop count</text>')(c);
      edit('<decision id="approval-level"', '<inputData id="loop" name="for loop count"/>\n  <decision id="approval-level"')(c);
    });
    // when validated with our compiler, then it parses (alone, without the names, it does not)
    expect(compileFeel('for loop count', 'expression').ok).toBe(false);
    expect((await validateReleaseSet(items, { compileFeel })).filter((i) => i.code === 'feel.syntax')).toEqual([]);
  });

  it('does not check entries in another expression language as FEEL', async () => {
    const issues = await validateWithFeelin(catalogWith(model, edit('<inputEntry id="rep-discount"><text>&lt;= 10</text>', '<inputEntry id="rep-discount" expressionLanguage="juel"><text>${discountPercent le 10}</text>')));
    expect(issues).toEqual([]);
  });
});
