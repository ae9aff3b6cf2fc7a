import { api, toApiError } from '../api/client';
import { TicketError } from './connection';

interface TicketResponse {
  ticket: string;
  expires_in: number;
}

/**
 * A single-use terminal ticket (30 s, bound to this user and the address the exporter sees) from
 * POST api/terminal/ticket, through the plugin proxy's Admin route with the admin token (which needs
 * the `terminal` scope). Network trouble is worth a retry; a refusal is not.
 */
export async function requestTicket(): Promise<string> {
  try {
    const r = await api<TicketResponse>('terminal/ticket', { method: 'POST' });
    return r.ticket;
  } catch (e) {
    const err = toApiError(e);
    switch (err.kind) {
      case 'network':
      case 'server':
        return Promise.reject(new TicketError(err.message, true));
      case 'not-found':
        return Promise.reject(new TicketError(`the web terminal is turned off (${err.message})`, false));
      case 'forbidden':
        return Promise.reject(
          new TicketError(
            err.code === 'route_denied'
              ? 'only Grafana admins may open the terminal'
              : `the app's admin token lacks the terminal scope (${err.message})`,
            false,
          ),
        );
      case 'unauthorized':
        return Promise.reject(
          new TicketError(`the exporter refused the app's admin token (${err.message})`, false),
        );
      default:
        return Promise.reject(new TicketError(err.message, false));
    }
  }
}
