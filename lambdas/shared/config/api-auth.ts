/** The participants API's bearer token. */
import { type Env, secret, type SecretSource } from './read';

export const API_AUTH_ENV = {
  apiToken: 'PARTICIPANTS_API_TOKEN',
  apiTokenSecretArn: 'PARTICIPANTS_API_TOKEN_SECRET_ARN',
} as const;

/** The participants API's bearer token. */
export interface ApiAuthConfig {
  readonly token: SecretSource;
}

/** Reads the participants API's token source. */
export function readApiAuthConfig(env: Env): ApiAuthConfig {
  return { token: secret(env, API_AUTH_ENV.apiToken, API_AUTH_ENV.apiTokenSecretArn, true) };
}
