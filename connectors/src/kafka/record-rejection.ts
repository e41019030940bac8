import { MessageRejectedError } from './kafka.port';

/**
 * Broker errors about the records themselves (Kafka's error names, as kafkajs's `type` and
 * @platformatic/kafka's `apiId` give them): sending the same records again cannot succeed.
 */
const REJECTED_RECORD_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'CORRUPT_MESSAGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);

function namesRejection(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { type, apiId, errors, cause } = error as { type?: unknown; apiId?: unknown; errors?: unknown; cause?: unknown };
  if ((typeof type === 'string' && REJECTED_RECORD_ERRORS.has(type)) || (typeof apiId === 'string' && REJECTED_RECORD_ERRORS.has(apiId))) return true;
  // Wrapped: kafkajs's retries and platformatic's multiple-error responses carry the broker's error inside.
  if (Array.isArray(errors) && errors.some((e) => namesRejection(e, depth + 1))) return true;
  return namesRejection(cause, depth + 1);
}

/** A send failure as the port names it: MessageRejectedError when the broker refused the records, else unchanged. */
export function asRecordRejection(error: unknown): unknown {
  return namesRejection(error) ? new MessageRejectedError((error as Error).message, error) : error;
}
