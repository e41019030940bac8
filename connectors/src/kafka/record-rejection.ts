import { MessageRejectedError } from './kafka.port';

/**
 * Broker errors about the records themselves (Kafka's error names, as kafkajs's `type` and
 * @platformatic/kafka's `apiId` give them): sending the same records again cannot succeed.
 */
const REJECTED_RECORD_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'CORRUPT_MESSAGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);

/** The broker's error about the records, found in `error` or what it wraps; undefined if none. */
function findRejection(error: unknown, depth = 0): { message?: unknown } | undefined {
  if (!error || typeof error !== 'object' || depth > 4) return undefined;
  const { type, apiId, errors, cause } = error as { type?: unknown; apiId?: unknown; errors?: unknown; cause?: unknown };
  if ((typeof type === 'string' && REJECTED_RECORD_ERRORS.has(type)) || (typeof apiId === 'string' && REJECTED_RECORD_ERRORS.has(apiId))) return error as { message?: unknown };
  // Wrapped: kafkajs's retries and platformatic's multiple-error responses carry the broker's error inside.
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = findRejection(inner, depth + 1);
      if (found) return found;
    }
  }
  return findRejection(cause, depth + 1);
}

/**
 * A send failure as the port names it: MessageRejectedError when the broker refused the records,
 * else unchanged. Its message names the broker's reason also when the client's own message does
 * not (@platformatic/kafka 2.x says only "Producing messages failed.").
 */
export function asRecordRejection(error: unknown): unknown {
  const rejection = findRejection(error);
  if (!rejection) return error;
  const outer = String((error as Error).message ?? '');
  const inner = typeof rejection.message === 'string' ? rejection.message : '';
  const message = inner && !outer.includes(inner) ? `${outer}${outer ? ': ' : ''}${inner}` : outer;
  return new MessageRejectedError(message, error);
}
