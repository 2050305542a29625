// The interface's two languages: Arabic first (right-to-left), French second. The choice is
// remembered in the browser. Numbers use Western digits; dates are dd/mm/yyyy.
import { signal } from './signal';
import type { Vocabulary } from './api';

export type Lang = 'ar' | 'fr';

const stored = (() => {
  try {
    return localStorage.getItem('sanad.lang');
  } catch {
    return null;
  }
})();
export const lang = signal<Lang>(stored === 'fr' ? 'fr' : 'ar');

export function setLang(l: Lang) {
  try {
    localStorage.setItem('sanad.lang', l);
  } catch {
    /* private mode: not remembered */
  }
  lang.set(l);
}

export function applyDocumentLang(l: Lang) {
  document.documentElement.lang = l;
  document.documentElement.dir = l === 'ar' ? 'rtl' : 'ltr';
  document.title = l === 'ar' ? 'سند — منظومة الدعم الاجتماعي' : "Sanad — appui social";
}

const dict = {
  app_name: ['سند', 'Sanad'],
  app_sub: ['منظومة معلوماتية لمكون الدعم الاجتماعي', "Système d'information de l'appui social"],
  login: ['اسم المستخدم', 'Identifiant'],
  password: ['كلمة المرور', 'Mot de passe'],
  sign_in: ['تسجيل الدخول', 'Se connecter'],
  sign_out: ['تسجيل الخروج', 'Se déconnecter'],
  switch_lang: ['Français', 'العربية'],
  nav_territory: ['المجال الترابي', 'Territoire'],
  nav_import: ['استيراد', 'Importer'],
  nav_users: ['المستخدمون', 'Utilisateurs'],
  nav_audit: ['سجل التدقيق', "Journal d'audit"],
  loading: ['جارٍ التحميل…', 'Chargement…'],
  not_found: ['غير موجود أو خارج نطاق صلاحياتك.', 'Introuvable ou hors de votre périmètre.'],
  error: ['حدث خطأ', 'Une erreur est survenue'],
  year: ['السنة الدراسية', 'Année scolaire'],
  schools: ['المؤسسات', 'Établissements'],
  pupils: ['التلاميذ', 'Élèves'],
  name: ['الاسم', 'Nom'],
  code: ['الرمز', 'Code'],
  total: ['المجموع', 'Total'],
  export_csv: ['تصدير CSV', 'Exporter CSV'],
  export: ['تصدير', 'Exporter'],
  kind_region: ['الجهة', 'Région'],
  kind_directorate: ['المديرية الإقليمية', 'Direction provinciale'],
  kind_commune: ['الجماعة', 'Commune'],
  kind_school: ['المؤسسة', 'Établissement'],
  kind_nation: ['المستوى الوطني', 'National'],
  open_school: ['صفحة المؤسسة', "Page de l'établissement"],
  level: ['المستوى', 'Niveau'],
  class: ['القسم', 'Classe'],
  sex: ['الجنس', 'Sexe'],
  status: ['الوضعية', 'Situation'],
  all: ['الكل', 'Tous'],
  massar: ['رمز مسار', 'Code Massar'],
  last_name: ['النسب', 'Nom'],
  first_name: ['الاسم', 'Prénom'],
  birth_date: ['تاريخ الازدياد', 'Date de naissance'],
  birth_place: ['مكان الازدياد', 'Lieu de naissance'],
  results: ['النتائج', 'Résultats'],
  no_results: ['لا توجد نتائج.', 'Aucun résultat.'],
  previous: ['السابق', 'Précédent'],
  next: ['التالي', 'Suivant'],
  page_of: ['الصفحة {0} من {1}', 'Page {0} sur {1}'],
  cycles: ['الأسلاك', 'Cycles'],
  milieu: ['الوسط', 'Milieu'],
  sector: ['القطاع', 'Secteur'],
  boarding_beds: ['أسرّة الداخلية', "Lits d'internat"],
  canteen: ['المطعم المدرسي', 'Cantine'],
  yes: ['نعم', 'oui'],
  no: ['لا', 'non'],
  school: ['المؤسسة', 'Établissement'],
  payee: ['المستفيد(ة) من التحويل', 'Bénéficiaire du transfert'],
  cin: ['رقم البطاقة الوطنية', 'CIN'],
  phone: ['الهاتف', 'Téléphone'],
  ramed: ['رقم راميد', 'N° RAMED'],
  relation: ['صلة القرابة', 'Lien'],
  month: ['الشهر', 'Mois'],
  justified: ['مبررة', 'Justifiées'],
  transfer_to: ['نحو', 'Vers'],
  left_date: ['تاريخ المغادرة', 'Date de départ'],
  kind_pupils: ['لوائح التلاميذ (مسار)', 'Listes d’élèves (Massar)'],
  kind_schools: ['المؤسسات', 'Établissements'],
  kind_households: ['الأسر', 'Ménages'],
  kind_absences: ['الغياب', 'Absences'],
  value: ['القيمة', 'Valeur'],
  reason: ['السبب', 'Motif'],
  report_ok: ['الملف سليم: يمكنك تأكيد الاستيراد.', "Le fichier est valide : vous pouvez confirmer l'import."],
  report_bad: [
    'في الملف أخطاء: لن يُكتب أي شيء ما لم تُصحَّح أو تختر تجاهل الصفوف المرفوضة.',
    "Le fichier contient des erreurs : rien ne sera écrit tant qu'elles ne sont pas corrigées, sauf si vous choisissez d'ignorer les lignes rejetées.",
  ],
  users_title: ['إدارة المستخدمين', 'Gestion des utilisateurs'],
  full_name: ['الاسم الكامل', 'Nom complet'],
  role: ['الدور', 'Rôle'],
  scope: ['النطاق', 'Périmètre'],
  scope_hint: ['MA للمستوى الوطني، 03 لجهة، 03.531 لمديرية، أو رمز مؤسسة', 'MA (national), 03 (région), 03.531 (direction) ou code d’établissement'],
  disabled: ['معطل', 'désactivé'],
  active: ['نشط', 'actif'],
  disable: ['تعطيل', 'Désactiver'],
  enable: ['تفعيل', 'Activer'],
  new_password: ['كلمة مرور جديدة', 'Nouveau mot de passe'],
  set_password: ['تغيير كلمة المرور', 'Changer le mot de passe'],
  add_user: ['إضافة مستخدم', 'Ajouter un utilisateur'],
  save: ['حفظ', 'Enregistrer'],
  cancel: ['إلغاء', 'Annuler'],
  created_at: ['تاريخ الإنشاء', 'Créé le'],
  saved: ['تم الحفظ.', 'Enregistré.'],
  confirm_disable: ['تعطيل حساب {0} وإنهاء جلساته؟', 'Désactiver le compte {0} et fermer ses sessions ?'],
  record_history: ['سجل التغييرات', 'Historique des modifications'],
  at: ['التاريخ', 'Date'],
  actor: ['من', 'Par'],
  origin: ['من العنوان', 'Depuis'],
  action: ['العملية', 'Action'],
  subject: ['الموضوع', 'Objet'],
  detail: ['التفاصيل', 'Détail'],
  before: ['قبل', 'Avant'],
  after: ['بعد', 'Après'],
  no_entries: ['لا توجد عمليات.', 'Aucune opération.'],
  filter_subject: ['الموضوع يبدأ بـ', "L'objet commence par"],
  nav_tayssir: ['تيسير', 'Tayssir'],
  cycle: ['الدورة', 'Cycle'],
  directorate: ['المديرية', 'Direction'],
  households: ['الأسر', 'Ménages'],
  note: ['ملاحظة', 'Note'],
  flagged: ['بها أخطاء', 'erreurs signalées'],
  m_P: ['مستحق', 'payé'],
  m_F: ['ضائع (غياب)', 'perdu (absences)'],
  m_L: ['غادر', 'parti'],
  m_T: ['في مؤسسة أخرى (انتقال؛ تؤديه تلك المؤسسة)', 'dans un autre établissement (transfert ; payé par celui-ci)'],
  'm_-': ['—', '—'],
  amount: ['المبلغ (درهم)', 'Montant (MAD)'],
  note_required: ['اكتب ملاحظة.', 'Écrivez une note.'],
  nav_stats: ['المؤشرات', 'Indicateurs'],
  name_ar: ['الاسم بالعربية', 'Nom en arabe'],
  name_fr: ['الاسم بالفرنسية', 'Nom en français'],
  children_codes: ['الأطفال', 'Enfants'],
  changes_title: ['سجل التغييرات', 'Historique des modifications'],
  changes_help: [
    'ما غيّرته عمليات الاستيراد في هذا السجل، حقلاً بحقل، مع من قام بها ومتى ومن أين وبأي ملف.',
    'Ce que les imports ont changé dans cette fiche, champ par champ, avec qui, quand, depuis où et quel fichier.',
  ],
  no_changes: ['لم يتغير أي شيء منذ الإدخال الأول.', 'Rien de changé depuis la première saisie.'],
  change_what: ['ما تغيّر', 'Élément'],
  change_field: ['الحقل', 'Champ'],
  change_kind_pupil: ['الهوية', 'Identité'],
  change_kind_enrolment: ['التسجيل', 'Inscription'],
  change_kind_membership: ['الأسرة', 'Ménage'],
  change_kind_absence: ['غياب', 'Absence'],
  change_kind_school: ['المؤسسة', 'Établissement'],
  change_kind_household: ['الأسرة', 'Ménage'],
  change_file: ['الملف', 'Fichier'],
  script_ar: ['بالعربية', 'en arabe'],
  script_fr: ['بالفرنسية', 'en français'],
  nav_requests: ['الطلبات', 'Demandes'],
} as const;

// Each module's own words (web/src/modules/NAME/messages.ts) add their keys to this interface and
// their texts to the dictionary when the module's code is loaded.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ModuleMessages {}
type Pair = readonly [string, string];
const added: Record<string, Pair> = {};
export function addMessages(messages: Record<string, Pair>) {
  Object.assign(added, messages);
}

export type Key = keyof typeof dict | keyof ModuleMessages;

export function t(key: Key, ...args: (string | number)[]): string {
  const pair: Pair | undefined = (dict as Record<string, Pair>)[key] ?? added[key];
  // A key whose module has not added its words: said, so that the browser tests see it.
  if (!pair) console.error(`no message "${key}"`);
  let s: string = pair ? pair[lang.get() === 'ar' ? 0 : 1] : key;
  args.forEach((a, i) => (s = s.replace('{' + i + '}', String(a))));
  return s;
}

const numberFormat = { ar: new Intl.NumberFormat('fr-MA-u-nu-latn'), fr: new Intl.NumberFormat('fr-MA-u-nu-latn') };
export function num(n: number): string {
  return numberFormat[lang.get()].format(n);
}

// Centimes → dirhams with two decimals, Western digits.
const madFormat = new Intl.NumberFormat('fr-MA-u-nu-latn', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export function mad(centimes: number): string {
  return madFormat.format(centimes / 100);
}

// ISO yyyy-mm-dd (or a timestamp) → dd/mm/yyyy, the Moroccan way.
export function date(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const time = /T(\d{2}:\d{2})/.exec(iso);
  return `${m[3]}/${m[2]}/${m[1]}` + (time ? ' ' + time[1] : '');
}

const months = {
  ar: ['يناير', 'فبراير', 'مارس', 'أبريل', 'ماي', 'يونيو', 'يوليوز', 'غشت', 'شتنبر', 'أكتوبر', 'نونبر', 'دجنبر'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
};
export function monthName(ym: string): string {
  const [y, m] = ym.split('-');
  const i = Number(m) - 1;
  return i >= 0 && i < 12 ? `${months[lang.get()][i]} ${y}` : ym;
}

// The label of a code (level, status, …) from the server's vocabulary.
let vocabulary: Vocabulary = {};
export function setVocabulary(v: Vocabulary) {
  vocabulary = v;
}
export function label(kind: string, code: string | null | undefined): string {
  if (!code) return '';
  const term = vocabulary[kind]?.find((x) => x.code === code);
  return term ? term[lang.get()] : code;
}
export function terms(kind: string) {
  return vocabulary[kind] ?? [];
}

// A bilingual name: the one of the interface's language, the other when it is empty.
export function pick(ar: string | null | undefined, fr: string | null | undefined): string {
  return (lang.get() === 'ar' ? ar || fr : fr || ar) || '';
}
