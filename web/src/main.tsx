import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf, type Principal, type Vocabulary } from './api';
import { applyDocumentLang, lang, setLang, setVocabulary, t } from './i18n';
import { useSignal } from './signal';
import { Login } from './pages/Login';
import { Territory } from './pages/Territory';
import { SchoolPage } from './pages/School';
import { PupilPage } from './pages/Pupil';
import { ImportPage } from './pages/Import';
import { RequestsPage } from './pages/Requests';
import { UsersPage } from './pages/Users';
import { AuditPage } from './pages/Audit';
import { CyclePage, TayssirPage } from './pages/Tayssir';
import { StatsPage, StatsPupilsPage } from './pages/Stats';
import { PolicyPage } from './pages/Policy';
import { SuspectsPage } from './pages/Suspects';
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

function Page({ route, me }: { route: string; me: Principal }) {
  const parts = route.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
      return <Territory me={me} />;
    case 't':
      return <Territory me={me} node={parts[1]} />;
    case 'school':
      return <SchoolPage code={parts[1] ?? ''} />;
    case 'pupil':
      return <PupilPage massar={parts[1] ?? ''} />;
    case 'import':
      return <ImportPage me={me} />;
    case 'requests':
      return <RequestsPage />;
    case 'users':
      return <UsersPage me={me} />;
    case 'audit':
      return <AuditPage />;
    case 'stats':
      return <StatsPage me={me} node={parts[1]} />;
    case 'stats-pupils':
      return <StatsPupilsPage parts={parts.slice(1)} />;
    case 'tayssir':
      return parts[1] ? <CyclePage id={parts[1]} me={me} /> : <TayssirPage me={me} />;
    case 'tayssir-policy':
      return <PolicyPage code={parts[1] ?? ''} me={me} />;
    case 'tayssir-suspects':
      return <SuspectsPage policy={parts[1] ?? ''} />;
    default:
      return <p class="notice">{t('not_found')}</p>;
  }
}

function App() {
  const l = useSignal(lang);
  const route = useHash();
  const [me, setMe] = useState<Principal | null | undefined>(undefined);

  useEffect(() => applyDocumentLang(l), [l]);
  useEffect(() => {
    api.get<Vocabulary>('/vocabulary').then(setVocabulary).catch(() => {});
    api
      .get<Principal>('/session')
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

  const can = (a: string) => me.actions.includes(a);
  const nav: [string, string, boolean][] = [
    ['#/', t('nav_territory'), true],
    ['#/stats', t('nav_stats'), can('read_registry')],
    ['#/tayssir', t('nav_tayssir'), can('tayssir_read')],
    ['#/import', t('nav_import'), can('import_data')],
    ['#/requests', t('nav_requests'), can('import_data')],
    ['#/users', t('nav_users'), can('manage_users')],
    ['#/audit', t('nav_audit'), can('read_audit') && me.scope.kind === 'nation'],
  ];
  const section = '#/' + (route.split('/')[1] ?? '');
  return (
    <div class="shell" key={l}>
      <header class="top">
        <a class="brand" href="#/">
          {t('app_name')}
        </a>
        <nav>
          {nav
            .filter(([, , ok]) => ok)
            .map(([href, text]) => (
              <a href={href} class={section === href || (href === '#/' && ['#/', '#/t', '#/school', '#/pupil'].includes(section)) || (href === '#/stats' && section === '#/stats-pupils') || (href === '#/tayssir' && section.startsWith('#/tayssir-')) ? 'on' : ''}>
                {text}
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
    </div>
  );
}

render(<App />, document.getElementById('app')!);
