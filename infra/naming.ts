/**
 * Physical and logical names of the stack's resources. Pure: every builder names its resources through here, so
 * the naming rules (stack in every name, route and secret parts) are table-tested without Pulumi.
 */
import type { RouteDefinition } from '../lambdas/routes';
import type { SecretName } from './functions';

/** `<prefix>-<stack>-<part>`: every physical name carries the stack so stacks can share an account. */
export function physicalName(prefix: string, stack: string, part: string): string {
  return `${prefix}-${stack}-${part}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** The name part of a route's resources: `POST /conferences/{conference}/participants` → `post-conferences-conference-participants`. */
export function routePart(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method}${route.path}`
    .toLowerCase()
    .replace(/[{}]/g, '')
    .replace(/[^a-z0-9]+/g, '-');
}

/** The name part of a secret's resources: `twilioAuthToken` → `twilio-auth-token`. */
export function secretPart(secret: SecretName): string {
  return secret.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
