// What a part of the application brings to the shell: its navigation entries and the pages it
// answers, by the first segment of the address (#/tayssir/12 → 'tayssir'). The shell lists the
// parts in src/modules.ts and loads a part's code only when one of its pages is opened.
import type { JSX } from 'preact';
import type { Principal } from './api';
import type { Key } from './i18n';

export type PageOf = (parts: string[], me: Principal) => JSX.Element;

export interface WebModule {
  // Address segment → page; parts are the address's segments after the first, decoded.
  pages: Record<string, PageOf>;
}

export interface NavEntry {
  href: string;
  label: Key;
  // Shown to a principal whose role allows this action (always when none), and, when set, only
  // to one whose scope is the nation.
  action?: string;
  nation_only?: boolean;
  // Where it stands in the bar, lowest first (the registry's first two at 10 and 40).
  order: number;
}

export interface ModuleEntry {
  name: string;
  // The first segments of the addresses it answers ('' is the home page).
  segments: string[];
  nav: NavEntry[];
  load: () => Promise<WebModule>;
}
