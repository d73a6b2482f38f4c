/**
 * Pulumi's Node.js dynamic-provider host, started as the engine starts a provider plugin (pulumi 3.248's
 * `NewProvider`: `node @pulumi/pulumi/cmd/dynamic-provider <engine address>` in the project root, with
 * PULUMI_NODEJS_PROJECT, PULUMI_PROJECT and PULUMI_CONFIG in the environment), and a client that sends it the
 * ResourceProvider requests the engine sends, encoded as the engine encodes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type * as pluginProto from '@pulumi/pulumi/proto/plugin_pb';
import * as providerGrpc from '@pulumi/pulumi/proto/provider_grpc_pb';
import * as providerProto from '@pulumi/pulumi/proto/provider_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { EngineStandIns } from './stand-ins';
import { marshal, secret, unmarshal, type Props } from './wire';

const HOST_ENTRY = path.join('node_modules', '@pulumi', 'pulumi', 'cmd', 'dynamic-provider');

/** A gRPC failure as the engine receives it. */
export class RpcFailure extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`${method} failed with ${grpc.status[code]} (${code}): ${details}`);
    this.name = 'RpcFailure';
  }
}

/** One request the harness sent to the host and how it ended. */
export interface CallRecord {
  readonly method: string;
  readonly urn: string;
  /** 'ok', or the gRPC status name (e.g. UNIMPLEMENTED). */
  readonly outcome: string;
}

/** The dynamic provider's answer to Configure, as far as the engine uses it. */
export interface ProviderProtocol {
  readonly acceptSecrets: boolean;
  readonly supportsPreview: boolean;
}

/** Diff's answer. */
export interface DiffAnswer {
  readonly changes: 'none' | 'some' | 'unknown';
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
}

type Unary<Req, Res> = (
  request: Req,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** A running host and its client. */
export class ProviderHost {
  readonly calls: CallRecord[] = [];
  /** What the host printed on stderr (its own `console.error` of failures). */
  stderr = '';
  protocol: ProviderProtocol = { acceptSecrets: false, supportsPreview: false };
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: providerGrpc.ResourceProviderClient,
    readonly engine: EngineStandIns,
  ) {}

  /** Starts the host for `project` with the stack config (what the engine puts in PULUMI_CONFIG). */
  static async start(root: string, project: string, config: Record<string, string>): Promise<ProviderHost> {
    const engine = await new EngineStandIns({
      project,
      stack: 'host',
      answer: () => {
        throw new Error('a provider host registers nothing');
      },
      invoke: () => {
        throw new Error('a provider host invokes nothing');
      },
    }).start();
    const child = spawn(process.execPath, [HOST_ENTRY, engine.address], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PULUMI_NODEJS_PROJECT: project,
        PULUMI_PROJECT: project,
        PULUMI_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n');
        if (line.length > 1) resolve(line[0].trim());
      });
      child.on('exit', (code) => reject(new Error(`the provider host exited (${code}) before printing its port`)));
      child.on('error', reject);
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client, engine);
    child.stderr!.on('data', (chunk: Buffer) => (host.stderr += chunk.toString()));
    return host;
  }

  /** Kills the host and stops the engine stand-in. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
    await this.engine.stop();
  }

  /** True while the host process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private rpc<Req, Res>(method: string, urn: string, send: Unary<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      send.call(this.client, request, (error, response) => {
        this.calls.push({ method, urn, outcome: error ? grpc.status[error.code] : 'ok' });
        if (error) reject(new RpcFailure(method, error.code, error.details));
        else resolve(response);
      });
    });
  }

  /** The properties as this provider accepts them (the engine strips secrets for providers that refuse them). */
  private encode(props: Props, keepUnknowns: boolean) {
    return marshal(props, { keepUnknowns, keepSecrets: this.protocol.acceptSecrets });
  }

  handshake(rootDirectory: string): Promise<providerProto.ProviderHandshakeResponse> {
    const request = new providerProto.ProviderHandshakeRequest()
      .setEngineAddress(this.engine.address)
      .setRootDirectory(rootDirectory)
      .setProgramDirectory(rootDirectory)
      .setConfigureWithUrn(true);
    return this.rpc<providerProto.ProviderHandshakeRequest, providerProto.ProviderHandshakeResponse>(
      'Handshake',
      '',
      this.client.handshake,
      request,
    );
  }

  async getPluginInfo(): Promise<string> {
    const info = await this.rpc<Empty, pluginProto.PluginInfo>(
      'GetPluginInfo',
      '',
      this.client.getPluginInfo,
      new Empty(),
    );
    return info.getVersion();
  }

  checkConfig(urn: string, news: Props): Promise<providerProto.CheckResponse> {
    const request = new providerProto.CheckRequest()
      .setUrn(urn)
      .setOlds(marshal({}, { keepUnknowns: true, keepSecrets: false }))
      .setNews(marshal(news, { keepUnknowns: true, keepSecrets: false }));
    return this.rpc<providerProto.CheckRequest, providerProto.CheckResponse>(
      'CheckConfig',
      urn,
      this.client.checkConfig,
      request,
    );
  }

  /**
   * Configure with the stack config: `args` carries every key (`project:key`), secrets as secret values;
   * `variables` the same values in plain text, as the engine sends both.
   */
  async configure(config: Record<string, string>, secretKeys: readonly string[]): Promise<ProviderProtocol> {
    const args: Props = {};
    for (const [key, value] of Object.entries(config)) args[key] = secretKeys.includes(key) ? secret(value) : value;
    const request = new providerProto.ConfigureRequest()
      .setArgs(marshal(args, { keepUnknowns: true, keepSecrets: true }))
      .setAcceptsecrets(true)
      .setAcceptresources(true)
      .setSendsOldInputs(true)
      .setSendsOldInputsToDelete(true);
    const variables = request.getVariablesMap();
    for (const [key, value] of Object.entries(config)) variables.set(key, value);
    const response = await this.rpc<providerProto.ConfigureRequest, providerProto.ConfigureResponse>(
      'Configure',
      '',
      this.client.configure,
      request,
    );
    this.protocol = { acceptSecrets: response.getAcceptsecrets(), supportsPreview: response.getSupportspreview() };
    return this.protocol;
  }

  async check(
    urn: string,
    olds: Props,
    news: Props,
    allowUnknowns: boolean,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const request = new providerProto.CheckRequest()
      .setUrn(urn)
      .setName(urn.split('::').pop()!)
      .setType(urn.split('::')[2].split('$').pop()!)
      .setOlds(this.encode(olds, allowUnknowns))
      .setNews(this.encode(news, allowUnknowns));
    const response = await this.rpc<providerProto.CheckRequest, providerProto.CheckResponse>(
      'Check',
      urn,
      this.client.check,
      request,
    );
    return {
      inputs: unmarshal(response.getInputs()),
      failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    id: string,
    oldInputs: Props,
    oldOutputs: Props,
    news: Props,
    allowUnknowns: boolean,
  ): Promise<DiffAnswer> {
    const request = new providerProto.DiffRequest()
      .setUrn(urn)
      .setId(id)
      .setOldInputs(this.encode(oldInputs, allowUnknowns))
      .setOlds(this.encode(oldOutputs, allowUnknowns))
      .setNews(this.encode(news, allowUnknowns));
    const response = await this.rpc<providerProto.DiffRequest, providerProto.DiffResponse>(
      'Diff',
      urn,
      this.client.diff,
      request,
    );
    const changes = { 0: 'unknown', 1: 'none', 2: 'some' } as const;
    return {
      changes: changes[response.getChanges() as 0 | 1 | 2],
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(urn: string, properties: Props): Promise<{ id: string; outputs: Props }> {
    const request = new providerProto.CreateRequest().setUrn(urn).setProperties(this.encode(properties, false));
    const response = await this.rpc<providerProto.CreateRequest, providerProto.CreateResponse>(
      'Create',
      urn,
      this.client.create,
      request,
    );
    return { id: response.getId(), outputs: unmarshal(response.getProperties()) };
  }

  /** Read as refresh sends it (id, state, inputs), or as import sends it (the id only). */
  async read(
    urn: string,
    id: string,
    state?: Props,
    inputs?: Props,
  ): Promise<{ id: string; outputs: Props; inputs?: Props }> {
    // The engine marshals a missing state as an empty Struct, and leaves missing inputs out.
    const request = new providerProto.ReadRequest()
      .setUrn(urn)
      .setId(id)
      .setProperties(this.encode(state ?? {}, false));
    if (inputs) request.setInputs(this.encode(inputs, false));
    const response = await this.rpc<providerProto.ReadRequest, providerProto.ReadResponse>(
      'Read',
      urn,
      this.client.read,
      request,
    );
    return {
      id: response.getId(),
      outputs: unmarshal(response.getProperties()),
      inputs: response.hasInputs() ? unmarshal(response.getInputs()) : undefined,
    };
  }

  async update(urn: string, id: string, oldOutputs: Props, news: Props, oldInputs: Props): Promise<Props> {
    const request = new providerProto.UpdateRequest()
      .setUrn(urn)
      .setId(id)
      .setOlds(this.encode(oldOutputs, false))
      .setNews(this.encode(news, false))
      .setOldInputs(this.encode(oldInputs, false));
    const response = await this.rpc<providerProto.UpdateRequest, providerProto.UpdateResponse>(
      'Update',
      urn,
      this.client.update,
      request,
    );
    return unmarshal(response.getProperties());
  }

  async delete(urn: string, id: string, outputs: Props, oldInputs: Props): Promise<void> {
    const request = new providerProto.DeleteRequest()
      .setUrn(urn)
      .setId(id)
      .setProperties(this.encode(outputs, false))
      .setOldInputs(this.encode(oldInputs, false));
    await this.rpc<providerProto.DeleteRequest, Empty>('Delete', urn, this.client.delete, request);
  }
}
