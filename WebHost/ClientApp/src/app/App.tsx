// The web client: sign-in, my sessions, a live session view. Hash routes (see router.ts).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { UserProfile } from '@actors/sdk';
import { currentUser, errorMessage, loadCurrentUser, onAuthChange, rest, signOut } from '../shared/auth';
import { SignInForm } from '../shared/SignInForm';
import { rememberName } from './names';
import { useConnectionState, connectionError } from './realtime';
import { navigate, useRoute } from './router';
import { SessionsView } from './SessionsView';
import { SessionView } from './SessionView';

type Boot = { phase: 'loading' } | { phase: 'ready' } | { phase: 'failed'; error: string };

export function App() {
  const route = useRoute();
  const [user, setUser] = useState<UserProfile | null>(currentUser());
  const [boot, setBoot] = useState<Boot>(rest.isSignedIn ? { phase: 'loading' } : { phase: 'ready' });

  useEffect(() => onAuthChange(setUser), []);

  useEffect(() => {
    if (!rest.isSignedIn) return;
    loadCurrentUser().then(
      () => setBoot({ phase: 'ready' }),
      (error) => setBoot({ phase: 'failed', error: errorMessage(error) }));
  }, []);

  useEffect(() => { if (user) rememberName(user.id, user.displayName); }, [user?.id, user?.displayName]);

  if (boot.phase === 'loading') return <Shell user={null}><p class="muted page">Loading…</p></Shell>;
  if (boot.phase === 'failed') {
    return (
      <Shell user={null}>
        <div class="page">
          <p class="error" data-testid="app-error">Could not load your profile: {boot.error}</p>
          <button onClick={() => location.reload()}>Retry</button>
        </div>
      </Shell>
    );
  }

  if (!user) {
    return (
      <Shell user={null}>
        <SignInForm onSignedIn={() => { if (route.name === 'login') navigate('#/sessions'); }} />
      </Shell>
    );
  }

  let body;
  switch (route.name) {
    case 'login':
      body = <Redirect to="#/sessions" />;
      break;
    case 'sessions':
      body = <SessionsView user={user} />;
      break;
    case 'session':
      body = <SessionView user={user} sessionId={route.sessionId} resourceId={route.resourceId} />;
      break;
    default:
      body = (
        <div class="page">
          <p class="warning">There is no page at “{route.path}”.</p>
          <a href="#/sessions">Go to my sessions</a>
        </div>
      );
  }
  return <Shell user={user}>{body}</Shell>;
}

function Shell({ user, children }: { user: UserProfile | null; children: ComponentChildren }) {
  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/sessions">Actors</a>
        {user && <a href="#/sessions" data-testid="nav-sessions">My sessions</a>}
        <span class="spacer" />
        {user && <ConnectionIndicator />}
        {user && (
          <span class="user" data-testid="current-user" title={user.email}>{user.displayName}</span>
        )}
        {user && (
          <button data-testid="sign-out" onClick={async () => { await signOut(); navigate('#/login'); }}>Sign out</button>
        )}
      </header>
      <main>{children}</main>
    </>
  );
}

const stateLabels: Record<string, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  resynced: 'resynced',
  disconnected: 'disconnected',
};

function ConnectionIndicator() {
  const state = useConnectionState();
  const error = connectionError();
  return (
    <span class={`conn conn-${state}`} data-testid="connection-state" data-state={state}
      title={error ? `realtime: ${state} (${error})` : `realtime: ${state}`}>
      <span class="dot" aria-hidden="true" />
      {stateLabels[state] ?? state}
    </span>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to), [to]);
  return null;
}
