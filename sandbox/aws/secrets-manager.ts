/**
 * A local AWS Secrets Manager for the sandbox: the JSON 1.1 protocol (`X-Amz-Target: secretsmanager.<Operation>`)
 * on 127.0.0.1, requests checked for a valid Signature Version 4 with the sandbox's access key, so the built
 * bundles read their secrets exactly as deployed (`*_SECRET_ARN` + `GetSecretValue`), pointed here with
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 *
 * Emulated from the Secrets Manager API Reference: `CreateSecret`, `GetSecretValue` (`VersionStage`, default
 * AWSCURRENT; a label no version carries is `ResourceNotFoundException`), `PutSecretValue` ("Secrets Manager
 * automatically moves the staging label AWSCURRENT to this version ... and AWSPREVIOUS to the version that
 * AWSCURRENT was removed from"), `UpdateSecretVersionStage` (remove a label from a version, or move one).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';

interface SecretVersionRecord {
  readonly versionId: string;
  readonly value: string;
  readonly createdAt: Date;
  stages: string[];
}

interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  readonly versions: SecretVersionRecord[];
}

/** One request as received (no secret values). */
export interface SecretsManagerRequest {
  readonly operation: string;
  readonly secretId?: string;
  readonly versionStage?: string;
  readonly status: number;
}

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** A running local Secrets Manager. */
export class SecretsManagerEmulator {
  readonly region = 'us-east-1';
  readonly accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  readonly secretAccessKey = randomBytes(20).toString('base64');
  /** Every request, in order. */
  readonly requests: SecretsManagerRequest[] = [];
  baseUrl = '';
  private readonly secrets = new Map<string, SecretRecord>();
  private server?: http.Server;

  /** Listens on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
        let input: Record<string, unknown> = {};
        let status = 200;
        let answer: unknown;
        try {
          this.checkSignature(req, body);
          input = JSON.parse(body || '{}') as Record<string, unknown>;
          answer = this.run(operation, input);
        } catch (error) {
          const failure =
            error instanceof AwsError ? error : new AwsError(500, 'InternalServiceError', (error as Error).message);
          status = failure.status;
          answer = { __type: failure.type, Message: failure.message };
        }
        this.requests.push({
          operation,
          secretId: typeof input.SecretId === 'string' ? input.SecretId : undefined,
          versionStage: typeof input.VersionStage === 'string' ? input.VersionStage : undefined,
          status,
        });
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Closes the server. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    const server = this.server;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The environment a function needs to reach this store (as a Lambda role's credentials would be given). */
  functionEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.baseUrl,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: this.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.secretAccessKey,
    };
  }

  /** `CreateSecret` with a first value; returns the ARN. */
  createSecret(name: string, value: string): string {
    return (this.run('CreateSecret', { Name: name, SecretString: value }) as { ARN: string }).ARN;
  }

  /** `PutSecretValue`: the new value becomes AWSCURRENT, the old current one AWSPREVIOUS. */
  putSecretValue(arn: string, value: string): void {
    this.run('PutSecretValue', { SecretId: arn, SecretString: value });
  }

  /** `GetSecretValue` requests for a secret, optionally of one stage. */
  fetchesOf(arn: string, stage?: string): number {
    return this.requests.filter(
      (r) =>
        r.operation === 'GetSecretValue' &&
        r.secretId === arn &&
        (stage === undefined || (r.versionStage ?? 'AWSCURRENT') === stage),
    ).length;
  }

  private run(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'CreateSecret': {
        const name = requiredString(input, 'Name');
        if ([...this.secrets.values()].some((s) => s.name === name))
          throw new AwsError(400, 'ResourceExistsException', `The secret ${name} already exists.`);
        const arn = `arn:aws:secretsmanager:${this.region}:123456789012:secret:${name}-${randomBytes(3).toString('hex')}`;
        const record: SecretRecord = { arn, name, versions: [] };
        this.secrets.set(arn, record);
        const version = this.addVersion(record, requiredString(input, 'SecretString'));
        return { ARN: arn, Name: name, VersionId: version.versionId };
      }
      case 'PutSecretValue': {
        const record = this.secret(input);
        const version = this.addVersion(record, requiredString(input, 'SecretString'));
        return { ARN: record.arn, Name: record.name, VersionId: version.versionId, VersionStages: version.stages };
      }
      case 'GetSecretValue': {
        const record = this.secret(input);
        const stage = typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT';
        const version = record.versions.find((v) => v.stages.includes(stage));
        if (!version)
          throw new AwsError(
            400,
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
          );
        return {
          ARN: record.arn,
          Name: record.name,
          VersionId: version.versionId,
          SecretString: version.value,
          VersionStages: version.stages,
          CreatedDate: version.createdAt.getTime() / 1000,
        };
      }
      case 'UpdateSecretVersionStage': {
        const record = this.secret(input);
        const stage = requiredString(input, 'VersionStage');
        const remove = input.RemoveFromVersionId;
        const move = input.MoveToVersionId;
        if (typeof remove === 'string') {
          const version = record.versions.find((v) => v.versionId === remove);
          if (version) version.stages = version.stages.filter((s) => s !== stage);
        }
        if (typeof move === 'string') {
          for (const v of record.versions) v.stages = v.stages.filter((s) => s !== stage);
          record.versions.find((v) => v.versionId === move)?.stages.push(stage);
        }
        return { ARN: record.arn, Name: record.name };
      }
      default:
        throw new AwsError(400, 'UnknownOperationException', `${operation} is not emulated`);
    }
  }

  private secret(input: Record<string, unknown>): SecretRecord {
    const id = requiredString(input, 'SecretId');
    const record = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.name === id);
    if (!record)
      throw new AwsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return record;
  }

  private addVersion(record: SecretRecord, value: string): SecretVersionRecord {
    const current = record.versions.find((v) => v.stages.includes('AWSCURRENT'));
    for (const v of record.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    if (current) current.stages = [...current.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    const version: SecretVersionRecord = {
      versionId: randomUUID(),
      value,
      createdAt: new Date(),
      stages: ['AWSCURRENT'],
    };
    record.versions.push(version);
    return version;
  }

  /** Recomputes the request's SigV4 signature with aws4 from the signed headers and compares. */
  private checkSignature(req: http.IncomingMessage, body: string): void {
    const authorization = String(req.headers.authorization ?? '');
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([\w-]+)\/secretsmanager\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
        authorization,
      );
    if (!match) throw new AwsError(400, 'IncompleteSignatureException', 'Missing or malformed Authorization header');
    if (match[1] !== this.accessKeyId)
      throw new AwsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const headers: Record<string, string> = {};
    for (const name of match[3].split(';')) headers[name] = String(req.headers[name] ?? '');
    const expected = aws4.sign(
      {
        host: headers.host,
        path: req.url ?? '/',
        method: req.method,
        service: 'secretsmanager',
        region: match[2],
        headers,
        body,
      },
      { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
    );
    if ((expected.headers as Record<string, string>).Authorization !== authorization)
      throw new AwsError(
        400,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided.',
      );
  }
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '')
    throw new AwsError(400, 'InvalidParameterException', `${name} is required`);
  return value;
}
