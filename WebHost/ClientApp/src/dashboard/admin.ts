// The operator REST endpoints (/api/admin/*, docs/dashboard.md).
import { rest } from '../shared/auth';
import type { DeactivateResult, DrainResult, GrainStateResult, ReminderList } from './types';

const enc = encodeURIComponent;

export async function probeOperator(): Promise<void> {
  await rest.request('GET', '/api/admin/cluster');
}

export async function getReminders(limit = 200): Promise<ReminderList> {
  return (await rest.request<ReminderList>('GET', '/api/admin/reminders', { query: { limit } })).body;
}

export async function getGrainState(grainType: string, key: string): Promise<GrainStateResult> {
  return (await rest.request<GrainStateResult>('GET', `/api/admin/grains/${enc(grainType)}/${enc(key)}/state`)).body;
}

export async function deactivateGrain(grainType: string, key: string): Promise<DeactivateResult> {
  return (await rest.request<DeactivateResult>('POST', `/api/admin/grains/${enc(grainType)}/${enc(key)}/deactivate`)).body;
}

export async function drainSilo(address: string): Promise<DrainResult> {
  return (await rest.request<DrainResult>('POST', `/api/admin/silos/${enc(address)}/drain`)).body;
}

export { errorMessage as describeError } from '../shared/auth';
