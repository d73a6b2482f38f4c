/**
 * Stand-ins for the two gRPC services the Pulumi engine serves to a program and to provider plugins: the
 * ResourceMonitor (registrations, invokes) and the Engine (logging, root resource). They record every request
 * exactly as it arrived on the wire; what they answer is decided by the caller (`RegistrationAnswer`).
 */
import * as grpc from '@grpc/grpc-js';
import * as engineGrpc from '@pulumi/pulumi/proto/engine_grpc_pb';
import * as engineProto from '@pulumi/pulumi/proto/engine_pb';
import * as providerProto from '@pulumi/pulumi/proto/provider_pb';
import * as resourceGrpc from '@pulumi/pulumi/proto/resource_grpc_pb';
import * as resourceProto from '@pulumi/pulumi/proto/resource_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import { unmarshal, type Props } from './wire';

/** One RegisterResource request as the program sent it. */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly custom: boolean;
  /** The inputs in wire form: unknowns as the sentinel string, secrets as signature-tagged objects. */
  readonly inputs: Props;
  readonly dependencies: string[];
  readonly provider: string;
  readonly version: string;
  readonly importId: string;
  readonly acceptSecrets: boolean;
}

/** A log line the program (or a provider) sent to the engine. */
export interface LogEntry {
  readonly severity: 'debug' | 'info' | 'warning' | 'error';
  readonly message: string;
  readonly urn: string;
}

/** An invoke (data source call) the program made. */
export interface InvokeCall {
  readonly token: string;
  readonly args: Props;
}

/** How the stand-in monitor answers a custom resource: the id and the output properties (wire form). */
export interface RegistrationAnswer {
  readonly id: string;
  readonly outputs: Props;
}

/** What the stand-ins are told to do. */
export interface StandInOptions {
  readonly project: string;
  readonly stack: string;
  /** Answers a custom resource's registration (a component resource is answered with its inputs). */
  answer(registration: Registration): Promise<RegistrationAnswer> | RegistrationAnswer;
  /** Answers an invoke; throw for a token the program should not call. */
  invoke(call: InvokeCall): Props;
}

const SEVERITIES = ['debug', 'info', 'warning', 'error'] as const;

/** Monitor features the engine of Pulumi 3.248 answers `true` to (what `awaitFeatureSupport` asks). */
const SUPPORTED_FEATURES = new Set([
  'secrets',
  'resourceReferences',
  'outputValues',
  'deletedWith',
  'replaceWith',
  'aliasSpecs',
  'transforms',
  'invokeTransforms',
  'parameterization',
  'resourceHooks',
  'errorHooks',
]);

type Handler<Req, Res> = (
  call: { request: Req },
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => void;

function handle<Req, Res>(work: (request: Req) => Promise<Res> | Res): Handler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => work(call.request))
      .then(
        (response) => callback(null, response),
        (error: Error) => callback({ code: grpc.status.UNKNOWN, details: error.message } as grpc.ServiceError),
      );
  };
}

/** A URN as the engine builds it: the parent's type chain (below the stack) joined with `$`. */
export function urnOf(project: string, stack: string, parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn ? parentUrn.split('::')[2] : '';
  const qualified = parentType && parentType !== 'pulumi:pulumi:Stack' ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The running stand-ins on one loopback port. */
export class EngineStandIns {
  readonly registrations: Registration[] = [];
  readonly logs: LogEntry[] = [];
  readonly invokes: InvokeCall[] = [];
  readonly features: string[] = [];
  stackOutputs: Props = {};
  shutdownSignalled = false;
  private rootUrn = '';
  private readonly server = new grpc.Server();
  private port = 0;

  constructor(private readonly options: StandInOptions) {
    this.server.addService(resourceGrpc.ResourceMonitorService, {
      supportsFeature: handle((req: resourceProto.SupportsFeatureRequest) => {
        this.features.push(req.getId());
        return new resourceProto.SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(req.getId()));
      }),
      registerResource: handle((req: resourceProto.RegisterResourceRequest) => this.register(req)),
      registerResourceOutputs: handle((req: resourceProto.RegisterResourceOutputsRequest) => {
        if (req.getUrn() === this.rootUrn) this.stackOutputs = unmarshal(req.getOutputs());
        return new Empty();
      }),
      invoke: handle((req: resourceProto.ResourceInvokeRequest) => {
        const call = { token: req.getTok(), args: unmarshal(req.getArgs()) };
        this.invokes.push(call);
        return new providerProto.InvokeResponse().setReturn(
          Struct.fromJavaScript(this.options.invoke(call) as Record<string, never>),
        );
      }),
      registerPackage: handle(() => new resourceProto.RegisterPackageResponse().setRef('stand-in-package-ref')),
      signalAndWaitForShutdown: handle(() => {
        this.shutdownSignalled = true;
        return new Empty();
      }),
    });
    this.server.addService(engineGrpc.EngineService, {
      log: handle((req: engineProto.LogRequest) => {
        this.logs.push({ severity: SEVERITIES[req.getSeverity()], message: req.getMessage(), urn: req.getUrn() });
        return new Empty();
      }),
      getRootResource: handle(() => new engineProto.GetRootResourceResponse().setUrn(this.rootUrn)),
      setRootResource: handle((req: engineProto.SetRootResourceRequest) => {
        this.rootUrn = req.getUrn();
        return new engineProto.SetRootResourceResponse();
      }),
      requirePulumiVersion: handle(() => new engineProto.RequirePulumiVersionResponse()),
    });
  }

  /** `127.0.0.1:<port>` once started. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Error-level log lines (a passing run has none). */
  errors(): LogEntry[] {
    return this.logs.filter((l) => l.severity === 'error');
  }

  private async register(req: resourceProto.RegisterResourceRequest): Promise<resourceProto.RegisterResourceResponse> {
    const { project, stack } = this.options;
    const registration: Registration = {
      urn: urnOf(project, stack, req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      custom: req.getCustom(),
      inputs: unmarshal(req.getObject()),
      dependencies: req.getDependenciesList(),
      provider: req.getProvider(),
      version: req.getVersion(),
      importId: req.getImportid(),
      acceptSecrets: req.getAcceptsecrets(),
    };
    this.registrations.push(registration);
    const response = new resourceProto.RegisterResourceResponse().setUrn(registration.urn);
    if (!registration.custom) return response.setObject(Struct.fromJavaScript({}));
    const { id, outputs } = await this.options.answer(registration);
    return response.setId(id).setObject(Struct.fromJavaScript(outputs as Record<string, never>));
  }
}
