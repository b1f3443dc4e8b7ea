// Sign-in / register form shared by the web client and the dashboard.
// Props: onSignedIn(user) after a successful sign-in or registration; optional title and note.
import { useState } from 'preact/hooks';
import type { UserProfile } from '@actors/sdk';
import { errorMessage, register, signIn } from './auth';

export interface SignInFormProps {
  onSignedIn: (user: UserProfile) => void;
  /** Heading above the form (default "Sign in" / "Create an account"). */
  title?: string;
  /** Allow switching to registration (default true). */
  allowRegister?: boolean;
}

export function SignInForm({ onSignedIn, title, allowRegister = true }: SignInFormProps) {
  const [mode, setMode] = useState<'signin' | 'register'>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const registering = mode === 'register';

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = registering
        ? await register(email.trim(), password, displayName.trim() || email.trim().split('@')[0]!)
        : await signIn(email.trim(), password);
      onSignedIn(user);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card auth-form" data-testid="signin-form" onSubmit={submit}>
      <h2>{title ?? (registering ? 'Create an account' : 'Sign in')}</h2>
      <label>
        Email
        <input type="email" name="email" autocomplete="username" required value={email}
          data-testid="signin-email" onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      {registering && (
        <label>
          Display name
          <input type="text" name="displayName" maxLength={100} value={displayName}
            data-testid="signin-displayname" onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
      )}
      <label>
        Password
        <input type="password" name="password" required minLength={registering ? 8 : undefined}
          autocomplete={registering ? 'new-password' : 'current-password'} value={password}
          data-testid="signin-password" onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && <p class="error" role="alert" data-testid="signin-error">{error}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy} data-testid="signin-submit">
          {busy ? 'Please wait…' : registering ? 'Register' : 'Sign in'}
        </button>
        {allowRegister && (
          <button type="button" class="link" data-testid="signin-mode-toggle"
            onClick={() => { setMode(registering ? 'signin' : 'register'); setError(null); }}>
            {registering ? 'I have an account' : 'Create an account'}
          </button>
        )}
      </div>
    </form>
  );
}
