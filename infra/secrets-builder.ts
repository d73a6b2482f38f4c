/**
 * Secrets Manager secrets of the stack: values arrive as Pulumi secrets and are stored there; functions get only
 * the ARNs. The participants API token is generated when not configured.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { SecretName } from './functions';
import { secretPart } from './naming';
import type { BuildScope } from './scope';

/** Secret values from Pulumi secret config; `participantsApiToken` is generated when absent. */
export interface SecretInputs {
  readonly twilioAuthToken: pulumi.Input<string>;
  readonly twilioApiKeySecret?: pulumi.Input<string>;
  readonly participantsApiToken?: pulumi.Input<string>;
}

/** The stored secrets. */
export interface BuiltSecrets {
  /** The participants API token (configured or generated), as a secret output. */
  readonly participantsApiToken: pulumi.Output<string>;
  readonly arns: Partial<Record<SecretName, pulumi.Output<string>>>;
}

/** Stores the stack's secrets. */
export function buildSecrets(scope: BuildScope, inputs: SecretInputs): BuiltSecrets {
  const { settings, tags, opts } = scope;
  const token =
    inputs.participantsApiToken !== undefined
      ? pulumi.secret(pulumi.output(inputs.participantsApiToken))
      : new random.RandomPassword(scope.name('participants-api-token'), { length: 48, special: false }, opts).result;
  const values: Partial<Record<SecretName, pulumi.Input<string>>> = {
    twilioAuthToken: inputs.twilioAuthToken,
    participantsApiToken: token,
  };
  if (settings.usesApiKey && inputs.twilioApiKeySecret !== undefined)
    values.twilioApiKeySecret = inputs.twilioApiKeySecret;
  const arns: Partial<Record<SecretName, pulumi.Output<string>>> = {};
  for (const [secretName, value] of Object.entries(values) as [SecretName, pulumi.Input<string>][]) {
    const logical = scope.name(secretPart(secretName));
    const secret = new aws.secretsmanager.Secret(
      logical,
      { description: `${secretName} of the ${settings.stack} voice AI stack`, tags },
      opts,
    );
    new aws.secretsmanager.SecretVersion(
      logical,
      { secretId: secret.id, secretString: pulumi.secret(pulumi.output(value)) },
      opts,
    );
    arns[secretName] = secret.arn;
  }
  return { participantsApiToken: pulumi.secret(token), arns };
}
