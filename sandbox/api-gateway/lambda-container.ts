/**
 * One Lambda "container": a worker thread that loads a built function bundle (dist/<function>/index.js) with its
 * own environment, as Lambda gives each function its own process and environment, and serves invocations.
 */
import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The result of one invocation. */
export type Invocation =
  | { readonly ok: true; readonly result: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: string; readonly ms: number; readonly timedOut: boolean };

// Runs inside the worker. Plain JavaScript: the worker loads the built bundle, not TypeScript.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const handlerModule = require(workerData.bundle);
parentPort.on('message', async ({ id, event, functionName, deadline }) => {
  const started = performance.now();
  const context = { functionName, awsRequestId: id, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  try {
    const result = await handlerModule.handler(event, context);
    parentPort.postMessage({ id, ok: true, result, ms: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String((error && error.name) || 'Error'), ms: performance.now() - started });
  }
});
`;

/** A running function. */
export class LambdaContainer {
  private readonly worker: Worker;
  private readonly pending = new Map<
    string,
    { resolve: (i: Invocation) => void; timer: NodeJS.Timeout; started: number }
  >();
  /** Log lines the function wrote (stdout and stderr), newest last. */
  readonly logs: string[] = [];

  /**
   * @param bundle absolute path of the built bundle
   * @param env the function's whole environment (nothing is inherited from this process)
   * @param timeoutMs the function's timeout
   * @param onLog receives each log line as it is written
   */
  constructor(
    readonly functionName: string,
    bundle: string,
    env: Record<string, string>,
    private readonly timeoutMs: number,
    private readonly onLog?: (functionName: string, line: string) => void,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bundle }, env, stdout: true, stderr: true });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          this.logs.push(line);
          this.onLog?.(this.functionName, line);
        }
      });
    }
    this.worker.on('message', (message: { id: string } & Invocation) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      clearTimeout(waiting.timer);
      this.pending.delete(message.id);
      waiting.resolve(
        message.ok
          ? { ok: true, result: message.result, ms: message.ms }
          : { ok: false, error: message.error, ms: message.ms, timedOut: false },
      );
    });
    this.worker.on('error', (error) => {
      for (const [id, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        this.pending.delete(id);
        waiting.resolve({
          ok: false,
          error: `worker failed: ${error.message}`,
          ms: Date.now() - waiting.started,
          timedOut: false,
        });
      }
    });
  }

  /**
   * Invokes the function with its event (API Gateway's, or a schedule's input); a timeout resolves as a failed
   * invocation, as Lambda reports one.
   */
  invoke(event: APIGatewayProxyEventV2 | Readonly<Record<string, unknown>>): Promise<Invocation> {
    const id = randomUUID();
    const started = Date.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: `Task timed out after ${this.timeoutMs / 1000} seconds`,
          ms: Date.now() - started,
          timedOut: true,
        });
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer, started });
      this.worker.postMessage({ id, event, functionName: this.functionName, deadline: started + this.timeoutMs });
    });
  }

  /** Stops the worker. */
  async stop(): Promise<void> {
    for (const waiting of this.pending.values()) clearTimeout(waiting.timer);
    this.pending.clear();
    await this.worker.terminate();
  }
}
