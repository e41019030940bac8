import { describe, expect, it } from 'vitest';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { kindSchema, sampleContent } from './widgets/test-support/kind-form';
import { readableErrors, readableMessage } from './form-messages';

// As the draft editor validates: the engine's own schema of the kind, ajv 2020-12.
const validator = customizeValidator({ AjvClass: Ajv2020 as never, ajvOptionsOverrides: { discriminator: true } });

describe('pattern errors in words', () => {
  it('says a price wants a dot, at the field, where ajv would show its regular expression', () => {
    const book = sampleContent<{ entries: { type: string; price?: string }[] }>('price-book');
    const flat = book.entries.findIndex((e) => e.type === 'flat');
    book.entries[flat]!.price = '12,50';
    const { errors, errorSchema } = validator.validateFormData(book, kindSchema('price-book'), undefined, readableErrors);
    const messages = errors.filter((e) => e.property === `.entries.${flat}.price`).map((e) => e.message);
    expect(messages).toContain('must be an amount with a dot before the decimals, e.g. 12.50');
    expect(JSON.stringify(errorSchema)).not.toContain('must match pattern');
  });

  it('rewrites the engine\'s ajv message of a known pattern and keeps any other', () => {
    expect(readableMessage('body/key must match pattern "^[a-z0-9]+(?:-[a-z0-9]+)*$"'))
      .toBe('body/key must be lowercase letters and digits, words joined by single hyphens, e.g. business-internet');
    expect(readableMessage('must match pattern "^x+$"')).toBe('must match pattern "^x+$"');
  });
});
