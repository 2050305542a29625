// The statistics pages' words in Arabic and French, added to the interface's dictionary when one of
// its pages is opened (the navigation's labels stay in core/i18n.ts, shown before).
import { addMessages } from '../../core/i18n';

const messages = {
  back: ['رجوع', 'Retour'],
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
} as const;

type Own = typeof messages;
declare module '../../core/i18n' {
  interface ModuleMessages extends Own {}
}

addMessages(messages);
