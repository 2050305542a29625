// The parts of the application, as the server's src/modules.cpp lists them: each one's
// addresses and navigation entries, and its code, loaded when one of its pages is opened.
import type { ModuleEntry } from './core/module';

export const modules: ModuleEntry[] = [
  {
    name: 'registry',
    segments: ['', 't', 'school', 'pupil', 'import', 'requests'],
    nav: [
      { href: '#/', label: 'nav_territory', order: 10 },
      { href: '#/import', label: 'nav_import', action: 'import_data', order: 40 },
      { href: '#/requests', label: 'nav_requests', action: 'import_data', order: 50 },
    ],
    load: () => import('./modules/registry').then((m) => m.module),
  },
  {
    name: 'stats',
    segments: ['stats', 'stats-pupils'],
    nav: [{ href: '#/stats', label: 'nav_stats', action: 'read_registry', order: 20 }],
    load: () => import('./modules/stats').then((m) => m.module),
  },
  {
    name: 'tayssir',
    segments: ['tayssir', 'tayssir-policy', 'tayssir-suspects'],
    nav: [{ href: '#/tayssir', label: 'nav_tayssir', action: 'tayssir_read', order: 30 }],
    load: () => import('./modules/tayssir').then((m) => m.module),
  },
];
