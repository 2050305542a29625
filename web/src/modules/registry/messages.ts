// The registry pages' words in Arabic and French, added to the interface's dictionary when one of
// its pages is opened (the navigation's labels stay in core/i18n.ts, shown before).
import { addMessages } from '../../core/i18n';

const messages = {
  export_xlsx: ['تصدير Excel', 'Exporter Excel'],
  children_region: ['الجهات', 'Régions'],
  children_directorate: ['المديريات الإقليمية', 'Directions provinciales'],
  children_commune: ['الجماعات', 'Communes'],
  children_school: ['المؤسسات', 'Établissements'],
  search: ['بحث', 'Rechercher'],
  search_hint: ['الاسم بالعربية أو بالفرنسية، أو رمز مسار', 'Nom en arabe ou en français, ou code Massar'],
  history: ['مسار التمدرس', 'Parcours scolaire'],
  other_school: ['مؤسسة خارج نطاقك', 'Établissement hors de votre périmètre'],
  household: ['الأسرة', 'Ménage'],
  no_household: ['لم تُسجَّل أسرة لهذا التلميذ.', "Aucun ménage enregistré pour cet élève."],
  children_in_household: ['عدد الأطفال في الأسرة', 'Enfants du ménage'],
  siblings: ['الإخوة', 'Frères et sœurs'],
  absences: ['الغياب حسب الشهر', 'Absences par mois'],
  days: ['أيام الغياب', "Jours d'absence"],
  unjustified: ['غير مبررة', 'Non justifiées'],
  no_absences: ['لا غياب مسجل.', 'Aucune absence enregistrée.'],
  transfer_elsewhere: ['نحو مؤسسة خارج نطاق صلاحياتك', 'vers un établissement hors de votre périmètre'],
  import_title: ['استيراد ملف', 'Importer un fichier'],
  import_kind: ['نوع اللائحة', 'Type de liste'],
  file: ['الملف (CSV أو XLSX)', 'Fichier (CSV ou XLSX)'],
  check: ['تحقق', 'Vérifier'],
  confirm_import: ['تأكيد الاستيراد', "Confirmer l'import"],
  skip_invalid: ['استيراد الصفوف السليمة فقط وتجاهل الباقي', 'Importer les lignes valides, ignorer les autres'],
  accept_identity: [
    'قبول تغييرات الهوية (التلميذ: الاسم، الجنس، تاريخ الازدياد؛ الأسرة: بطاقة واسم المستفيد): تُحفظ في سجل كل تلميذ',
    "Accepter les changements d'identité (élève : nom, sexe, date de naissance ; ménage : CIN et nom de l'allocataire) : gardés dans l'historique de chacun",
  ],
  confirm_identity_ask: ['تغيير هوية تلاميذ أو مستفيدين مسجلين؟', "Changer l'identité d'élèves ou d'allocataires enregistrés ?"],
  confirm_identity_then: [
    'ستُستبدل القيم المسجلة (الأسماء، الجنس، تواريخ الازدياد، المستفيد) بما في الملف لكل صف يغيرها، ويُحفظ القديم والجديد في سجل التلميذ. تأكد أنهم نفس الأشخاص.',
    "Les valeurs enregistrées (noms, sexe, date de naissance, allocataire) seront remplacées par celles du fichier pour chaque ligne qui les change ; l'ancien et le nouveau restent dans l'historique de l'élève. Vérifiez qu'il s'agit bien des mêmes personnes.",
  ],
  rows_read: ['الصفوف المقروءة', 'Lignes lues'],
  rows_valid: ['الصفوف السليمة', 'Lignes valides'],
  rows_rejected: ['الصفوف المرفوضة', 'Lignes rejetées'],
  row: ['الصف', 'Ligne'],
  column: ['العمود', 'Colonne'],
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

type Own = typeof messages;
declare module '../../core/i18n' {
  interface ModuleMessages extends Own {}
}

addMessages(messages);
