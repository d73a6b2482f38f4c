/** Parses the query strings the stack itself puts on the events route's callback URLs. */
import { STACK_PARAMETERS } from '../shared/agent-context';

/** What the events route's query carries: the caller's context, or a cold transfer to finish. */
export type EventsQuery =
  | {
      readonly action: 'conference';
      readonly caller?: string;
      readonly callerCallSid?: string;
      /** The inbound call's CallToken (a secret: never logged). */
      readonly callToken?: string;
    }
  | { readonly action: 'complete-cold-transfer'; readonly conferenceSid: string; readonly agentLabel: string };

const CONFERENCE_SID = /^CF[0-9a-fA-F]{32}$/;
const LABEL = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Reads the events route's query; anything unexpected counts as a plain conference callback. */
export function parseEventsQuery(rawQueryString: string): EventsQuery {
  const query = new URLSearchParams(rawQueryString);
  if (query.get('action') === 'complete-cold-transfer') {
    const conferenceSid = query.get('conferenceSid') ?? '';
    const agentLabel = query.get('agentLabel') ?? '';
    if (CONFERENCE_SID.test(conferenceSid) && LABEL.test(agentLabel))
      return { action: 'complete-cold-transfer', conferenceSid, agentLabel };
  }
  return {
    action: 'conference',
    caller: query.get('caller') ?? undefined,
    callerCallSid: query.get('callerCallSid') ?? undefined,
    callToken: query.get(STACK_PARAMETERS.callToken) || undefined,
  };
}

/** The query that asks the events route to remove the agent once a cold transfer's human answers. */
export function coldTransferQuery(conferenceSid: string, agentLabel: string): string {
  return new URLSearchParams({ action: 'complete-cold-transfer', conferenceSid, agentLabel }).toString();
}
