/** {@link ParticipantsApi} over HTTP: the stack's own API, called as an integrator calls it (bearer token). */
import { API_PATHS } from '../routes';
import type { ParticipantsApi } from './records';

/** The participants API under `apiBaseUrl`, authenticated with `token` (never echoed anywhere). */
export function participantsApi(apiBaseUrl: string, token: string, timeoutMs = 15_000): ParticipantsApi {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return {
    async list(conference) {
      const url = base + API_PATHS.participants.replace('{conference}', encodeURIComponent(conference));
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.status !== 200) return { status: response.status, labels: [] };
      let body: { participants?: { label?: string | null }[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return { status: response.status, labels: [] };
      }
      return { status: 200, labels: (body.participants ?? []).map((p) => p.label ?? null) };
    },
  };
}
