/**
 * The combined function's dispatcher: each route key reaches its handler's module, loaded only when one of its
 * routes arrives; anything else is 404 with nothing loaded. First as logic with recording loaders, then as built
 * (dist/twilio/), in fresh processes: what it answers is what the handler's own bundle answers, and the only
 * modules in the process are the dispatcher and the handlers of the routes it served.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES, TWILIO_FACING_HANDLERS, type HandlerName } from '../../lambdas/routes';
import { routeDispatcher, type HandlerModule } from '../../lambdas/twilio/dispatch';
import { shareAcrossBundles, sharedAcrossBundles } from '../../lambdas/shared/bundle-sharing';
import { apiGatewayEvent, baseEnv, callParams, conferenceEventParams, twilioEvent } from './support/events';

const ROOT = path.resolve(__dirname, '..', '..');
const TWILIO_ROUTES = ROUTES.filter((r) => TWILIO_FACING_HANDLERS.includes(r.handler));

/** The route keys Twilio calls and the handler module that must answer each (the route table, by value). */
const TWILIO_ROUTE_KEYS: [string, HandlerName][] = [
  ['POST /twilio/voice/inbound', 'inbound'],
  ['POST /twilio/voice/agent', 'agent'],
  ['POST /twilio/voice/agent-fallback', 'agent'],
  ['POST /twilio/voice/agent-ended', 'events'],
  ['POST /twilio/conference/events', 'events'],
  ['POST /twilio/calls/status', 'events'],
];

/** Loaders that record which module was loaded and which handler each event reached. */
function recordingLoaders() {
  const loads: HandlerName[] = [];
  const reached: [HandlerName, string][] = [];
  const loader = (name: HandlerName) => (): HandlerModule => {
    loads.push(name);
    return {
      handler: async (event) => {
        reached.push([name, event.routeKey]);
        return { statusCode: 200, headers: {}, body: name };
      },
    };
  };
  return { loads, reached, loaders: { inbound: loader('inbound'), agent: loader('agent'), events: loader('events') } };
}

const eventFor = (routeKey: string) =>
  apiGatewayEvent({ routeKey, path: routeKey.split(' ')[1], method: routeKey.split(' ')[0] });

describe('routeDispatcher', () => {
  it('when it serves the Twilio-facing routes, they are exactly the route keys Twilio calls', () => {
    // Act
    const keys = TWILIO_ROUTES.map((r) => `${r.method} ${r.path}`);

    // Assert
    expect(keys.sort()).toEqual(TWILIO_ROUTE_KEYS.map(([key]) => key).sort());
  });

  it.each(TWILIO_ROUTE_KEYS)(
    'when %s arrives, the %s module answers it and no other module is loaded',
    async (key, handler) => {
      // Arrange
      const { loads, reached, loaders } = recordingLoaders();
      const dispatch = routeDispatcher(TWILIO_ROUTES, loaders);

      // Act
      const response = await dispatch(eventFor(key));

      // Assert
      expect(response.body).toBe(handler);
      expect(loads).toEqual([handler]);
      expect(reached).toEqual([[handler, key]]);
    },
  );

  it.each([
    ['a participants API route', 'POST /conferences/{conference}/participants'],
    ['the $default route', '$default'],
    ['a route nobody declared', 'POST /twilio/voice/unknown'],
    ['a Twilio path under another method', 'GET /twilio/voice/inbound'],
  ])('when %s arrives, it answers 404 and loads no module', async (_case, key) => {
    // Arrange
    const { loads, loaders } = recordingLoaders();
    const dispatch = routeDispatcher(TWILIO_ROUTES, loaders);

    // Act
    const response = await dispatch(eventFor(key));

    // Assert
    expect(response.statusCode).toBe(404);
    expect(loads).toEqual([]);
  });

  it('when routes of one handler arrive again and again, its module is loaded once per container', async () => {
    // Arrange
    const { loads, reached, loaders } = recordingLoaders();
    const dispatch = routeDispatcher(TWILIO_ROUTES, loaders);

    // Act
    for (const key of ['POST /twilio/voice/agent', 'POST /twilio/voice/agent-fallback', 'POST /twilio/voice/agent'])
      await dispatch(eventFor(key));

    // Assert
    expect(loads).toEqual(['agent']);
    expect(reached).toHaveLength(3);
  });

  it('when told to preload (a provisioned environment), it loads every module before any request, each once', async () => {
    // Arrange
    const { loads, loaders } = recordingLoaders();

    // Act
    const dispatch = routeDispatcher(TWILIO_ROUTES, loaders, { preload: true });
    const loadedBefore = [...loads];
    await dispatch(eventFor('POST /twilio/voice/agent'));

    // Assert
    expect(loadedBefore.sort()).toEqual(['agent', 'events', 'inbound']);
    expect(loads).toHaveLength(3);
  });

  it('when a route’s handler has no loader, it refuses to be built', () => {
    // Arrange
    const { loaders } = recordingLoaders();
    const { events: _events, ...withoutEvents } = loaders;

    // Act / Assert
    expect(() => routeDispatcher(TWILIO_ROUTES, withoutEvents)).toThrow(
      'no module loader for events (POST /twilio/voice/agent-ended)',
    );
  });
});

/** Runs `events` through `bundle` in a fresh Node process; returns the answers and the dist/ files it loaded. */
function runBundle(
  bundle: string,
  events: APIGatewayProxyEventV2[],
  env: Record<string, string> = {},
): { answers: { statusCode: number; body: string }[]; loaded: string[] } {
  const script = `
    const path = require('node:path');
    const events = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const { handler } = require(process.argv[1]);
      const answers = [];
      for (const event of events) {
        const { statusCode, body } = await handler(event, {});
        answers.push({ statusCode, body });
      }
      const loaded = Object.keys(require.cache).map((file) => path.relative(process.argv[2], file));
      process.stdout.write('\\n@@result ' + JSON.stringify({ answers, loaded }) + '\\n');
    })();`;
  const output = execFileSync(process.execPath, ['-e', script, bundle, path.join(ROOT, 'dist')], {
    input: JSON.stringify(events),
    env: { ...baseEnv(), TZ: 'UTC', PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  const line = output.split('\n').find((l) => l.startsWith('@@result '));
  if (!line) throw new Error(`no result from ${bundle}: ${output}`);
  return JSON.parse(line.slice('@@result '.length));
}

/** A genuine (signed) Twilio request for each handler, on one of its routes. */
const SIGNED: [HandlerName, () => APIGatewayProxyEventV2][] = [
  ['inbound', () => twilioEvent({ path: '/twilio/voice/inbound', params: callParams() })],
  [
    'agent',
    () =>
      twilioEvent({
        path: '/twilio/voice/agent',
        rawQueryString: 'caller=%2B15557654321&ticket=T-42',
        params: callParams({ Direction: 'outbound-api' }),
      }),
  ],
  ['events', () => twilioEvent({ path: '/twilio/conference/events', params: conferenceEventParams('conference-end') })],
];

describe('the built combined function (dist/twilio/index.js)', () => {
  const combined = path.join(ROOT, 'dist', 'twilio', 'index.js');

  it.each(SIGNED)(
    'when a signed %s request arrives, it answers what the handler’s own bundle answers and loads only that module',
    (handler, event) => {
      // Arrange
      const request = event();

      // Act
      const viaCombined = runBundle(combined, [request]);
      const viaOwn = runBundle(path.join(ROOT, 'dist', handler, 'index.js'), [request]);

      // Assert
      expect(viaCombined.answers).toEqual(viaOwn.answers);
      expect(viaCombined.answers[0].statusCode).toBeLessThan(300);
      expect(viaCombined.loaded.sort()).toEqual(['twilio/index.js', `twilio/${handler}.js`].sort());
    },
  );

  it('when a container serves an inbound call and then its agent leg, it has loaded those two modules, not events', () => {
    // Act
    const { answers, loaded } = runBundle(combined, [SIGNED[0][1](), SIGNED[1][1]()]);

    // Assert
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(loaded.sort()).toEqual(['twilio/agent.js', 'twilio/inbound.js', 'twilio/index.js']);
  });

  it('when a request for an unknown route arrives, it answers 404 having loaded only the dispatcher', () => {
    // Act
    const { answers, loaded } = runBundle(combined, [eventFor('GET /conferences/{conference}/participants')]);

    // Assert
    expect(answers).toEqual([{ statusCode: 404, body: 'Not Found' }]);
    expect(loaded).toEqual(['twilio/index.js']);
  });

  it.each([
    ['on-demand', ['twilio/index.js']],
    ['provisioned-concurrency', ['twilio/agent.js', 'twilio/events.js', 'twilio/inbound.js', 'twilio/index.js']],
  ])('when Lambda initializes it %s, it has loaded %j before any request', (initializationType, expected) => {
    // Act
    const { loaded } = runBundle(combined, [], { AWS_LAMBDA_INITIALIZATION_TYPE: initializationType });

    // Assert
    expect(loaded.sort()).toEqual(expected);
  });

  it('when a forged request arrives, the handler module refuses it as its own bundle does (403)', () => {
    // Arrange
    const forged = twilioEvent({ path: '/twilio/voice/inbound', params: callParams(), signature: 'forged' });

    // Act
    const { answers } = runBundle(combined, [forged]);

    // Assert
    expect(answers[0].statusCode).toBe(403);
  });
});

describe('sharedAcrossBundles', () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('voiceai.bundle-sharing')];
  });

  it('when sharing is off (a function running one handler), each bundle gets its own instance', () => {
    // Act
    const a = sharedAcrossBundles('cache', () => ({ from: 'a' }));
    const b = sharedAcrossBundles('cache', () => ({ from: 'b' }));

    // Assert
    expect([a.from, b.from]).toEqual(['a', 'b']);
  });

  it('when the combined function turned sharing on, every bundle gets the instance the first one created', () => {
    // Arrange
    shareAcrossBundles();

    // Act
    const a = sharedAcrossBundles('cache', () => ({ from: 'a' }));
    const b = sharedAcrossBundles('cache', () => ({ from: 'b' }));
    const other = sharedAcrossBundles('other', () => ({ from: 'c' }));

    // Assert
    expect(b).toBe(a);
    expect([a.from, other.from]).toEqual(['a', 'c']);
  });
});
