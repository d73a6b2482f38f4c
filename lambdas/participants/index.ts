/**
 * The participants API: an authenticated JSON endpoint to add the agent or humans to a conference, hold, mute
 * or remove them, run cold and warm transfers, and let supervisors listen, whisper or barge in. Errors are JSON with a stable `code`.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  once,
  readApiAuthConfig,
  readContextAllowlist,
  readDialConfig,
  readTransferConfig,
  readTwilioConfig,
  readWebhookConfig,
} from '../shared/config';
import { ConferenceOperations } from '../shared/conference-ops';
import { ApiError, toApiError } from '../shared/errors';
import { emptyResponse, jsonResponse, parseEvent, type HttpRequest, type HttpResponse } from '../shared/http';
import { rootLogger, type Logger } from '../shared/log';
import { twilioClientFor } from '../shared/runtime';
import { secrets } from '../shared/secrets';
import { routeUrl } from '../shared/signature';
import { describeError } from '../shared/webhook';
import { API_PATHS, routeKey, TWILIO_PATHS } from '../routes';
import { AUTH_MESSAGES, type AuthFailure, readBearerToken, tokenMatches } from './auth';
import {
  parseAddCommand,
  parseAddSupervisorCommand,
  parseCancelTransferCommand,
  parseCompleteTransferCommand,
  parseConferencePath,
  parseJsonObject,
  parseParticipantPath,
  parseSupervisorModeCommand,
  parseTransferCommand,
  parseUpdateCommand,
} from './requests';
import { cancelWarmTransfer, completeWarmTransfer, startTransfer } from '../shared/transfer';
import {
  addParticipant,
  listParticipants,
  removeParticipant,
  updateParticipant,
  type ServiceSettings,
} from './service';
import { addSupervisor, changeSupervisorMode } from './supervisors';

const loadConfig = once(() => ({
  twilio: readTwilioConfig(process.env),
  webhook: readWebhookConfig(process.env),
  dial: readDialConfig(process.env),
  auth: readApiAuthConfig(process.env),
  contextAllowlist: readContextAllowlist(process.env),
  transfer: readTransferConfig(process.env),
}));

type Config = ReturnType<typeof loadConfig>;

async function route(request: HttpRequest, config: Config, log: Logger): Promise<HttpResponse> {
  const key = request.routeKey;
  const conference = parseConferencePath(request.pathParameters.conference);
  const body = parseJsonObject(request.body, request.headers['content-type']);
  const ops = new ConferenceOperations(await twilioClientFor(config.twilio, log), log, {
    budgetMs: config.dial.retryBudgetMs,
  });
  const settings: ServiceSettings = {
    dial: config.dial,
    transfer: config.transfer,
    eventsUrl: routeUrl(request, config.webhook, TWILIO_PATHS.events),
    legStatusUrl: routeUrl(request, config.webhook, TWILIO_PATHS.legStatus),
  };

  switch (key) {
    case routeKey({ method: 'POST', path: API_PATHS.participants }):
      return jsonResponse(
        201,
        await addParticipant(ops, conference, parseAddCommand(body, config.dial, config.contextAllowlist), settings),
      );
    case routeKey({ method: 'GET', path: API_PATHS.participants }):
      return jsonResponse(200, await listParticipants(ops, conference));
    case routeKey({ method: 'PATCH', path: API_PATHS.participant }):
      return jsonResponse(
        200,
        await updateParticipant(
          ops,
          conference,
          parseParticipantPath(request.pathParameters.participant),
          parseUpdateCommand(body),
        ),
      );
    case routeKey({ method: 'DELETE', path: API_PATHS.participant }):
      await removeParticipant(ops, conference, parseParticipantPath(request.pathParameters.participant));
      return emptyResponse(204);
    case routeKey({ method: 'POST', path: API_PATHS.transfers }):
      return jsonResponse(
        201,
        await startTransfer(ops, conference, parseTransferCommand(body, config.dial), settings, log),
      );
    case routeKey({ method: 'POST', path: API_PATHS.transferCompletion }):
      parseCompleteTransferCommand(body);
      return jsonResponse(200, await completeWarmTransfer(ops, conference, settings));
    case routeKey({ method: 'POST', path: API_PATHS.transferCancellation }):
      return jsonResponse(
        200,
        await cancelWarmTransfer(ops, conference, parseCancelTransferCommand(body, config.dial), settings),
      );
    case routeKey({ method: 'POST', path: API_PATHS.supervisors }):
      return jsonResponse(
        201,
        await addSupervisor(ops, conference, parseAddSupervisorCommand(body, config.dial), config.dial),
      );
    case routeKey({ method: 'PATCH', path: API_PATHS.supervisor }): {
      const supervisor = parseParticipantPath(request.pathParameters.participant);
      return jsonResponse(
        200,
        await changeSupervisorMode(
          ops,
          conference,
          supervisor,
          parseSupervisorModeCommand(body, config.dial, supervisor),
          config.dial,
        ),
      );
    }
    default:
      throw new ApiError(404, 'route_not_found', `No route ${key.slice(0, 200)}`);
  }
}

export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  const request = parseEvent(event);
  const log = rootLogger().child({ handler: 'participants', requestId: request.requestId, route: request.routeKey });
  let config: Config;
  let failure: AuthFailure | undefined;
  try {
    config = loadConfig();
    // Resolved before looking at the request, so a misconfigured secret shows as a 500 whatever is sent.
    await secrets.accepted(config.auth.token);
    const presented = readBearerToken(request.headers, request.rawQueryString);
    if ('failure' in presented) failure = presented.failure;
    // A well-formed token that matches none we hold may be a rotated one: verify refetches once (paced, shared).
    else if (!(await secrets.verify(config.auth.token, (tokens) => tokenMatches(presented.token, tokens))))
      failure = 'wrong';
  } catch (error) {
    log.error('configuration unavailable', { error: describeError(error) });
    return jsonResponse(500, new ApiError(500, 'misconfigured', 'Service misconfigured').toBody());
  }

  if (failure) {
    log.warn('unauthorised request', { reason: failure });
    return jsonResponse(401, new ApiError(401, 'unauthorized', AUTH_MESSAGES[failure]).toBody(), {
      'www-authenticate': 'Bearer',
    });
  }

  const routeLog = log.child({ conference: request.pathParameters.conference });
  try {
    const response = await route(request, config, routeLog);
    log.info('request served', { status: response.statusCode });
    return response;
  } catch (error) {
    const apiError = toApiError(error);
    const logFields = { status: apiError.status, code: apiError.code, error: describeError(error) };
    if (apiError.status >= 500) log.error('request failed', logFields);
    else log.info('request refused', logFields);
    return jsonResponse(apiError.status, apiError.toBody());
  }
}
