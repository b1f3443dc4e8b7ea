// The operator hub and operator REST contract (docs/dashboard.md). JSON camelCase, ISO-8601 times.

export interface DashboardPoint {
  at: string;
  silos: number;
  activations: number;
  callsPerSecond: number;
  errorsPerSecond: number;
  /** errors / calls over the interval, 0..1 */
  errorRate: number;
  meanMs: number;
  p99Ms: number;
  connections: number;
  openSessions: number;
}

export interface SiloRow {
  address: string;
  name: string;
  status: string;
  gatewayPort: number;
  startedAt: string;
  uptimeSeconds: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  activations: number | null;
  activationsByType: Record<string, number>;
  answered: boolean;
}

export interface GrainTypeRow {
  grainType: string;
  activations: number;
  callsPerSecond: number;
  errorsPerSecond: number;
  meanMs: number;
  p99Ms: number;
  totalCalls: number;
  totalErrors: number;
}

export interface MethodRow {
  grainType: string;
  interface: string;
  method: string;
  callsPerSecond: number;
  errorsPerSecond: number;
  meanMs: number;
  p99Ms: number;
  totalCalls: number;
  totalErrors: number;
}

export interface DashboardSnapshot {
  point: DashboardPoint;
  silos: SiloRow[];
  grainTypes: GrainTypeRow[];
  methods: MethodRow[];
}

export type LogLevel = 'Warning' | 'Error' | 'Critical';

export interface LogEntry {
  id: number;
  at: string;
  level: LogLevel | string;
  category: string;
  eventId: number;
  message: string;
  exception: string | null;
  source: string;
}

export interface ReminderRow {
  grainType: string;
  grainKey: string;
  name: string;
  startAt: string;
  periodSeconds: number;
}

export interface ReminderList {
  items: ReminderRow[];
  truncated: boolean;
}

export interface GrainStateEntry {
  name: string;
  storage: string;
  exists: boolean;
  eTag: string | null;
  schemaVersion: number | null;
  /** The stored document as a string; null when no record exists. */
  json: string | null;
}

export interface GrainStateResult {
  grainType: string;
  key: string;
  states: GrainStateEntry[];
}

export interface DeactivateResult {
  grainType: string;
  key: string;
  deactivated: boolean;
  silo: string | null;
}

export interface DrainResult {
  address: string;
  status: string;
}
