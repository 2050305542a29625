import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf, type Principal } from './core/api';
import { applyDocumentLang, lang, setLang, setVocabulary, t } from './core/i18n';
import { useSignal } from './core/signal';
import { Login } from './core/pages/Login';
import { UsersPage } from './core/pages/Users';
import { AuditPage } from './core/pages/Audit';
import type { ModuleEntry, NavEntry, PageOf, WebModule } from './core/module';
import { ConfirmHost } from './core/forms';
import { Problem, Spinner, useLoad } from './core/util';
import { modules } from './modules';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const f = () => setHash(location.hash);
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

// The core's own pages (accounts, the audit log); every other page is a part's.
const corePages: Record<string, PageOf> = {
  users: (_, me) => <UsersPage me={me} />,
  audit: () => <AuditPage />,
};
const coreNav: NavEntry[] = [
  { href: '#/users', label: 'nav_users', action: 'manage_users', order: 60 },
  { href: '#/audit', label: 'nav_audit', action: 'read_audit', nation_only: true, order: 70 },
];

const loaded = new Map<string, Promise<WebModule>>();
function load(entry: ModuleEntry): Promise<WebModule> {
  if (!loaded.has(entry.name)) {
    const p = entry.load();
    p.catch(() => loaded.delete(entry.name)); // a failed download is tried again next time
    loaded.set(entry.name, p);
  }
  return loaded.get(entry.name)!;
}

function ModulePage({ entry, parts, me }: { entry: ModuleEntry; parts: string[]; me: Principal }) {
  const m = useLoad(() => load(entry), [entry.name]);
  if (m.error) return <Problem error={m.error} />;
  if (!m.data) return <Spinner on />;
  const page = m.data.pages[parts[0] ?? ''];
  return page ? page(parts.slice(1), me) : <p class="notice">{t('not_found')}</p>;
}

function Page({ route, me }: { route: string; me: Principal }) {
  const parts = route.split('/').filter(Boolean).map(decodeURIComponent);
  const first = parts[0] ?? '';
  if (corePages[first]) return corePages[first](parts.slice(1), me);
  const entry = modules.find((m) => m.segments.includes(first));
  if (!entry) return <p class="notice">{t('not_found')}</p>;
  return <ModulePage key={entry.name} entry={entry} parts={parts} me={me} />;
}

// Which navigation entry the address belongs to: its own, or its part's first entry.
function navFor(section: string): string {
  const all = [...modules.flatMap((m) => m.nav), ...coreNav];
  if (all.some((n) => n.href === '#/' + section)) return '#/' + section;
  return modules.find((m) => m.segments.includes(section))?.nav[0]?.href ?? '';
}

function App() {
  const l = useSignal(lang);
  const route = useHash();
  const [me, setMe] = useState<Principal | null | undefined>(undefined);

  useEffect(() => applyDocumentLang(l), [l]);
  useEffect(() => {
    api.get('/vocabulary').then(setVocabulary).catch(() => {});
    api
      .get('/session')
      .then((p) => {
        setCsrf(p.csrf);
        setMe(p);
      })
      .catch(() => setMe(null));
    const out = () => setMe(null);
    addEventListener('sanad:signed-out', out);
    return () => removeEventListener('sanad:signed-out', out);
  }, []);

  const langButton = (
    <button class="lang" type="button" onClick={() => setLang(l === 'ar' ? 'fr' : 'ar')} lang={l === 'ar' ? 'fr' : 'ar'}>
      {t('switch_lang')}
    </button>
  );
  if (me === undefined) return <p class="notice">{t('loading')}</p>;
  if (me === null)
    return (
      <Login
        langButton={langButton}
        onDone={(p) => {
          setCsrf(p.csrf);
          setMe(p);
        }}
      />
    );

  const can = (n: NavEntry) =>
    (!n.action || me.actions.includes(n.action)) && (!n.nation_only || me.scope.kind === 'nation');
  const nav = [...modules.flatMap((m) => m.nav), ...coreNav].filter(can).sort((a, b) => a.order - b.order);
  const on = navFor(route.split('/')[1] ?? '');
  return (
    <div class="shell" key={l}>
      <header class="top">
        <a class="brand" href="#/">
          {t('app_name')}
        </a>
        <nav>
          {nav.map((n) => (
            <a href={n.href} class={n.href === on ? 'on' : ''}>
              {t(n.label)}
            </a>
          ))}
        </nav>
        <div class="who">
          <span class="user" title={me.login}>
            {me.full_name} <small>· {l === 'ar' ? me.role_ar : me.role_fr}</small>
          </span>
          {langButton}
          <button
            type="button"
            class="link"
            onClick={() => api.post('/logout').finally(() => setMe(null))}
          >
            {t('sign_out')}
          </button>
        </div>
      </header>
      <main>
        <Page route={route} me={me} />
      </main>
      <ConfirmHost />
    </div>
  );
}

render(<App />, document.getElementById('app')!);
