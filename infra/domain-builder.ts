/**
 * The optional custom domain: a regional API Gateway domain, its mapping to the `$default` stage and, with a hosted
 * zone, the Route 53 alias.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { BuildScope } from './scope';

/** What the domain adds. */
export interface BuiltDomain {
  /** Resources that must exist before Twilio is pointed at the stack. */
  readonly serving: pulumi.Resource[];
  /** The regional API Gateway hostname DNS must point the domain at. */
  readonly target: pulumi.Output<string>;
}

/** Declares the custom domain when the stack has one. */
export function buildDomain(
  scope: BuildScope,
  api: aws.apigatewayv2.Api,
  stage: aws.apigatewayv2.Stage,
): BuiltDomain | undefined {
  const { settings, tags, opts } = scope;
  if (!settings.customDomain) return undefined;
  const { name: domainName, certificateArn, zoneId } = settings.customDomain;
  const domain = new aws.apigatewayv2.DomainName(
    scope.name('domain'),
    {
      domainName,
      domainNameConfiguration: { certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
      tags,
    },
    opts,
  );
  const serving: pulumi.Resource[] = [
    new aws.apigatewayv2.ApiMapping(
      scope.name('domain'),
      { apiId: api.id, domainName: domain.domainName, stage: stage.id },
      opts,
    ),
  ];
  const target = domain.domainNameConfiguration.targetDomainName;
  if (zoneId) {
    serving.push(
      new aws.route53.Record(
        scope.name('domain'),
        {
          zoneId,
          name: domainName,
          type: 'A',
          aliases: [{ name: target, zoneId: domain.domainNameConfiguration.hostedZoneId, evaluateTargetHealth: false }],
        },
        opts,
      ),
    );
  }
  return { serving, target };
}
