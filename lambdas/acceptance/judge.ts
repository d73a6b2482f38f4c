/**
 * The acceptance call's judgement, pure: drift of the Twilio configuration, which leg is the call's inbound leg,
 * why Twilio refused a request, which alerts belong to the call, and the likeliest cause of a failed step.
 */
import type { AcceptanceTarget } from './plan';
import type { AlertInfo, AppConfig, CallLeg, NumberConfig, ParticipantInfo } from './records';
import { TwilioRequestError } from './records';

/** The steps of an acceptance call, in order. */
export const STEPS = {
  credentials: 'Twilio accepts the credentials',
  number: 'the number points at the stack',
  app: 'the TwiML App points at the stack',
  dial: 'Twilio places the test call',
  answered: 'the test call reaches the number',
  inbound: 'the inbound webhook puts the caller into a conference of their own',
  agentJoined: 'the AI agent joins the conference',
  agentMedia: 'the agent’s media is up (its leg stays connected)',
  participantsApi: 'the participants API lists the caller and the agent',
  hangUp: 'every leg the test call created has ended',
} as const;

/** A step of the acceptance call. */
export type StepId = keyof typeof STEPS;

/** Call statuses after which a leg is over (Call resource). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** What differs between the number's voice configuration and the stack's (empty: no drift). */
export function numberDrift(number: NumberConfig, target: AcceptanceTarget): string[] {
  const problems: string[] = [];
  if (number.trunkSid) problems.push(`it belongs to SIP trunk ${number.trunkSid}, which takes its calls`);
  if (number.voiceApplicationSid)
    problems.push(`it sends calls to TwiML App ${number.voiceApplicationSid}, not to its voice URL`);
  if (number.voiceUrl !== target.webhooks.inbound)
    problems.push(`its voice URL is ${number.voiceUrl ?? '(none)'}, the stack sets ${target.webhooks.inbound}`);
  else if ((number.voiceMethod ?? 'POST').toUpperCase() !== 'POST')
    problems.push(`its voice method is ${number.voiceMethod}, the stack sets POST`);
  return problems;
}

/** What differs between the TwiML App and the stack's (empty: no drift). */
export function appDrift(app: AppConfig, target: AcceptanceTarget): string[] {
  return app.voiceUrl === target.webhooks.agent
    ? []
    : [`its Voice URL is ${app.voiceUrl ?? '(none)'}, the stack sets ${target.webhooks.agent}`];
}

/**
 * The inbound leg the test call caused on the number: direction `inbound`, same `To` and `From`, created no earlier
 * than the test call (Twilio's dates are whole seconds). Twilio does not link the two legs (no `parent_call_sid`
 * is documented for a call to one's own number), so when several match, the earliest after the test call wins.
 */
export function pickInboundLeg(calls: readonly CallLeg[], outbound: CallLeg): CallLeg | undefined {
  const after = (outbound.dateCreated?.getTime() ?? 0) - 1000;
  return calls
    .filter(
      (c) =>
        c.sid !== outbound.sid &&
        c.direction === 'inbound' &&
        c.to === outbound.to &&
        c.from === outbound.from &&
        (c.dateCreated === null || c.dateCreated.getTime() >= after),
    )
    .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))[0];
}

/** The caller (the inbound leg) and the agent (by label) among a conference's participants. */
export function findRoles(
  participants: readonly ParticipantInfo[],
  inboundSid: string,
  agentLabel: string,
): { caller?: ParticipantInfo; agent?: ParticipantInfo } {
  return {
    caller: participants.find((p) => p.callSid === inboundSid),
    agent: participants.find((p) => p.label === agentLabel),
  };
}

/** Why Twilio refused the credentials, for the first request of the run. */
export function credentialsCause(error: unknown): string {
  const e = error instanceof TwilioRequestError ? error : undefined;
  if (e?.status === 401 || e?.code === 20003)
    return 'Twilio answered 401 (20003 Authenticate): TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID with TWILIO_API_KEY_SECRET) are not valid credentials of one account (a rotated Auth Token? an API key of another region?)';
  if (e?.status === 403)
    return `Twilio answered 403 (${e.code ?? '?'}): the credentials may not read phone numbers (a restricted API key?)`;
  if (e?.status === 0) return `Twilio could not be reached: ${e.message}`;
  return `Twilio answered ${e?.status ?? '?'} (${e?.code ?? '?'}): ${e?.message ?? String(error)}`;
}

/** Why Twilio refused the test call (Calls create), with what to do about it. */
export function dialRefusalCause(error: unknown, target: AcceptanceTarget): string {
  const e = error instanceof TwilioRequestError ? error : undefined;
  const said = `Twilio refused the test call: ${e?.code ?? e?.status ?? '?'} ${e?.message ?? String(error)}`;
  switch (e?.code) {
    case 21210:
    case 21212:
      return `${said}. --from ${target.from} must be a number of this account or a verified caller ID (the stack's own number ${target.phoneNumber} works)`;
    case 21211:
      return `${said}. The stack's number ${target.phoneNumber} is not a valid To`;
    case 21215:
    case 13227:
      return `${said}. The account's Voice geographic permissions do not allow calling ${target.phoneNumber}`;
    case 21219:
      return `${said}. A trial account may only call verified numbers`;
    case 20003:
      return `${said}. The credentials may not create calls`;
    case 20429:
    case 22005:
      return `${said}. The account's call queue or rate limit is full: try again later`;
    default:
      return said;
  }
}

/** Error codes the run can meet, with the Error Dictionary's title and the step they point at. */
export const ALERT_CODES: Readonly<Record<string, { readonly title: string; readonly media?: true }>> = {
  '11200': { title: 'HTTP retrieval failure' },
  '11205': { title: 'HTTP connection failure' },
  '11206': { title: 'HTTP protocol violation' },
  '11210': { title: 'HTTP bad host name' },
  '11237': { title: 'Certificate invalid: could not find path to certificate' },
  '12100': { title: 'Document parse failure' },
  '12200': { title: 'Schema validation warning' },
  '12300': { title: 'Invalid Content-Type' },
  '15003': { title: 'Call Progress: Warning Response to Callback URL' },
  '16011': { title: 'Conference Event: Error Response to Callback URL' },
  '31901': { title: 'Stream - WebSocket - Connection Timeout', media: true },
  '31902': { title: 'Stream - WebSocket - Connection Refused', media: true },
  '31903': { title: 'Stream - WebSocket - Connection Broken Pipe', media: true },
  '31920': { title: 'Stream - WebSocket - Handshake Error', media: true },
  '31921': { title: 'Stream - WebSocket - Close Error', media: true },
  '31924': { title: 'Stream - WebSocket - Protocol Error', media: true },
  '64101': { title: 'ConversationRelay - the WebSocket could not be used', media: true },
  '64102': { title: 'ConversationRelay: Unable to Connect to Websocket URL', media: true },
  '64105': { title: 'ConversationRelay - the WebSocket was closed by the server during the call', media: true },
  '64107': { title: 'ConversationRelay - Invalid Message Received', media: true },
};

/** The alerts a run can blame: those on its own SIDs, and others raised during the run on the stack's URLs. */
export interface RelevantAlerts {
  /** On a SID of the test call's family (its legs, the conference, the participants seen). */
  readonly own: readonly AlertInfo[];
  /**
   * Raised during the run about the stack's URLs or a WebSocket, on a SID the run never saw (an agent leg that came
   * and went between two reads); on a busy number these may belong to another call.
   */
  readonly during: readonly AlertInfo[];
}

/** Sorts an account's alerts into those of this run. */
export function relevantAlerts(
  alerts: readonly AlertInfo[],
  sids: ReadonlySet<string>,
  since: Date,
  apiBaseUrl: string,
): RelevantAlerts {
  const base = apiBaseUrl.replace(/\/+$/, '');
  const sinceSecond = Math.floor(since.getTime() / 1000) * 1000;
  const own = alerts.filter((a) => a.resourceSid !== null && sids.has(a.resourceSid));
  const during = alerts.filter(
    (a) =>
      !own.includes(a) &&
      (a.dateGenerated === null || a.dateGenerated.getTime() >= sinceSecond) &&
      a.requestUrl !== null &&
      (a.requestUrl.startsWith(`${base}/`) || /^wss?:\/\//.test(a.requestUrl)),
  );
  return { own, during };
}

/** `Msg` of Twilio's URL-encoded `alert_text` (or all its fields, decoded), else the text itself. */
export function alertMessage(alert: AlertInfo): string {
  const text = alert.alertText.trim();
  if (/^[\w.-]+=/.test(text) && !/\s/.test(text)) {
    const fields = new URLSearchParams(text);
    return fields.get('Msg') ?? [...fields].map(([k, v]) => `${k}=${v}`).join(' ');
  }
  return text;
}

/** An alert fit to print or keep: its URLs without their queries (see {@link withoutQueries}), its text decoded. */
export function sanitizeAlert(alert: AlertInfo): AlertInfo {
  return {
    ...alert,
    requestUrl: alert.requestUrl === null ? null : withoutQueries(alert.requestUrl),
    alertText: withoutQueries(alertMessage(alert)),
  };
}

/**
 * URLs with their query strings left out: the stack's signed URLs carry the caller's number and CallToken (a
 * secret in logs), so an alert about them is printed without them.
 */
export function withoutQueries(text: string): string {
  return text.replace(/\b((?:https?|wss?):\/\/[^\s?#]+)[?#][^\s]*/g, '$1?…');
}

/** One line naming an alert: code, title, the URL it is about, Twilio's text (URLs without their queries). */
export function describeAlert(alert: AlertInfo): string {
  const title = ALERT_CODES[alert.errorCode]?.title ?? 'see the Error Dictionary';
  const where = alert.requestUrl ? ` on ${withoutQueries(alert.requestUrl)}` : '';
  return `${alert.errorCode} ${title}${where} (${alert.logLevel}${alert.resourceSid ? `, ${alert.resourceSid}` : ''}): ${withoutQueries(alertMessage(alert)).slice(0, 300)}`;
}

/** What the run saw before it stopped, for the diagnosis. */
export interface Evidence {
  /** The first step that did not pass when the run stopped following the call. */
  readonly step: StepId;
  /** What the run itself saw (time-out, the call ended, the agent left...). */
  readonly observed: string;
  readonly alerts: RelevantAlerts;
  readonly target: AcceptanceTarget;
}

/** The step to blame and the likeliest cause, Twilio's alerts first, then what the run saw. */
export function diagnose(evidence: Evidence): { step: StepId; cause: string; alerts: readonly AlertInfo[] } {
  const { target } = evidence;
  const errors = (list: readonly AlertInfo[]) => list.filter((a) => a.logLevel === 'error');
  const candidates = [...errors(evidence.alerts.own), ...errors(evidence.alerts.during)];
  const onUrl = (url: string) => candidates.filter((a) => a.requestUrl?.split('?')[0] === url);
  const tied = (a: AlertInfo) =>
    evidence.alerts.own.includes(a) ? '' : ' (raised during the test on the stack, not tied to its SIDs)';
  const media = candidates.filter((a) => ALERT_CODES[a.errorCode]?.media);
  const inbound = onUrl(target.webhooks.inbound);
  const agent = onUrl(target.webhooks.agent);
  // 15003 is logged as a warning (its page: "Call Progress: Warning Response to Callback URL"), yet it is a failed
  // callback of the stack's: counted like 16011.
  const callbacks = [
    ...candidates.filter((a) => a.errorCode === '16011'),
    ...[...evidence.alerts.own, ...evidence.alerts.during].filter((a) => a.errorCode === '15003'),
  ];

  if (inbound.length > 0 && ['answered', 'inbound'].includes(evidence.step)) {
    const a = inbound[0];
    return {
      step: 'inbound',
      cause: `the inbound webhook failed: ${describeAlert(a)}${tied(a)}. Twilio fell back to the number's fallback URL, so nobody put the caller into a conference: see the inbound function's logs`,
      alerts: inbound,
    };
  }
  if (agent.length > 0 && ['agentJoined', 'agentMedia'].includes(evidence.step)) {
    const a = agent[0];
    return {
      step: 'agentJoined',
      cause: `the agent webhook failed: ${describeAlert(a)}${tied(a)}. The agent leg got the App's fallback (hang up), so no agent joined: see the agent function's logs`,
      alerts: agent,
    };
  }
  if (media.length > 0 && ['agentJoined', 'agentMedia'].includes(evidence.step)) {
    const a = media[0];
    return {
      step: 'agentMedia',
      cause: `the agent's WebSocket failed: ${describeAlert(a)}${tied(a)}. The agent webhook answered, but Twilio could not keep a media session with the agent service: is it running and reachable at its wss:// URL (config agentStreamUrl)?`,
      alerts: media,
    };
  }
  if (callbacks.length > 0 && evidence.step === 'agentJoined') {
    const a = callbacks[0];
    return {
      step: 'agentJoined',
      cause: `a status callback of the stack failed: ${describeAlert(a)}${tied(a)}. The events function adds the agent when the caller joins: see its logs`,
      alerts: callbacks,
    };
  }
  const other = candidates[0];
  const hint = other ? `; Twilio's alert: ${describeAlert(other)}${tied(other)}` : '; Twilio logged no alert about it';
  return { step: evidence.step, cause: `${evidence.observed}${hint}`, alerts: other ? [other] : [] };
}

/** Why the participants API's answer fails the check. */
export function participantsApiCause(
  status: number,
  labels: readonly (string | null)[],
  target: AcceptanceTarget,
): string | undefined {
  if (status === 401 || status === 403)
    return `the participants API answered ${status}: the token is not the stack's (pulumi stack output --stack ${target.stack} --show-secrets participantsApiToken)`;
  if (status === 404)
    return 'the participants API answered 404 for the conference: does it use the same Twilio account as the number?';
  if (status >= 500) return `the participants API answered ${status}: see the participants function's logs`;
  if (status !== 200) return `the participants API answered ${status}`;
  const missing = [target.callerLabel, target.agentLabel].filter((l) => !labels.includes(l));
  return missing.length > 0
    ? `the participants API lists ${labels.map(String).join(', ') || 'nobody'}, not ${missing.join(' and ')}`
    : undefined;
}
