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
  transfer_elsewhere: ['نحو مؤسسة خارج نطاق صلاحياتك', 'vers un établissement hors de votre périmètre'],
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
  more_issues: [
    'تُعرض أول {0} أخطاء من أصل {1}؛ صحّحها ثم تحقق من الملف من جديد (التقرير الكامل عبر سطر الأوامر: sanad import --report).',
    'Les {0} premières erreurs sur {1} sont affichées ; corrigez-les puis vérifiez le fichier à nouveau (rapport complet en ligne de commande : sanad import --report).',
  ],
  confirm_q: ['سيُكتب {0} صفاً في قاعدة البيانات. هل تؤكد؟', '{0} lignes seront écrites dans la base. Confirmer ?'],
  replace_period: [
    'الملف هو لائحة الغياب الكاملة لفترة: يُحذف غياب الفترة غير الوارد فيه',
    "Le fichier est la liste complète des absences d'une période : les absences de la période qu'il ne contient plus sont supprimées",
  ],
  period_from: ['من', 'Du'],
  period_to: ['إلى', 'Au'],
  replace_note: [
    'يعوض الملف غياب الفترة من {0} إلى {1} في {2} مؤسسة: سيُحذف {3} غياباً لم يعد وارداً فيه.',
    'Le fichier remplace les absences du {0} au {1} de {2} établissement(s) : {3} absence(s) qu’il ne contient plus seront supprimées.',
  ],
  deleted: ['محذوف', 'supprimés'],
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
  nav_tayssir: ['تيسير', 'Tayssir'],
  tayssir_title: ['برنامج تيسير للتحويلات المالية المشروطة', 'Tayssir — transferts monétaires conditionnels'],
  policy: ['السياسة', 'Politique'],
  period: ['فترة التحويل', 'Période de transfert'],
  compute: ['احتساب الدورة', 'Calculer le cycle'],
  computed: ['تم احتساب {0} دورة.', '{0} cycle(s) calculé(s).'],
  suspects: ['{0} حالة تكرار محتمل في انتظار المراجعة.', '{0} doublon(s) probable(s) en attente de revue.'],
  no_cycles: ['لا توجد دورات بعد.', 'Aucun cycle pour le moment.'],
  cycle: ['الدورة', 'Cycle'],
  directorate: ['المديرية', 'Direction'],
  state: ['المرحلة', 'État'],
  beneficiaries: ['المستفيدون', 'Bénéficiaires'],
  households: ['الأسر', 'Ménages'],
  due: ['المستحق (درهم)', 'Dû (MAD)'],
  forfeited: ['الضائع بسبب الغياب (درهم)', 'Perdu pour absences (MAD)'],
  adjustments: ['التسويات (درهم)', 'Régularisations (MAD)'],
  monthly: ['المبلغ الشهري', 'Montant mensuel'],
  state_draft: ['مسودة', 'brouillon'],
  state_checked: ['مراجعة من المؤسسات', 'vérifié par les écoles'],
  state_approved: ['مصادق عليها من المديرية', 'approuvé'],
  state_exported: ['مصدرة للأداء', 'exporté pour paiement'],
  state_closed: ['مغلقة', 'clôturé'],
  to_checked: ['تسجيل المراجعة', 'Marquer vérifié'],
  to_approved: ['المصادقة', 'Approuver'],
  to_draft: ['إرجاع إلى المسودة', 'Renvoyer en brouillon'],
  to_closed: ['إغلاق الدورة', 'Clôturer'],
  pay: ['تصدير ملف الأداء', 'Exporter le fichier de paiement'],
  confirm_pay: [
    'سيُصدَّر ملف الأداء للدورة {0} ({1} درهم لـ{2} أسرة). لا يمكن التراجع عن ذلك ولا تصدير الدورة مرة ثانية. هل تؤكد؟',
    'Le fichier de paiement du cycle {0} ({1} MAD à {2} ménages) sera exporté. Cela ne peut être ni annulé ni refait. Confirmer ?',
  ],
  confirm_pay_owing: [
    '{0} أسرة لن تتوصل بشيء: عليها {1} درهم من التسويات، تُسترجع في الدورة الموالية.',
    '{0} ménage(s) ne recevront rien : ils doivent {1} MAD de régularisations, récupérés au cycle suivant.',
  ],
  confirm_close: ['إغلاق الدورة {0}؟ لن تتغير بعد ذلك.', 'Clôturer le cycle {0} ? Il ne changera plus.'],
  school_checks: ['مراجعة المؤسسات', 'Vérification par les établissements'],
  schools_confirmed: ['{0} من {1} مؤسسة أكدت لائحتها', '{0} établissement(s) sur {1} ont confirmé leur liste'],
  confirm_list: ['أؤكد صحة لائحة مؤسستي', 'Je confirme la liste de mon établissement'],
  flag_list: ['الإشارة إلى أخطاء', 'Signaler des erreurs'],
  note: ['ملاحظة', 'Note'],
  confirmed: ['مؤكدة', 'confirmée'],
  flagged: ['بها أخطاء', 'erreurs signalées'],
  lists: ['اللوائح', 'Listes'],
  list_beneficiaries: ['لائحة المستفيدين للتوقيع', 'Liste des bénéficiaires (signature)'],
  list_exclusions: ['غير المستفيدين وأسبابهم', 'Exclusions et motifs'],
  list_payments: ['الأداء حسب الأسرة', 'Paiements par ménage'],
  list_totals: ['المجاميع', 'Totaux'],
  list_adjustments: ['التسويات', 'Régularisations'],
  only_eligible: ['المستفيدون', 'Bénéficiaires'],
  only_excluded: ['غير المستفيدين', 'Exclus'],
  explain: ['تفاصيل الاحتساب', 'Détail du calcul'],
  counted: ['أيام الغياب المحتسبة', "Jours d'absence comptés"],
  threshold: ['الحد المسموح', 'Seuil'],
  m_P: ['مستحق', 'payé'],
  m_F: ['ضائع (غياب)', 'perdu (absences)'],
  m_L: ['غادر', 'parti'],
  m_T: ['قبل انتقاله إليها (تؤديه المؤسسة السابقة)', 'avant son transfert (payé par l’école d’origine)'],
  'm_-': ['—', '—'],
  appeals: ['التظلمات', 'Recours'],
  file_appeal: ['تسجيل تظلم', 'Déposer un recours'],
  grounds: ['موضوع التظلم', 'Motif du recours'],
  appeal_filed: ['سُجل التظلم رقم {0}.', 'Recours n° {0} enregistré.'],
  uphold: ['قبول', 'Accepter'],
  reject: ['رفض', 'Rejeter'],
  appeal_open: ['مفتوح', 'ouvert'],
  appeal_upheld: ['مقبول', 'accepté'],
  appeal_rejected: ['مرفوض', 'rejeté'],
  amount: ['المبلغ (درهم)', 'Montant (MAD)'],
  note_required: ['اكتب ملاحظة.', 'Écrivez une note.'],
  nav_stats: ['المؤشرات', 'Indicateurs'],
  stats_title: ['مؤشرات {0}', 'Indicateurs — {0}'],
  indicator: ['المؤشر', 'Indicateur'],
  numerator: ['البسط', 'Numérateur'],
  denominator: ['المقام', 'Dénominateur'],
  target: ['الهدف', 'Cible'],
  baseline: ['خط الأساس', 'Base'],
  progress: ['التقدم', 'Progression'],
  reported: ['حالة التصريح', 'Déclaration'],
  received: ['قيمة المندوبية', 'Valeur HCP'],
  report_draft: ['غير مصرح بها', 'non déclarée'],
  report_submitted: ['مرفوعة للمصادقة', 'soumise'],
  report_approved: ['مصادق عليها', 'approuvée'],
  report_returned: ['مرجعة للتصحيح', 'renvoyée'],
  submit_value: ['رفع القيمة للمصادقة', 'Soumettre la valeur'],
  approve_value: ['المصادقة', 'Approuver'],
  return_value: ['إرجاع للتصحيح', 'Renvoyer'],
  set_target: ['تحديد الهدف', 'Fixer la cible'],
  trend: ['التطور عبر السنوات', 'Évolution sur les années'],
  ranking: ['ترتيب {0}', 'Classement — {0}'],
  rank_children: ['الوحدات التابعة', 'Entités rattachées'],
  rank_schools: ['المؤسسات', 'Établissements'],
  rank: ['الرتبة', 'Rang'],
  best: ['الأفضل', 'Meilleur'],
  worst: ['الأضعف', 'Moins bon'],
  by_dimension: ['حسب {0}', 'Par {0}'],
  dim_sex: ['الجنس', 'sexe'],
  dim_milieu: ['الوسط', 'milieu'],
  dim_level: ['المستوى', 'niveau'],
  dim_cycle: ['السلك', 'cycle'],
  pupils_behind: ['التلاميذ المعنيون', 'Élèves concernés'],
  pupils_of: ['التلاميذ وراء {0}', 'Élèves derrière {0}'],
  of_denominator: ['(المقام)', '(dénominateur)'],
  download_png: ['صورة PNG', 'Image PNG'],
  download_xlsx: ['جدول Excel', 'Tableau Excel'],
  computed_at: ['حُسبت يوم {0} (في {1} ثانية)', 'Calculé le {0} (en {1} s)'],
  no_value: ['–', '–'],
  deliveries: ['التبادل مع المندوبية السامية للتخطيط', 'Échange avec le HCP'],
  deliver_now: ['إرسال الآن', 'Envoyer maintenant'],
  not_configured: ['لم يُحدد مكان الإرسال (--exchange-outbox أو --exchange-url).', "Aucune destination configurée (--exchange-outbox ou --exchange-url)."],
  attempt: ['المحاولة', 'Tentative'],
  confirm_deliver: ['إرسال معطيات السنة الآن إلى المندوبية السامية للتخطيط؟', "Envoyer maintenant les données de l'année au HCP ?"],
  delivered: ['تم الإرسال.', 'Envoyé.'],
  delivery_ok: ['تم', 'réussi'],
  delivery_failed: ['فشل', 'échec'],
  delivery_running: ['جارٍ', 'en cours'],
  policy_rules: ['القواعد والمحاكاة', 'Règles et simulation'],
  policy_title: ['قواعد {0}', 'Règles — {0}'],
  frozen_note: [
    'هذه السياسة مجمدة: دورة محتسبة بها تجاوزت مرحلة المسودة. انسخها لتغيير القواعد.',
    "Cette politique est figée : un cycle calculé avec elle a quitté l'état brouillon. Copiez-la pour changer les règles.",
  ],
  read_only_note: [
    'القواعد تُعدَّل من المستوى الوطني. يمكنك تغييرها هنا لتجربتها في المحاكاة دون حفظها.',
    'Les règles sont modifiées au niveau national. Vous pouvez les changer ici pour les essayer dans la simulation, sans les enregistrer.',
  ],
  name_ar: ['الاسم بالعربية', 'Nom en arabe'],
  name_fr: ['الاسم بالفرنسية', 'Nom en français'],
  amounts_title: ['المبلغ الشهري حسب المستوى (درهم؛ فارغ: غير مشمول)', 'Montant mensuel par niveau (MAD ; vide : non couvert)'],
  months_covered: ['الأشهر المشمولة', 'Mois couverts'],
  thresholds: ['أقصى أيام الغياب في الشهر مع الاحتفاظ بالمنحة، حسب السلك', "Jours d'absence par mois encore payés, par cycle"],
  justified_count: ['يُحتسب الغياب المبرر', 'Les absences justifiées comptent'],
  household_cap: ['عدد الأطفال المستفيدين في الأسرة (0: بلا حد)', 'Enfants payés par ménage (0 : sans plafond)'],
  cap_rule: ['اختيار الأطفال عند تجاوز الحد', 'Choix des enfants au-delà du plafond'],
  cap_largest_amount: ['الأعلى مبلغا أولا', "Les montants les plus élevés d'abord"],
  cap_youngest: ['الأصغر سنا أولا', "Les plus jeunes d'abord"],
  cap_oldest: ['الأكبر سنا أولا', "Les plus âgés d'abord"],
  require_ramed: ['بطاقة راميد أو وصلها شرط', 'Carte RAMED ou récépissé exigé'],
  ramed_exempt: ['الجماعات المعفاة من شرط راميد (رموز)', 'Communes exemptées de la condition RAMED (codes)'],
  repeaters_eligible: ['المكررون مستفيدون', 'Les redoublants sont éligibles'],
  targeting: ['الاستهداف: تُستهدف الجماعة لسلك إذا طابقتها قاعدة واحدة على الأقل', 'Ciblage : une commune est ciblée pour un cycle si une règle au moins la désigne'],
  indicator_name: ['مؤشر المندوبية', 'Indicateur HCP'],
  min_value: ['القيمة الدنيا', 'Valeur minimale'],
  communes_codes: ['الجماعات (رموز؛ فارغ: الكل)', 'Communes (codes ; vide : toutes)'],
  add_rule: ['إضافة قاعدة', 'Ajouter une règle'],
  add_period: ['إضافة فترة', 'Ajouter une période'],
  remove: ['حذف', 'Supprimer'],
  periods_title: ['فترات التحويل والأشهر التي تؤديها', 'Périodes de transfert et mois payés'],
  save_policy: ['حفظ القواعد', 'Enregistrer les règles'],
  copy_policy: ['نسخ هذه السياسة', 'Copier cette politique'],
  new_code: ['رمز السياسة الجديدة', 'Code de la nouvelle politique'],
  copied: ['أُنشئت السياسة {0}.', 'Politique {0} créée.'],
  whatif_title: ['المحاكاة: ماذا لو؟', 'Simulation : et si ?'],
  whatif_help: [
    'تُطبَّق القواعد أعلاه على السجل الحالي لسنة كاملة دون حفظ أي شيء، وتُقارن بالسياسة المعمول بها.',
    'Les règles ci-dessus sont appliquées au registre actuel, sur une année entière, sans rien enregistrer, à côté de la politique en vigueur.',
  ],
  run_whatif: ['تشغيل المحاكاة', 'Lancer la simulation'],
  whatif_national: [
    'تشمل المحاكاة كل تلاميذ البلاد وقد تستغرق بضع دقائق. هل تريد المتابعة؟ (لمدة أقصر: اكتب رمز جهة أو مديرية)',
    "La simulation porte sur tous les élèves du pays et peut prendre quelques minutes. Continuer ? (plus court : le code d'une région ou d'une direction)",
  ],
  whatif_running: ['جارٍ الاحتساب على سجل {0}…', 'Calcul sur le registre de {0}…'],
  in_force: ['المعمول بها', 'En vigueur'],
  variant: ['المقترحة', 'Variante'],
  difference: ['الفرق', 'Écart'],
  cost: ['الكلفة السنوية (درهم)', 'Coût annuel (MAD)'],
  entering: ['يدخلون البرنامج: {0}', 'Entrent dans le programme : {0}'],
  leaving: ['يخرجون من البرنامج: {0}', 'Sortent du programme : {0}'],
  shown_first: ['تُعرض أول {0} حالة؛ حمّل الملف للائحة كاملة.', 'Les {0} premiers sont affichés ; téléchargez le fichier pour la liste complète.'],
  download_changes: ['تحميل لائحة الداخلين والخارجين (Excel)', 'Télécharger les entrées et sorties (Excel)'],
  decision_base: ['القرار الحالي', 'Décision actuelle'],
  decision_variant: ['القرار في المحاكاة', 'Décision simulée'],
  suspects_link: ['حالات التكرار المحتملة', 'Doublons probables'],
  suspects_title: ['حالات التكرار المحتملة — {0}', 'Doublons probables — {0}'],
  suspects_help: [
    'طفل مسجل مرتين أو مستفيد واحد برقمين: لا يُدمج أي شيء تلقائيا. قارن الطرفين ثم قرر.',
    'Un enfant inscrit deux fois, un allocataire sous deux CIN : rien n’est fusionné d’office. Comparez les deux côtés, puis décidez.',
  ],
  suspects_summary: ['{0} حالة في نطاقك، منها {1} في انتظار القرار.', '{0} paire(s) dans votre périmètre, dont {1} en attente de décision.'],
  suspects_outside: ['{0} حالة تتجاوز نطاقك وتُراجَع من المستوى الأعلى.', '{0} paire(s) débordent votre périmètre : elles sont revues au niveau supérieur.'],
  same_pupil: ['نفس الطفل', 'Même enfant'],
  distinct_pupils: ['طفلان مختلفان', 'Deux enfants différents'],
  same_payee: ['نفس المستفيد', 'Même allocataire'],
  distinct_payees: ['مستفيدان مختلفان', 'Deux allocataires différents'],
  decision_pending: ['في انتظار القرار', 'en attente'],
  decision_same: ['نفس الشخص: يُؤدى له مرة واحدة', 'même personne : payée une fois'],
  decision_distinct: ['شخصان مختلفان', 'deux personnes distinctes'],
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
  requests_title: ['طلبات الانتقال والربط', 'Demandes de transfert et de rattachement'],
  requests_help: [
    'حين يذكر ملفٌ مستورد تلميذاً مسجلاً هذه السنة بمؤسسة أخرى، أو أسرةً يدرس أبناؤها بمؤسسات أخرى، لا يُكتب الصف: يصير طلباً تقبله تلك المؤسسة أو ترفضه.',
    "Quand un fichier importé nomme un élève inscrit cette année dans un autre établissement, ou un ménage dont les enfants sont scolarisés ailleurs, la ligne n'est pas écrite : elle devient une demande que cet établissement accepte ou refuse.",
  ],
  requests_incoming: ['الطلبات الواردة', 'Demandes reçues'],
  requests_outgoing: ['الطلبات المرسلة', 'Demandes envoyées'],
  requests_none: ['لا توجد طلبات.', 'Aucune demande.'],
  request_transfer: ['طلب انتقال تلميذ', "Demande de transfert d'un élève"],
  request_household_link: ['طلب ربط تلميذ بأسرة', "Demande de rattachement d'un élève à un ménage"],
  request_state: ['الحالة', 'État'],
  request_state_pending: ['في الانتظار', 'En attente'],
  request_state_accepted: ['مقبول', 'Acceptée'],
  request_state_refused: ['مرفوض', 'Refusée'],
  request_asking_school: ['المؤسسة الطالبة', 'Établissement demandeur'],
  request_payee_said: ['ولي الأمر كما ورد في الملف', 'Tuteur selon le fichier'],
  request_by: ['قدمه', 'Demandée par'],
  request_decided: ['البت', 'Décision'],
  request_left_date: ['تاريخ مغادرة مؤسستكم', 'Date de départ de votre établissement'],
  request_accept: ['قبول', 'Accepter'],
  request_refuse: ['رفض', 'Refuser'],
  request_refuse_needs_note: ['اكتب سبب الرفض في الملاحظة', 'Écrivez la raison du refus dans la note'],
  request_confirm_transfer: [
    'سيُسجَّل {0} منتقلاً من مؤسستكم إلى {1} ابتداءً من {2}. لا يمكن التراجع عن هذا من هنا. هل تؤكد؟',
    '{0} sera inscrit comme transféré de votre établissement vers {1} à partir du {2}. Cela ne peut pas être défait ici. Confirmer ?',
  ],
  request_confirm_link: [
    'سيُربط {0} بالأسرة ذات البطاقة {1}، دون تغيير معطيات ولي الأمر. هل تؤكد؟',
    '{0} sera rattaché au ménage de CIN {1}, sans changer les données du tuteur. Confirmer ?',
  ],
  rows_held: ['صفوف محفوظة كطلبات', 'Lignes gardées comme demandes'],
  held_help: [
    'هذه الصفوف تذكر تلاميذ أو أسراً خارج نطاق صلاحياتك: لن تُكتب، بل تُرسل عند تأكيد الاستيراد طلباتٍ تبت فيها مؤسساتها.',
    "Ces lignes nomment des élèves ou des ménages hors de votre périmètre : elles ne seront pas écrites, mais envoyées à la confirmation de l'import comme demandes à leurs établissements.",
  ],
  requests_sent: ['{0} طلب أُرسل إلى مؤسسات أخرى', '{0} demande(s) envoyée(s) à d’autres établissements'],
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
