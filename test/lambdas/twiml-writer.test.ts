/**
 * The TwiML writer against its oracle, twilio's own `VoiceResponse`: for generated inputs (every XML special
 * character, control characters, lone surrogates, non-ASCII), our builders and the writer's primitives must write
 * byte for byte what `VoiceResponse` writes, or refuse exactly when it throws.
 *
 * Reproduce a failure: the seed is printed; TWIML_RUNS=<n> changes the number of runs per property.
 */
import fc from 'fast-check';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type { AgentTwimlConfig, ConferenceConfig } from '../../lambdas/shared/config';
import {
  type AgentParameter,
  agentTwiml,
  CONFERENCE_EVENTS,
  type ConferenceTwimlInput,
  conferenceTwiml,
  fallbackMessageTwiml,
  hangupTwiml,
  redirectTwiml,
} from '../../lambdas/shared/twiml';
import { type Attributes, element, type Markup, text, twimlResponse } from '../../lambdas/shared/twiml-writer';

const RUNS = Number(process.env.TWIML_RUNS ?? 1000);
const SEED = 20261130;

/** Characters XML treats specially or refuses, plus non-ASCII in and outside the BMP. */
const SPECIAL = fc.constantFrom(
  ...['&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', '&amp;', ']]>', '<!--', '=', '/'],
  ...['\u0000', '\u0001', '\u000B', '\u001F', '\u007F', '\u0085', '\uFFFE', '\uFFFF', '\uFFFD'],
  ...['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'é', 'ß', '中', '\u200D', '😀', '\u{10FFFF}'],
);
/** Any UTF-16 code unit (so lone surrogates too) or any code point, with the special ones often. */
const UNIT = fc.oneof(
  { weight: 3, arbitrary: SPECIAL },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) },
);
const anyString = fc.string({ unit: UNIT, maxLength: 24 });
/** Mostly strings XML can carry, so most runs compare documents rather than errors. */
const mostlyLegalString = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .string({ unit: fc.oneof(SPECIAL, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 24 })
      .filter(isLegal),
  },
  { weight: 1, arbitrary: anyString },
);

function isLegal(value: string): boolean {
  try {
    const response = new VoiceResponse();
    response.say(value);
    response.toString();
    return true;
  } catch {
    return false;
  }
}

/** What a writer produced: the document, or that it refused. */
type Outcome = { readonly xml: string } | { readonly refused: true };

function outcome(write: () => string): Outcome {
  try {
    return { xml: write() };
  } catch {
    return { refused: true };
  }
}

/** Runs a property and counts the runs whose oracle wrote a document, so an all-refusing generator fails. */
function assertSameAsOracle<T>(arbitrary: fc.Arbitrary<T>, ours: (input: T) => string, oracle: (input: T) => string) {
  let documents = 0;
  fc.assert(
    fc.property(arbitrary, (input) => {
      const expected = outcome(() => oracle(input));
      if ('xml' in expected) documents++;
      expect(outcome(() => ours(input))).toEqual(expected);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  expect(documents).toBeGreaterThan(RUNS / 2);
}

const conferenceConfig: fc.Arbitrary<ConferenceConfig> = fc.record({
  namePrefix: fc.constant('unused-'),
  callerLabel: mostlyLegalString,
  waitUrl: mostlyLegalString,
  beep: fc.constantFrom('true', 'false', 'onEnter', 'onExit'),
  jitterBufferSize: fc.constantFrom('off', 'small', 'medium', 'large'),
  endConferenceOnCallerExit: fc.boolean(),
  maxParticipants: fc.integer({ min: -1, max: 1000 }),
});
const conferenceInput: fc.Arbitrary<ConferenceTwimlInput> = fc.record({
  conferenceName: mostlyLegalString,
  statusCallbackUrl: mostlyLegalString,
});
const parameters: fc.Arbitrary<AgentParameter[]> = fc.array(fc.record({ name: anyString, value: mostlyLegalString }), {
  maxLength: 6,
});
const agentConfig: fc.Arbitrary<AgentTwimlConfig> = fc.record({
  mode: fc.constantFrom('stream', 'conversation-relay', 'play'),
  streamUrl: mostlyLegalString,
  playUrl: mostlyLegalString,
  contextAllowlist: fc.constant([]),
  conversationRelay: fc.record(
    {
      welcomeGreeting: anyString,
      language: anyString,
      ttsProvider: anyString,
      voice: anyString,
      transcriptionProvider: anyString,
      interruptible: anyString,
      dtmfDetection: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
});

/** The caller's conference TwiML written with VoiceResponse, attribute for attribute. */
function oracleConference([input, config]: [ConferenceTwimlInput, ConferenceConfig]): string {
  const response = new VoiceResponse();
  response.dial().conference(
    {
      participantLabel: config.callerLabel,
      startConferenceOnEnter: true,
      endConferenceOnExit: config.endConferenceOnCallerExit,
      beep: config.beep,
      jitterBufferSize: config.jitterBufferSize,
      waitUrl: config.waitUrl,
      maxParticipants: config.maxParticipants,
      statusCallback: input.statusCallbackUrl,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: [...CONFERENCE_EVENTS],
    },
    input.conferenceName,
  );
  return response.toString();
}

/** The agent leg's TwiML written with VoiceResponse, in each of the three modes. */
function oracleAgent([params, config, actionUrl]: [AgentParameter[], AgentTwimlConfig, string | undefined]): string {
  const response = new VoiceResponse();
  if (config.mode === 'play') {
    response.play(config.playUrl as string);
    response.hangup();
    return response.toString();
  }
  const connect = response.connect(actionUrl === undefined ? {} : { action: actionUrl, method: 'POST' });
  const relay = config.conversationRelay;
  const target =
    config.mode === 'conversation-relay'
      ? connect.conversationRelay({
          url: config.streamUrl,
          welcomeGreeting: relay.welcomeGreeting,
          language: relay.language,
          ttsProvider: relay.ttsProvider,
          voice: relay.voice,
          transcriptionProvider: relay.transcriptionProvider,
          interruptible: relay.interruptible,
          dtmfDetection: relay.dtmfDetection,
        })
      : connect.stream({ url: config.streamUrl });
  for (const { name, value } of params) target.parameter({ name, value });
  return response.toString();
}

describe('TwiML builders, compared with twilio VoiceResponse on generated inputs', () => {
  it('when the caller is sent to a conference, it writes the same document', () => {
    assertSameAsOracle(
      fc.tuple(conferenceInput, conferenceConfig),
      ([input, config]) => conferenceTwiml(input, config),
      oracleConference,
    );
  });

  it('when the agent leg connects (stream, ConversationRelay or play), it writes the same document', () => {
    assertSameAsOracle(
      fc.tuple(parameters, agentConfig, fc.option(mostlyLegalString, { nil: undefined })),
      ([params, config, actionUrl]) => agentTwiml(params, config, actionUrl),
      oracleAgent,
    );
  });

  it('when the caller hears the fallback message, it writes the same document', () => {
    assertSameAsOracle(mostlyLegalString, fallbackMessageTwiml, (message) => {
      const response = new VoiceResponse();
      response.say(message);
      response.hangup();
      return response.toString();
    });
  });

  it('when a leg is redirected (a warm handoff sends the agent back to brief), it writes the same document', () => {
    assertSameAsOracle(mostlyLegalString, redirectTwiml, (url) => {
      const response = new VoiceResponse();
      response.redirect({ method: 'POST' }, url);
      return response.toString();
    });
  });

  it('when a leg is hung up, it writes the same document', () => {
    const response = new VoiceResponse();
    response.hangup();
    expect(hangupTwiml()).toBe(response.toString());
  });
});

/** A generated element tree: a TwiML-like name, attributes of every kind twilio accepts, text or children. */
interface Tree {
  readonly name: string;
  readonly attributes: Record<string, string | number | boolean | string[] | undefined>;
  readonly content: { readonly text: string } | { readonly children: readonly Tree[] };
}

const attributeValue = fc.oneof(
  mostlyLegalString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(mostlyLegalString, { maxLength: 4 }),
  fc.constant(undefined),
);
const { tree } = fc.letrec<{ tree: Tree }>((self) => ({
  tree: fc.record({
    name: fc.constantFrom('Say', 'Play', 'Dial', 'Conference', 'Connect', 'Stream', 'Parameter', 'Hangup', 'Redirect'),
    attributes: fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,11}$/), attributeValue, { maxKeys: 5 }),
    content: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ text: mostlyLegalString }),
      fc.record({ children: fc.array(self('tree'), { maxLength: 3 }) }),
    ),
  }),
}));

function ours(node: Tree): Markup {
  const attributes: Attributes = node.attributes;
  return 'text' in node.content
    ? element(node.name, attributes, text(node.content.text))
    : element(node.name, attributes, ...node.content.children.map(ours));
}

/** The same tree through VoiceResponse's generic `addChild` / `addText`, i.e. xmlbuilder as twilio sets it up. */
function oracle(parent: { addChild(name: string, attributes: object): unknown }, node: Tree): void {
  const child = parent.addChild(node.name, node.attributes) as Parameters<typeof oracle>[0] & {
    addText(text: string): void;
  };
  if ('text' in node.content) child.addText(node.content.text);
  else for (const grandchild of node.content.children) oracle(child, grandchild);
}

describe('TwiML writer primitives, compared with twilio VoiceResponse on generated trees', () => {
  it('when any tree of elements, attributes and text is written, it matches byte for byte or refuses alike', () => {
    assertSameAsOracle(
      fc.array(tree, { maxLength: 3 }),
      (verbs) => twimlResponse(...verbs.map(ours)),
      (verbs) => {
        const response = new VoiceResponse();
        for (const verb of verbs) oracle(response, verb);
        return response.toString();
      },
    );
  });

  describe.each([
    ['a NUL character', 'a\u0000b'],
    ['a vertical tab', '\u000B'],
    ['a lone high surrogate', 'x\uD800'],
    ['a lone low surrogate', '\uDC00y'],
    ['U+FFFE', '\uFFFE'],
  ])('when text carries %s', (_label, value) => {
    it('refuses it as VoiceResponse does, without echoing the value', () => {
      const response = new VoiceResponse();
      expect(() => response.say(value)).toThrow();
      expect(() => text(value)).toThrow(/^TwiML text has a character XML cannot carry at index \d+$/);
    });
  });
});
