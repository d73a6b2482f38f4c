/**
 * TwiML parsing: a strict XML parser (saxes) and a check against the TwiML Voice vocabulary
 * the emulator knows. A document that is not XML is Twilio's 12100; a verb or value outside the vocabulary is
 * 12200 (fatal: the call fails as on Twilio); an unknown attribute is a 12200 warning.
 */

import { SaxesParser } from 'saxes';
import { CALL_EVENTS, CONFERENCE_EVENTS } from './vocabulary';

/** An XML element with its attributes, child elements and concatenated text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

/** A TwiML problem with its Twilio error code. */
export class TwimlError extends Error {
  constructor(
    readonly code: 12100 | 12200,
    message: string,
  ) {
    super(message);
    this.name = 'TwimlError';
  }
}

/** Parses an XML document into its root element; throws TwimlError 12100 when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  // saxes is a strict, spec-conformant XML parser: well-formedness, entities and "one root" are its job.
  const parser = new SaxesParser();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let problem: string | undefined;
  const appendText = (text: string) => {
    if (stack.length) stack[stack.length - 1].text += text;
  };
  parser.on('error', (error) => {
    problem ??= error.message;
  });
  // Twilio refuses DTDs in TwiML; a DOCTYPE could also declare entities the emulator would then expand.
  parser.on('doctype', () => {
    problem ??= 'DOCTYPE and declarations are not allowed';
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: '' };
    if (stack.length) stack[stack.length - 1].children.push(element);
    else root ??= element;
    if (!tag.isSelfClosing) stack.push(element);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  parser.on('text', appendText);
  parser.on('cdata', appendText);
  parser.write(xml.replace(/^\uFEFF/, '')).close();
  if (problem) throw new TwimlError(12100, problem);
  if (!root) throw new TwimlError(12100, 'Empty document: no root element');
  return root;
}

type AttributeRule =
  | 'string'
  | 'url'
  | 'boolean'
  | 'integer'
  | readonly string[]
  | ((value: string) => string | undefined);

interface VerbRule {
  readonly children?: readonly string[];
  /** Free-form content (SSML inside <Say>): children are not checked. */
  readonly anyChildren?: boolean;
  readonly attributes: Record<string, AttributeRule>;
  readonly required?: readonly string[];
}

const METHOD = ['GET', 'POST'] as const;
const BOOL_ENUM = ['true', 'false'] as const;
const tokens = (allowed: ReadonlySet<string>) => (value: string) => {
  const bad = value.split(/\s+/).filter((t) => t && !allowed.has(t));
  return bad.length ? `unknown event(s) ${bad.join(', ')}` : undefined;
};

const DIAL_NOUN_COMMON: Record<string, AttributeRule> = {
  url: 'url',
  method: METHOD,
  statusCallback: 'url',
  statusCallbackMethod: METHOD,
  statusCallbackEvent: tokens(CALL_EVENTS),
};

/** The TwiML Voice vocabulary: verbs, nouns, their attributes and nesting. */
const RULES: Record<string, VerbRule> = {
  Response: {
    children: [
      'Say',
      'Play',
      'Pause',
      'Hangup',
      'Reject',
      'Redirect',
      'Dial',
      'Connect',
      'Gather',
      'Record',
      'Enqueue',
      'Leave',
      'Start',
      'Stop',
      'Pay',
      'Refer',
      'Sms',
      'Echo',
    ],
    attributes: {},
  },
  Say: { anyChildren: true, attributes: { voice: 'string', language: 'string', loop: 'integer' } },
  Play: { attributes: { loop: 'integer', digits: 'string' } },
  Pause: { attributes: { length: 'integer' } },
  Hangup: { attributes: {} },
  Reject: { attributes: { reason: ['rejected', 'busy'] } },
  Redirect: { attributes: { method: METHOD } },
  Gather: {
    children: ['Say', 'Play', 'Pause'],
    attributes: {
      action: 'url',
      method: METHOD,
      timeout: 'string',
      finishOnKey: 'string',
      numDigits: 'integer',
      input: 'string',
      speechTimeout: 'string',
      language: 'string',
      hints: 'string',
      actionOnEmptyResult: BOOL_ENUM,
      partialResultCallback: 'url',
      speechModel: 'string',
      enhanced: BOOL_ENUM,
      profanityFilter: BOOL_ENUM,
    },
  },
  Dial: {
    children: ['Number', 'Client', 'Sip', 'Conference', 'Queue', 'Sim', 'Application'],
    attributes: {
      action: 'url',
      method: METHOD,
      timeout: 'integer',
      hangupOnStar: BOOL_ENUM,
      timeLimit: 'integer',
      callerId: 'string',
      record: 'string',
      trim: 'string',
      recordingStatusCallback: 'url',
      recordingStatusCallbackMethod: METHOD,
      recordingStatusCallbackEvent: 'string',
      answerOnBridge: BOOL_ENUM,
      ringTone: 'string',
      recordingTrack: 'string',
      sequential: BOOL_ENUM,
      referUrl: 'url',
      referMethod: METHOD,
      events: 'string',
    },
  },
  Conference: {
    attributes: {
      muted: BOOL_ENUM,
      beep: ['true', 'false', 'onEnter', 'onExit'],
      startConferenceOnEnter: BOOL_ENUM,
      endConferenceOnExit: BOOL_ENUM,
      participantLabel: (v) => (v.length > 128 || v.includes('/') ? 'at most 128 characters, no "/"' : undefined),
      jitterBufferSize: ['off', 'small', 'medium', 'large'],
      waitUrl: (v) =>
        v === '' ? undefined : /^https?:\/\//.test(v) ? undefined : 'must be an absolute http(s) URL or empty',
      waitMethod: METHOD,
      maxParticipants: (v) =>
        /^\d+$/.test(v) && Number(v) >= 2 && Number(v) <= 250 ? undefined : 'must be an integer from 2 to 250',
      record: ['do-not-record', 'record-from-start'],
      region: 'string',
      coach: 'string',
      trim: ['trim-silence', 'do-not-trim'],
      statusCallback: 'url',
      statusCallbackEvent: tokens(CONFERENCE_EVENTS),
      statusCallbackMethod: METHOD,
      recordingStatusCallback: 'url',
      recordingStatusCallbackMethod: METHOD,
      recordingStatusCallbackEvent: 'string',
      eventCallbackUrl: 'url',
    },
  },
  Number: { attributes: { ...DIAL_NOUN_COMMON, sendDigits: 'string', byoc: 'string', machineDetection: 'string' } },
  Client: { children: ['Identity', 'Parameter'], attributes: DIAL_NOUN_COMMON },
  Sip: { attributes: { ...DIAL_NOUN_COMMON, username: 'string', password: 'string' } },
  Application: {
    children: ['ApplicationSid', 'Parameter'],
    attributes: { ...DIAL_NOUN_COMMON, customerId: 'string', copyParentTo: BOOL_ENUM },
  },
  ApplicationSid: { attributes: {} },
  Identity: { attributes: {} },
  Queue: { attributes: { url: 'url', method: METHOD, reservationSid: 'string', postWorkActivitySid: 'string' } },
  Sim: { attributes: {} },
  Connect: {
    children: ['Stream', 'ConversationRelay', 'Room', 'VirtualAgent', 'Conversation'],
    attributes: { action: 'url', method: METHOD },
  },
  Stream: {
    children: ['Parameter'],
    required: ['url'],
    attributes: {
      url: 'string',
      name: 'string',
      track: ['inbound_track', 'outbound_track', 'both_tracks'],
      statusCallback: 'url',
      statusCallbackMethod: METHOD,
    },
  },
  ConversationRelay: {
    children: ['Parameter', 'Language'],
    required: ['url'],
    attributes: {
      url: 'string',
      welcomeGreeting: 'string',
      welcomeGreetingInterruptible: 'string',
      language: 'string',
      ttsLanguage: 'string',
      ttsProvider: 'string',
      voice: 'string',
      transcriptionLanguage: 'string',
      transcriptionProvider: 'string',
      speechModel: 'string',
      interruptible: 'string',
      interruptSensitivity: 'string',
      dtmfDetection: BOOL_ENUM,
      reportInputDuringAgentSpeech: 'string',
      preemptible: BOOL_ENUM,
      hints: 'string',
      debug: 'string',
      elevenlabsTextNormalization: 'string',
      intelligenceService: 'string',
      partialPrompts: BOOL_ENUM,
    },
  },
  Language: {
    attributes: {
      code: 'string',
      ttsProvider: 'string',
      voice: 'string',
      transcriptionProvider: 'string',
      speechModel: 'string',
    },
  },
  Parameter: { required: ['name', 'value'], attributes: { name: 'string', value: 'string' } },
  Room: { attributes: { participantIdentity: 'string' } },
  VirtualAgent: {
    children: ['Config', 'Parameter'],
    attributes: { connectorName: 'string', language: 'string', sentimentAnalysis: BOOL_ENUM, statusCallback: 'url' },
  },
  Config: { attributes: { name: 'string', value: 'string' } },
  Conversation: { attributes: { serviceInstanceSid: 'string' } },
  Record: {
    attributes: {
      action: 'url',
      method: METHOD,
      timeout: 'integer',
      finishOnKey: 'string',
      maxLength: 'integer',
      playBeep: BOOL_ENUM,
      trim: 'string',
      recordingStatusCallback: 'url',
      recordingStatusCallbackMethod: METHOD,
      recordingStatusCallbackEvent: 'string',
      transcribe: BOOL_ENUM,
      transcribeCallback: 'url',
    },
  },
  Enqueue: {
    children: ['Task'],
    attributes: { action: 'url', method: METHOD, waitUrl: 'url', waitUrlMethod: METHOD, workflowSid: 'string' },
  },
  Task: { attributes: { priority: 'integer', timeout: 'integer' } },
  Leave: { attributes: {} },
  Start: { children: ['Stream', 'Siprec', 'Transcription'], attributes: { action: 'url', method: METHOD } },
  Stop: { children: ['Stream', 'Siprec', 'Transcription'], attributes: {} },
  Siprec: {
    children: ['Parameter'],
    attributes: {
      name: 'string',
      connectorName: 'string',
      track: 'string',
      statusCallback: 'url',
      statusCallbackMethod: METHOD,
    },
  },
  Transcription: {
    children: ['Parameter'],
    attributes: {
      name: 'string',
      track: 'string',
      statusCallbackUrl: 'url',
      languageCode: 'string',
      transcriptionEngine: 'string',
      partialResults: BOOL_ENUM,
    },
  },
  Pay: { anyChildren: true, attributes: {} },
  Refer: { children: ['Sip'], attributes: { action: 'url', method: METHOD } },
  Sms: { attributes: { to: 'string', from: 'string', action: 'url', method: METHOD, statusCallback: 'url' } },
  Echo: { attributes: {} },
};

function checkAttribute(element: XmlElement, name: string, value: string, rule: AttributeRule): string | undefined {
  if (rule === 'string') return undefined;
  if (rule === 'url')
    return value === '' || /^https?:\/\//i.test(value) || !/^[a-z][a-z0-9+.-]*:/i.test(value)
      ? undefined
      : `${element.name}@${name} must be an http(s) URL`;
  if (rule === 'boolean')
    return /^(true|false)$/.test(value) ? undefined : `${element.name}@${name} must be true or false`;
  if (rule === 'integer') return /^\d+$/.test(value) ? undefined : `${element.name}@${name} must be an integer`;
  if (typeof rule === 'function') {
    const problem = rule(value);
    return problem ? `${element.name}@${name}: ${problem}` : undefined;
  }
  return rule.includes(value) ? undefined : `${element.name}@${name}="${value}" is not one of ${rule.join(', ')}`;
}

/** A parsed TwiML document: its `<Response>` and the non-fatal schema warnings. */
export interface TwimlDocument {
  readonly response: XmlElement;
  readonly warnings: string[];
}

/** Parses and checks a TwiML Voice document; throws TwimlError (12100 not XML, 12200 not TwiML). */
export function parseTwiml(xml: string): TwimlDocument {
  const response = parseXml(xml);
  if (response.name !== 'Response')
    throw new TwimlError(12200, `Root element must be <Response>, got <${response.name}>`);
  const warnings: string[] = [];
  const visit = (element: XmlElement) => {
    const rule = RULES[element.name];
    if (!rule) throw new TwimlError(12200, `Unknown TwiML element <${element.name}>`);
    for (const [name, value] of Object.entries(element.attributes)) {
      const attributeRule = rule.attributes[name];
      if (!attributeRule) {
        warnings.push(`Unknown attribute ${name} on <${element.name}>`);
        continue;
      }
      const problem = checkAttribute(element, name, value, attributeRule);
      if (problem) throw new TwimlError(12200, problem);
    }
    for (const name of rule.required ?? [])
      if (element.attributes[name] === undefined)
        throw new TwimlError(12200, `<${element.name}> requires the ${name} attribute`);
    if (rule.anyChildren) return;
    for (const child of element.children) {
      if (!(rule.children ?? []).includes(child.name))
        throw new TwimlError(12200, `<${child.name}> is not allowed inside <${element.name}>`);
      visit(child);
    }
  };
  visit(response);
  return { response, warnings };
}

/** The `<Parameter name value>` children of an element as an object, in document order. */
export function parametersOf(element: XmlElement): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const child of element.children)
    if (child.name === 'Parameter') parameters[child.attributes.name] = child.attributes.value;
  return parameters;
}
