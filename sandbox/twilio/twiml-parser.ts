/**
 * TwiML parsing: a strict XML parser (no XML package ships here) and a check against the TwiML Voice vocabulary
 * the emulator knows. A document that is not XML is Twilio's 12100; a verb or value outside the vocabulary is
 * 12200 (fatal: the call fails as on Twilio); an unknown attribute is a 12200 warning.
 */

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

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string, at: number): string {
  return text.replace(/&([^;\s&]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new TwimlError(12100, `Unterminated entity near offset ${at}`);
    if (name in ENTITIES) return ENTITIES[name];
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (numeric)
      return String.fromCodePoint(
        numeric[1].startsWith('x') ? parseInt(numeric[1].slice(1), 16) : parseInt(numeric[1], 10),
      );
    throw new TwimlError(12100, `Unknown entity &${name}; near offset ${at}`);
  });
}

/** Parses an XML document into its root element; throws TwimlError 12100 when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const src = xml.replace(/^\uFEFF/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    throw new TwimlError(12100, `${message} at offset ${i}`);
  };
  while (i < src.length) {
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) fail('Unterminated processing instruction');
      i = end + 2;
    } else if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) fail('Unterminated comment');
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      if (end < 0 || stack.length === 0) fail('Misplaced CDATA');
      stack[stack.length - 1].text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are not allowed');
    } else if (src.startsWith('</', i)) {
      const end = src.indexOf('>', i);
      if (end < 0) fail('Unterminated end tag');
      const name = src.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) fail(`End tag </${name}> does not match <${open?.name ?? ''}>`);
      i = end + 1;
    } else if (src[i] === '<') {
      const tag = /^<([A-Za-z_][\w.:-]*)/.exec(src.slice(i));
      if (!tag) fail('Invalid tag');
      const element: XmlElement = { name: tag![1], attributes: {}, children: [], text: '' };
      i += tag![0].length;
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0];
        i += ws.length;
        if (src.startsWith('/>', i)) {
          i += 2;
          attach(element, true);
          break;
        }
        if (src[i] === '>') {
          i += 1;
          attach(element, false);
          break;
        }
        if (!ws) fail('Expected whitespace between attributes');
        const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(src.slice(i));
        if (!attr) fail(`Malformed attribute in <${element.name}>`);
        if (attr![1] in element.attributes) fail(`Duplicate attribute ${attr![1]}`);
        element.attributes[attr![1]] = decodeEntities(attr![3] ?? attr![4], i);
        i += attr![0].length;
      }
    } else {
      const next = src.indexOf('<', i);
      const end = next < 0 ? src.length : next;
      const text = src.slice(i, end);
      if (stack.length === 0) {
        if (text.trim()) fail('Text outside the root element');
      } else stack[stack.length - 1].text += decodeEntities(text, i);
      i = end;
    }
  }
  if (stack.length) fail(`Unclosed element <${stack[stack.length - 1].name}>`);
  if (!root) throw new TwimlError(12100, 'Empty document: no root element');
  return root;

  function attach(element: XmlElement, selfClosing: boolean) {
    if (stack.length) stack[stack.length - 1].children.push(element);
    else if (root) fail('More than one root element');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
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
const CONFERENCE_EVENTS = new Set([
  'start',
  'end',
  'join',
  'leave',
  'mute',
  'hold',
  'modify',
  'speaker',
  'announcement',
]);
const CALL_EVENTS = new Set(['initiated', 'ringing', 'answered', 'completed']);
const tokens = (allowed: Set<string>) => (value: string) => {
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
