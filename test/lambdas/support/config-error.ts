/** The ConfigError a config reader throws (any other error is rethrown; no error fails the test). */
import { ConfigError } from '../../../lambdas/shared/config';

export function configErrorOf(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
