// The operator dashboard (/dashboard): sign-in, then a live view of the cluster from the operator
// hub (/hubs/dashboard) and the operator REST endpoints (/api/admin/*). See docs/dashboard.md.
import { render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type UserProfile } from '@actors/sdk';
import 'uplot/dist/uPlot.min.css';
import '../shared/base.css';
import './dashboard.css';
import { errorMessage, loadCurrentUser, onSignedInChange, rest, signOut as forgetTokens } from '../shared/auth';
import { SignInForm } from '../shared/SignInForm';
import { probeOperator } from './admin';
import { DashboardFeed, type ConnectionState, type FeedState } from './feed';
import { Overview } from './Overview';
import { Grains } from './Grains';
import { Silos } from './Silos';
import { Reminders } from './Reminders';
import { Logs } from './Logs';
import { GrainState } from './GrainState';

type Phase = 'signed-out' | 'checking' | 'operators-only' | 'ready' | 'error';

const tabs = [
  { id: 'overview', label: 'Overview' },
  { id: 'grains', label: 'Grain types' },
  { id: 'silos', label: 'Silos' },
  { id: 'reminders', label: 'Reminders' },
  { id: 'logs', label: 'Logs' },
  { id: 'state', label: 'Grain state' },
] as const;
type TabId = (typeof tabs)[number]['id'];

interface Route { tab: TabId; arg: string }

function readRoute(): Route {
  const [tab = '', ...parts] = location.hash.replace(/^#\/?/, '').split('/');
  const known = tabs.find((t) => t.id === tab);
  return { tab: known ? known.id : 'overview', arg: parts.map(decodeURIComponent).join('/') };
}

function useRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const onChange = () => setRoute(readRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function navigate(tab: TabId, arg = '') {
  location.hash = `#/${tab}${arg ? `/${encodeURIComponent(arg)}` : ''}`;
}

const connectionLabels: Record<ConnectionState, string> = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  disconnected: 'disconnected',
  forbidden: 'disconnected',
  unauthorized: 'disconnected',
};

function ConnectionPill({ state, error, onReconnect }: { state: ConnectionState; error: string | null; onReconnect: () => void }) {
  const label = connectionLabels[state];
  return (
    <span class="connection">
      <span class={`pill pill-${label}`} data-testid="dash-connection-state" data-state={label}
        title={error ?? (label === 'live' ? 'Receiving a sample every second' : '')}>
        <span class="dot" />{label}
      </span>
      {label === 'disconnected' && <button type="button" class="small" onClick={onReconnect} data-testid="dash-reconnect">Reconnect</button>}
    </span>
  );
}

function Header({ me, onSignOut, children }: { me: UserProfile | null; onSignOut: () => void; children?: ComponentChildren }) {
  return (
    <header class="topbar">
      <div class="brand">Actors <span class="muted">operator dashboard</span></div>
      <div class="topbar-right">
        {children}
        {me && <span class="user" data-testid="dash-user">{me.displayName} <span class="muted">({me.email})</span></span>}
        <button type="button" class="small" onClick={onSignOut} data-testid="dash-sign-out">Sign out</button>
      </div>
    </header>
  );
}

function Dashboard({ me, onForbidden, onSignOut }: { me: UserProfile | null; onForbidden: () => void; onSignOut: () => void }) {
  const route = useRoute();
  const [feed, setFeed] = useState<DashboardFeed | null>(null);
  const [state, setState] = useState<FeedState | null>(null);

  useEffect(() => {
    const f = new DashboardFeed(rest);
    setFeed(f);
    f.subscribe((s) => {
      setState(s);
      if (s.connection === 'forbidden') onForbidden();
      if (s.connection === 'unauthorized') onSignOut();
    });
    void f.start();
    return () => { void f.stop(); };
  }, []);

  if (!state || !feed) return null;
  const snapshot = state.snapshot;
  const latest = snapshot?.point ?? state.history[state.history.length - 1];
  const errorCount = state.logs.filter((l) => l.level !== 'Warning').length;

  let body;
  switch (route.tab) {
    case 'grains':
      body = <Grains grainTypes={snapshot?.grainTypes} methods={snapshot?.methods} onInspect={(t) => navigate('state', t)} />;
      break;
    case 'silos':
      body = <Silos silos={snapshot?.silos} />;
      break;
    case 'reminders':
      body = <Reminders />;
      break;
    case 'logs':
      body = <Logs logs={state.logs} />;
      break;
    case 'state':
      body = <GrainState grainTypes={(snapshot?.grainTypes ?? []).map((g) => g.grainType)} initialType={route.arg} />;
      break;
    default:
      body = <Overview history={state.history} latest={latest} />;
  }

  return (
    <div class="app">
      <Header me={me} onSignOut={onSignOut}>
        <ConnectionPill state={state.connection} error={state.error} onReconnect={() => void feed.start()} />
      </Header>
      <nav class="tabs" data-testid="dash-tabs">
        {tabs.map((t) => (
          <a key={t.id} href={`#/${t.id}`} class={route.tab === t.id ? 'active' : ''} data-testid={`tab-${t.id}`}>
            {t.label}
            {t.id === 'logs' && errorCount > 0 && <span class="badge">{errorCount}</span>}
          </a>
        ))}
      </nav>
      {state.connection !== 'live' && state.error && (
        <p class="error banner" role="alert" data-testid="dash-connection-error">
          {state.connection === 'reconnecting' ? 'Connection lost; reconnecting… ' : 'Not connected: '}{state.error}
        </p>
      )}
      <main class="content">{body}</main>
    </div>
  );
}

function OperatorsOnly({ me, onSignOut }: { me: UserProfile | null; onSignOut: () => void }) {
  return (
    <main class="centered">
      <section class="card signin" data-testid="operators-only">
        <h1>Operators only</h1>
        <p>
          {me ? <>You are signed in as <b>{me.email}</b>, which does not have the operator role.</> : 'Your account does not have the operator role.'}
          {' '}The dashboard shows cluster internals and is open to operators only.
        </p>
        <p class="muted">Ask an administrator for the operator role, or sign in with an operator account.</p>
        <div class="row">
          <button type="button" class="primary" onClick={onSignOut} data-testid="operators-only-sign-out">Sign in as someone else</button>
          <a class="button" href="/">Open the web client</a>
        </div>
      </section>
    </main>
  );
}

function App() {
  const [phase, setPhase] = useState<Phase>(rest.isSignedIn ? 'checking' : 'signed-out');
  const [me, setMe] = useState<UserProfile | null>(null);
  const [error, setError] = useState<string | null>(null);

  const check = async () => {
    setPhase('checking');
    setError(null);
    try {
      const profile = await loadCurrentUser();
      if (!profile) { setPhase('signed-out'); return; }
      setMe(profile);
      await probeOperator();
      setPhase('ready');
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) setPhase('operators-only');
      else if (e instanceof ApiError && e.status === 401) { rest.setTokens(null); setPhase('signed-out'); }
      else { setError(errorMessage(e)); setPhase('error'); }
    }
  };

  const signOut = async () => {
    setPhase('signed-out');
    setMe(null);
    await forgetTokens();
  };

  useEffect(() => {
    if (phase === 'checking') void check();
    return onSignedInChange((signedIn) => {
      if (!signedIn) { setMe(null); setPhase('signed-out'); }
    });
  }, []);

  switch (phase) {
    case 'signed-out':
      return (
        <main class="signin-page">
          <h1 class="signin-brand">Actors <span class="muted">operator dashboard</span></h1>
          <SignInForm title="Operator sign-in" onSignedIn={() => void check()} />
        </main>
      );
    case 'checking':
      return <main class="centered"><p class="muted" data-testid="dash-checking">Checking your access…</p></main>;
    case 'operators-only':
      return <OperatorsOnly me={me} onSignOut={signOut} />;
    case 'error':
      return (
        <main class="centered">
          <section class="card signin">
            <h1>Cannot reach the server</h1>
            <p class="error" role="alert" data-testid="dash-error">{error}</p>
            <div class="row">
              <button type="button" class="primary" onClick={() => void check()}>Try again</button>
              <button type="button" onClick={signOut}>Sign out</button>
            </div>
          </section>
        </main>
      );
    default:
      return <Dashboard me={me} onForbidden={() => setPhase('operators-only')} onSignOut={signOut} />;
  }
}

render(<App />, document.getElementById('root')!);
