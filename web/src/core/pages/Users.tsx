import { useState } from 'preact/hooks';
import { api, ApiError, type Answer, type Principal } from '../api';
import { date, lang, t } from '../i18n';
import { CsvButton, Problem, Spinner, useLoad, ListTable, Notice } from '../util';
import { AuditTable } from './Audit';
import { Form, confirmFirst } from '../forms';

type Role = Answer<'/roles'>[number];

function History({ login }: { login: string }) {
  const r = useLoad(() => api.get('/users/{login}/history', { path: { login } }), [login]);
  return (
    <div class="history">
      <h3>
        {t('record_history')} — {login}
      </h3>
      <Problem error={r.error} />
      {r.data && <AuditTable entries={r.data} />}
    </div>
  );
}

function AddUser({ roles, onDone }: { roles: Role[]; onDone: () => void }) {
  const [u, setU] = useState({ login: '', full_name: '', role: roles[0]?.role ?? '', scope: '', password: '' });
  const set = (k: string) => (e: Event) => setU({ ...u, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <Form
      class="card form"
      submit={t('save')}
      action={async () => {
        await api.post('/users', { body: u });
        onDone();
      }}
    >
      <h2>{t('add_user')}</h2>
      <label>
        {t('login')}
        <input name="login" dir="ltr" value={u.login} onInput={set('login')} required />
      </label>
      <label>
        {t('full_name')}
        <input name="full_name" value={u.full_name} onInput={set('full_name')} required />
      </label>
      <label>
        {t('role')}
        <select name="role" value={u.role} onChange={set('role')}>
          {roles.map((r) => (
            <option value={r.role}>{lang.get() === 'ar' ? r.ar : r.fr}</option>
          ))}
        </select>
      </label>
      <label>
        {t('scope')}
        <input name="scope" dir="ltr" value={u.scope} onInput={set('scope')} placeholder={t('scope_hint')} required />
      </label>
      <label>
        {t('password')}
        <input name="password" type="password" autocomplete="new-password" dir="ltr" value={u.password} onInput={set('password')} required />
      </label>
    </Form>
  );
}

export function UsersPage({ me }: { me: Principal }) {
  const users = useLoad(() => api.get('/users'), []);
  const roles = useLoad(() => api.get('/roles'), []);
  const [open, setOpen] = useState('');
  const [pw, setPw] = useState<{ login: string; value: string } | null>(null);
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const roleLabel = (r: string) => {
    const x = roles.data?.find((y) => y.role === r);
    return x ? (lang.get() === 'ar' ? x.ar : x.fr) : r;
  };
  const act = async (fn: () => Promise<unknown>) => {
    setMsg('');
    setError('');
    try {
      await fn();
      setMsg(t('saved'));
      users.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <section>
      <h1>{t('users_title')}</h1>
      <Spinner on={users.loading && !users.data} />
      <Problem error={users.error} />
      <Notice kind="ok">{msg}</Notice>
      <Notice kind="error">{error}</Notice>
      {users.data && (
        <p class="actions">
          <CsvButton table="users" name="users" />
        </p>
      )}
      {users.data && (
        <ListTable testid="users" headings={['login', 'full_name', 'role', 'scope', 'status', 'created_at', '']}>
        {users.data.map((u) => (
          <>
            <tr class={u.disabled ? 'off' : ''}>
              <td class="code">{u.login}</td>
              <td>{u.full_name}</td>
              <td>{roleLabel(u.role)}</td>
              <td class="code">{u.scope || 'MA'}</td>
              <td>{u.disabled ? t('disabled') : t('active')}</td>
              <td class="code">{date(u.created_at)}</td>
              <td class="row-actions">
                {u.login !== me.login &&
                  (u.disabled ? (
                    <button type="button" class="secondary" onClick={() => act(() => api.post('/users/{login}/enable', { path: { login: u.login } }))}>
                      {t('enable')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      class="secondary"
                      onClick={async () =>
                        (await confirmFirst({ ask: t('confirm_disable', u.login), yes: t('disable') })) &&
                        act(() => api.post('/users/{login}/disable', { path: { login: u.login } }))
                      }
                    >
                      {t('disable')}
                    </button>
                  ))}
                <button type="button" class="secondary" onClick={() => setPw({ login: u.login, value: '' })}>
                  {t('set_password')}
                </button>
                <button type="button" class="link" onClick={() => setOpen(open === u.login ? '' : u.login)}>
                  {t('record_history')}
                </button>
              </td>
            </tr>
            {pw?.login === u.login && (
              <tr>
                <td colSpan={7}>
                  <form
                    class="inline-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      act(() => api.post('/users/{login}/password', { path: { login: u.login }, body: { password: pw!.value } })).then(() => setPw(null));
                    }}
                  >
                    <label>
                      {t('new_password')}
                      <input type="password" dir="ltr" autocomplete="new-password" value={pw.value} onInput={(e) => setPw({ login: u.login, value: e.currentTarget.value })} required />
                    </label>
                    <button type="submit">{t('save')}</button>
                    <button type="button" class="secondary" onClick={() => setPw(null)}>
                      {t('cancel')}
                    </button>
                  </form>
                </td>
              </tr>
            )}
            {open === u.login && (
              <tr>
                <td colSpan={7}>
                  <History login={u.login} />
                </td>
              </tr>
            )}
          </>
        ))}
        </ListTable>
      )}
      {roles.data && <AddUser roles={roles.data} onDone={() => act(async () => {})} />}
    </section>
  );
}
