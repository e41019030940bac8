import type { RJSFValidationError } from '@rjsf/utils';

/**
 * The kinds' patterns (metadata/schemas) as an admin reads them: ajv says `must match pattern
 * "^\d{1,15}(?:\.\d{1,8})?$"`, which tells nobody that the price wants a dot. Unknown patterns
 * keep ajv's words.
 */
const PATTERNS: Record<string, string> = {
  '^\\d{1,15}(?:\\.\\d{1,8})?$': 'must be an amount with a dot before the decimals, e.g. 12.50',
  '^-?\\d{1,15}(?:\\.\\d{1,8})?$': 'must be a number with a dot before the decimals, e.g. 12.50 or -2.5',
  '^[a-z0-9]+(?:-[a-z0-9]+)*$': 'must be lowercase letters and digits, words joined by single hyphens, e.g. business-internet',
  '^[a-z][A-Za-z0-9]*$': 'must start with a lowercase letter, then letters and digits only, e.g. staticIps',
  '^[A-Za-z_][A-Za-z0-9_.-]*$': 'must start with a letter or _, then letters, digits, _, . or -',
};

/** What a pattern asks for, in words; undefined when the pattern is not one of the kinds'. */
export const patternInWords = (pattern: string): string | undefined => PATTERNS[pattern];

/** ajv's `must match pattern "…"` in a message (also the engine's, which validates with ajv) replaced by its words. */
export const readableMessage = (message: string): string =>
  message.replace(/must match pattern "([^"]+)"/g, (whole, pattern: string) => patternInWords(pattern) ?? whole);

/** rjsf's transformErrors: pattern errors in words, at their field and in the error list alike. */
export function readableErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  return errors.map((error) => {
    if (error.name !== 'pattern' || !error.message) return error;
    const message = readableMessage(error.message);
    return message === error.message ? error : { ...error, message, stack: `${error.property ?? ''} ${message}`.trim() };
  });
}
