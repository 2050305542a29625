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
  export_xlsx: ['تصدير Excel', 'Exporter Excel'],
  export: ['تصدير', 'Exporter'],
  kind_region: ['الجهة', 'Région'],
  kind_directorate: ['المديرية الإقليمية', 'Direction provinciale'],
  kind_commune: ['الجماعة', 'Commune'],
  kind_school: ['المؤسسة', 'Établissement'],
  kind_nation: ['المستوى الوطني', 'National'],
  children_region: ['الجهات', 'Régions'],
  children_directorate: ['المديريات الإقليمية', 'Directions provinciales'],
  children_commune: ['الجماعات', 'Communes'],
  children_school: ['المؤسسات', 'Établissements'],
  open_school: ['صفحة المؤسسة', "Page de l'établissement"],
  search: ['بحث', 'Rechercher'],
  search_hint: ['الاسم بالعربية أو بالفرنسية، أو رمز مسار', 'Nom en arabe ou en français, ou code Massar'],
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
  history: ['مسار التمدرس', 'Parcours scolaire'],
  school: ['المؤسسة', 'Établissement'],
  other_school: ['مؤسسة خارج نطاقك', 'Établissement hors de votre périmètre'],
  household: ['الأسرة', 'Ménage'],
  no_household: ['لم تُسجَّل أسرة لهذا التلميذ.', "Aucun ménage enregistré pour cet élève."],
  payee: ['المستفيد(ة) من التحويل', 'Bénéficiaire du transfert'],
  cin: ['رقم البطاقة الوطنية', 'CIN'],
  phone: ['الهاتف', 'Téléphone'],
  ramed: ['رقم راميد', 'N° RAMED'],
  relation: ['صلة القرابة', 'Lien'],
  children_in_household: ['عدد الأطفال في الأسرة', 'Enfants du ménage'],
  siblings: ['الإخوة', 'Frères et sœurs'],
  absences: ['الغياب حسب الشهر', 'Absences par mois'],
  month: ['الشهر', 'Mois'],
  days: ['أيام الغياب', "Jours d'absence"],
  justified: ['مبررة', 'Justifiées'],
  unjustified: ['غير مبررة', 'Non justifiées'],
  no_absences: ['لا غياب مسجل.', 'Aucune absence enregistrée.'],
  transfer_to: ['نحو', 'Vers'],
  left_date: ['تاريخ المغادرة', 'Date de départ'],
  import_title: ['استيراد ملف', 'Importer un fichier'],
  import_kind: ['نوع اللائحة', 'Type de liste'],
  kind_pupils: ['لوائح التلاميذ (مسار)', 'Listes d’élèves (Massar)'],
  kind_schools: ['المؤسسات', 'Établissements'],
  kind_households: ['الأسر', 'Ménages'],
  kind_absences: ['الغياب', 'Absences'],
  file: ['الملف (CSV أو XLSX)', 'Fichier (CSV ou XLSX)'],
  check: ['تحقق', 'Vérifier'],
  confirm_import: ['تأكيد الاستيراد', "Confirmer l'import"],
  skip_invalid: ['استيراد الصفوف السليمة فقط وتجاهل الباقي', 'Importer les lignes valides, ignorer les autres'],
  rows_read: ['الصفوف المقروءة', 'Lignes lues'],
  rows_valid: ['الصفوف السليمة', 'Lignes valides'],
  rows_rejected: ['الصفوف المرفوضة', 'Lignes rejetées'],
  row: ['الصف', 'Ligne'],
  column: ['العمود', 'Colonne'],
  value: ['القيمة', 'Valeur'],
  reason: ['السبب', 'Motif'],
  report_ok: ['الملف سليم: يمكنك تأكيد الاستيراد.', "Le fichier est valide : vous pouvez confirmer l'import."],
  report_bad: [
    'في الملف أخطاء: لن يُكتب أي شيء ما لم تُصحَّح أو تختر تجاهل الصفوف المرفوضة.',
    "Le fichier contient des erreurs : rien ne sera écrit tant qu'elles ne sont pas corrigées, sauf si vous choisissez d'ignorer les lignes rejetées.",
  ],
  imported: ['تم الاستيراد.', 'Import effectué.'],
  inserted: ['مضاف', 'ajoutés'],
  updated: ['معدل', 'modifiés'],
  unchanged: ['بدون تغيير', 'inchangés'],
  more_issues: ['… و{0} أخطاء أخرى (صدّر التقرير كاملاً عبر سطر الأوامر)', '… et {0} autres erreurs'],
  confirm_q: ['سيُكتب {0} صفاً في قاعدة البيانات. هل تؤكد؟', '{0} lignes seront écrites dans la base. Confirmer ?'],
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
  back: ['رجوع', 'Retour'],
} as const;

export type Key = keyof typeof dict;

export function t(key: Key, ...args: (string | number)[]): string {
  let s: string = dict[key][lang.get() === 'ar' ? 0 : 1];
  args.forEach((a, i) => (s = s.replace('{' + i + '}', String(a))));
  return s;
}

const numberFormat = { ar: new Intl.NumberFormat('fr-MA-u-nu-latn'), fr: new Intl.NumberFormat('fr-MA-u-nu-latn') };
export function num(n: number): string {
  return numberFormat[lang.get()].format(n);
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
