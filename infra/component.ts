/**
 * The whole stack as one reusable component: Lambda functions from the esbuild bundles, their roles, log groups
 * and secrets, the HTTP API with one route per entry of lambdas/routes.ts, and the Twilio side (the TwiML App
 * and the phone number's voice configuration) through the dynamic providers.
 *
 * @example
 * const stack = new VoiceAiConference('voice', { settings, secrets, codeDir: 'dist' });
 * export const apiBaseUrl = stack.apiBaseUrl;
 */
import * as path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { HANDLERS, ROUTES, routeKey, type HandlerName } from '../lambdas/routes';
import { ENV } from '../lambdas/shared/config';
import { FUNCTION_SPECS, physicalName, SECRET_ARN_ENV, secretsOf, type SecretName } from './functions';
import { functionPolicy, LAMBDA_ASSUME_ROLE_POLICY } from './iam';
import type { StackSettings } from './stack-config';
import { PhoneNumberVoiceConfig, TwimlApp } from './twilio/resources';
import { exampleAddAgentRequest, participantsEndpoint, webhookUrls, type WebhookUrls } from './urls';

/** The component's type token. */
export const COMPONENT_TYPE = 'voiceai:stack:VoiceAiConference';

/** Arguments of the component. */
export interface VoiceAiConferenceArgs {
  readonly settings: StackSettings;
  /** Secret values from Pulumi secret config; `participantsApiToken` is generated when absent. */
  readonly secrets: {
    readonly twilioAuthToken: pulumi.Input<string>;
    readonly twilioApiKeySecret?: pulumi.Input<string>;
    readonly participantsApiToken?: pulumi.Input<string>;
  };
  /** Folder holding `<handler>/index.js` bundles (scripts/build.mjs writes dist/). */
  readonly codeDir: string;
}

/** The stack: AWS API + functions and the Twilio configuration that points at them. */
export class VoiceAiConference extends pulumi.ComponentResource {
  readonly apiBaseUrl: pulumi.Output<string>;
  readonly webhookUrls: pulumi.Output<WebhookUrls>;
  readonly twimlAppSid: pulumi.Output<string>;
  readonly phoneNumber: pulumi.Output<string>;
  readonly participantsEndpoint: pulumi.Output<string>;
  readonly exampleAddAgentRequest: pulumi.Output<string>;
  readonly participantsApiToken: pulumi.Output<string>;
  readonly functionNames: Record<HandlerName, pulumi.Output<string>>;
  /** Where DNS must point the custom domain (a regional API Gateway hostname), when one is configured. */
  readonly customDomainTarget?: pulumi.Output<string>;

  constructor(name: string, args: VoiceAiConferenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPE, name, {}, opts);
    const { settings } = args;
    const n = (part: string) => physicalName(settings.namePrefix, settings.stack, part);
    const parent = { parent: this };
    const tags = { 'voiceai:stack': settings.stack, 'voiceai:project': settings.project };

    // Secrets: values arrive as Pulumi secrets and go to Secrets Manager; functions get only the ARNs.
    const token =
      args.secrets.participantsApiToken !== undefined
        ? pulumi.secret(pulumi.output(args.secrets.participantsApiToken))
        : new random.RandomPassword(n('participants-api-token'), { length: 48, special: false }, parent).result;
    const secretValues: Partial<Record<SecretName, pulumi.Input<string>>> = {
      twilioAuthToken: args.secrets.twilioAuthToken,
      participantsApiToken: token,
    };
    if (settings.usesApiKey && args.secrets.twilioApiKeySecret !== undefined)
      secretValues.twilioApiKeySecret = args.secrets.twilioApiKeySecret;
    const secretArns: Partial<Record<SecretName, pulumi.Output<string>>> = {};
    for (const [secretName, value] of Object.entries(secretValues) as [SecretName, pulumi.Input<string>][]) {
      const logical = n(secretName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
      const secret = new aws.secretsmanager.Secret(
        logical,
        { description: `${secretName} of the ${settings.stack} voice AI stack`, tags },
        parent,
      );
      new aws.secretsmanager.SecretVersion(
        logical,
        { secretId: secret.id, secretString: pulumi.secret(pulumi.output(value)) },
        parent,
      );
      secretArns[secretName] = secret.arn;
    }

    // The API first: its endpoint is in the Twilio webhook URLs, which the functions' environment references.
    const api = new aws.apigatewayv2.Api(
      n('api'),
      {
        name: n('api'),
        protocolType: 'HTTP',
        description: `Voice AI conference webhooks and participants API (${settings.stack})`,
        tags,
      },
      parent,
    );
    this.apiBaseUrl = settings.publicBaseUrl !== undefined ? pulumi.output(settings.publicBaseUrl) : api.apiEndpoint;
    this.webhookUrls = this.apiBaseUrl.apply(webhookUrls);

    const app = new TwimlApp(
      n('agent-app'),
      {
        friendlyName: `${settings.namePrefix}-${settings.stack} AI agent`.slice(0, 64),
        voiceUrl: this.webhookUrls.agent,
        voiceMethod: 'POST',
        voiceFallbackUrl: this.webhookUrls.agentFallback,
        voiceFallbackMethod: 'POST',
      },
      parent,
    );

    const functions = {} as Record<HandlerName, aws.lambda.Function>;
    for (const handler of HANDLERS) {
      const spec = FUNCTION_SPECS[handler];
      const functionName = n(handler);
      const logGroup = new aws.cloudwatch.LogGroup(
        functionName,
        { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, tags },
        parent,
      );
      const role = new aws.iam.Role(
        functionName,
        { assumeRolePolicy: JSON.stringify(LAMBDA_ASSUME_ROLE_POLICY), description: `Runs ${functionName}`, tags },
        parent,
      );
      const readable = secretsOf(handler, settings.usesApiKey);
      const policy = new aws.iam.RolePolicy(
        functionName,
        {
          role: role.id,
          policy: pulumi
            .all([logGroup.arn, ...readable.map((s) => secretArns[s]!)])
            .apply(([logArn, ...arns]) => JSON.stringify(functionPolicy(logArn, arns))),
        },
        parent,
      );
      const variables: Record<string, pulumi.Input<string>> = { ...settings.environment[handler] };
      for (const secretName of readable) variables[SECRET_ARN_ENV[secretName]] = secretArns[secretName]!;
      if (handler === 'events' || handler === 'participants') variables[ENV.twimlAppSid] = app.sid;
      functions[handler] = new aws.lambda.Function(
        functionName,
        {
          name: functionName,
          description: spec.description,
          runtime: aws.lambda.Runtime.NodeJS22dX,
          architectures: ['arm64'],
          handler: 'index.handler',
          code: new pulumi.asset.FileArchive(path.join(args.codeDir, handler)),
          memorySize: settings.lambdaMemoryMb,
          timeout: spec.timeoutSeconds,
          role: role.arn,
          environment: { variables },
          loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
          tags: { ...tags, 'voiceai:handler': handler, 'voiceai:twilio-facing': String(spec.twilioFacing) },
        },
        { ...parent, dependsOn: [logGroup, policy] },
      );
    }

    const integrations = {} as Record<HandlerName, aws.apigatewayv2.Integration>;
    for (const handler of HANDLERS) {
      integrations[handler] = new aws.apigatewayv2.Integration(
        n(handler),
        {
          apiId: api.id,
          integrationType: 'AWS_PROXY',
          integrationMethod: 'POST',
          integrationUri: functions[handler].arn,
          payloadFormatVersion: '2.0',
          timeoutMilliseconds: 29_000,
        },
        parent,
      );
      new aws.lambda.Permission(
        n(handler),
        {
          action: 'lambda:InvokeFunction',
          function: functions[handler].name,
          principal: 'apigateway.amazonaws.com',
          sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
        },
        parent,
      );
    }
    const routes = ROUTES.map(
      (route) =>
        new aws.apigatewayv2.Route(
          n(
            `${route.method}${route.path}`
              .toLowerCase()
              .replace(/[{}]/g, '')
              .replace(/[^a-z0-9]+/g, '-'),
          ),
          {
            apiId: api.id,
            routeKey: routeKey(route),
            target: pulumi.interpolate`integrations/${integrations[route.handler].id}`,
            authorizationType: 'NONE',
          },
          parent,
        ),
    );

    const accessLogs = new aws.cloudwatch.LogGroup(
      n('api-access'),
      { name: `/aws/apigateway/${n('api')}`, retentionInDays: settings.logRetentionDays, tags },
      parent,
    );
    const stage = new aws.apigatewayv2.Stage(
      n('default'),
      {
        apiId: api.id,
        name: '$default',
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: settings.throttling.rateLimit,
          throttlingBurstLimit: settings.throttling.burstLimit,
        },
        // No query string or headers in access logs: webhook URLs carry caller numbers.
        accessLogSettings: {
          destinationArn: accessLogs.arn,
          format: JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.integrationLatency',
            error: '$context.integrationErrorMessage',
          }),
        },
        tags,
      },
      { ...parent, dependsOn: routes },
    );

    const served: pulumi.Resource[] = [stage];
    if (settings.customDomain) {
      const { name: domainName, certificateArn, zoneId } = settings.customDomain;
      const domain = new aws.apigatewayv2.DomainName(
        n('domain'),
        {
          domainName,
          domainNameConfiguration: { certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
          tags,
        },
        parent,
      );
      served.push(
        new aws.apigatewayv2.ApiMapping(
          n('domain'),
          { apiId: api.id, domainName: domain.domainName, stage: stage.id },
          parent,
        ),
      );
      this.customDomainTarget = domain.domainNameConfiguration.targetDomainName;
      if (zoneId) {
        served.push(
          new aws.route53.Record(
            n('domain'),
            {
              zoneId,
              name: domainName,
              type: 'A',
              aliases: [
                {
                  name: domain.domainNameConfiguration.targetDomainName,
                  zoneId: domain.domainNameConfiguration.hostedZoneId,
                  evaluateTargetHealth: false,
                },
              ],
            },
            parent,
          ),
        );
      }
    }

    // Only now point the number at the stack: every route (and the custom domain) it reaches is in place.
    const number = new PhoneNumberVoiceConfig(
      n('phone-number'),
      {
        phoneNumber: settings.phoneNumber,
        voiceUrl: this.webhookUrls.inbound,
        voiceMethod: 'POST',
        voiceFallbackUrl: this.webhookUrls.agentFallback,
        voiceFallbackMethod: 'POST',
      },
      { ...parent, dependsOn: served },
    );

    if (settings.alarms.enabled) this.alarms(n, settings, functions, api, tags);

    this.twimlAppSid = app.sid;
    this.phoneNumber = number.phoneNumber;
    this.participantsEndpoint = this.apiBaseUrl.apply(participantsEndpoint);
    this.exampleAddAgentRequest = this.apiBaseUrl.apply((base) => exampleAddAgentRequest(base, settings.stack));
    this.participantsApiToken = pulumi.secret(pulumi.output(token));
    this.functionNames = Object.fromEntries(HANDLERS.map((h) => [h, functions[h].name])) as Record<
      HandlerName,
      pulumi.Output<string>
    >;
    this.registerOutputs({
      apiBaseUrl: this.apiBaseUrl,
      webhookUrls: this.webhookUrls,
      twimlAppSid: this.twimlAppSid,
      phoneNumber: this.phoneNumber,
      participantsEndpoint: this.participantsEndpoint,
    });
  }

  /** Alarms on function errors and throttles and on API 5xx, to an SNS topic (with an email subscription when set). */
  private alarms(
    n: (part: string) => string,
    settings: StackSettings,
    functions: Record<HandlerName, aws.lambda.Function>,
    api: aws.apigatewayv2.Api,
    tags: Record<string, string>,
  ): void {
    const parent = { parent: this };
    const topic = new aws.sns.Topic(n('alarms'), { tags }, parent);
    if (settings.alarms.email)
      new aws.sns.TopicSubscription(
        n('alarms-email'),
        { topic: topic.arn, protocol: 'email', endpoint: settings.alarms.email },
        parent,
      );
    const alarm = (
      name: string,
      namespace: string,
      metricName: string,
      dimensions: Record<string, pulumi.Input<string>>,
      description: string,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        n(name),
        {
          namespace,
          metricName,
          dimensions,
          statistic: 'Sum',
          period: 60,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          alarmDescription: description,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags,
        },
        parent,
      );
    for (const handler of HANDLERS) {
      alarm(
        `${handler}-errors`,
        'AWS/Lambda',
        'Errors',
        { FunctionName: functions[handler].name },
        `${handler} failed: callers may not reach the agent`,
      );
      alarm(
        `${handler}-throttles`,
        'AWS/Lambda',
        'Throttles',
        { FunctionName: functions[handler].name },
        `${handler} was throttled: raise reserved/account concurrency`,
      );
    }
    alarm('api-5xx', 'AWS/ApiGateway', '5xx', { ApiId: api.id }, 'The API answered 5xx: Twilio falls back or retries');
  }
}
