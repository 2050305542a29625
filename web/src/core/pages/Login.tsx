import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, type Principal } from '../api';
import { t } from '../i18n';
import { Notice } from '../util';

export function Login({ onDone, langButton }: { onDone: (p: Principal) => void; langButton: ComponentChildren }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.post('/login', { body: { login, password } });
      onDone(await api.get('/session'));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login">
      <form onSubmit={submit} class="card">
        <div class="login-head">
          <h1>{t('app_name')}</h1>
          {langButton}
        </div>
        <p class="muted">{t('app_sub')}</p>
        <label>
          {t('login')}
          <input name="login" autocomplete="username" dir="ltr" value={login} onInput={(e) => setLogin(e.currentTarget.value)} required />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            dir="ltr"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        <Notice kind="error">{error}</Notice>
        <button type="submit" disabled={busy}>
          {t('sign_in')}
        </button>
      </form>
    </div>
  );
}
