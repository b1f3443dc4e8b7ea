/** Wire types of DESIGN §5/§6 (JSON camelCase). Timestamps are ISO-8601 strings. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface UserProfile { id: string; email: string; displayName: string; roles: string[]; createdAt: string }
export interface UserCard { id: string; displayName: string; presence: { status: string; lastSeenAt: string | null } }
export interface AuthTokens { user?: UserProfile; accessToken: string; refreshToken: string; expiresIn: number }

export type Visibility = 'private' | 'public';
export type Role = 'owner' | 'member' | 'viewer';
export interface SessionMember { userId: string; role: Role | string }
export interface Session {
  id: string; title: string; visibility: Visibility | string; status: 'open' | 'closed' | string;
  ownerId: string; createdAt: string; lastSeq: number; members: SessionMember[];
}
export interface Page<T> { items: T[]; nextCursor?: string | null }

export interface SessionEvent<P = Json> { seq: number; type: string; authorId: string | null; payload: P; at: string }
export interface PublishAck { seq: number; at: string }
export interface EventList { items: SessionEvent[]; lastSeq: number }

export interface PresenceEntry { userId: string; displayName: string; status: string; connections: number; meta: Json | null }
export interface PresenceDiff { joined: PresenceEntry[]; left: string[]; updated: PresenceEntry[] }

export interface ResourceLock { lockedBy: string; expiresAt: string }
export interface Resource<D = Json> {
  id: string; sessionId: string; name: string; kind: string; data: D; version: number;
  updatedBy: string; updatedAt: string; lock: ResourceLock | null;
}
export interface ResourceVersion<D = Json> { version: number; data: D; updatedBy: string; updatedAt: string }
export interface ResourceChange<D = Json> extends ResourceVersion<D> { deleted?: boolean }

export interface SessionJoin {
  session: Session; presence: { items: PresenceEntry[] }; events: SessionEvent[]; lastSeq: number; gap: boolean;
}
export interface ResyncNotice { reason: string; lastSeq: number }
