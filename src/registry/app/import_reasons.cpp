// The reasons an import gives for a bad cell, in English (the CLI and the CSV report), Arabic and
// French (the web app). Each reason is an English template with {} for its arguments in order; a
// translation may name them {0}, {1}… to reorder or leave one out. A template missing here shows
// in English everywhere.
#include <array>
#include <string_view>

#include "core/app/sentences.hpp"
#include "registry/app/import.hpp"

namespace sanad::app {
namespace {

// clang-format off
constexpr std::array kReasons = {
  Sentence{"who this pupil is would change ({}): written only when the import accepts identity changes",
         "هوية هذا التلميذ ستتغير ({}): لا يُكتب ذلك إلا إذا قُبلت تغييرات الهوية في الاستيراد",
         "l'identité de cet élève changerait ({}) : écrit seulement si l'import accepte les changements d'identité"},
  Sentence{"already enrolled in {} at school {}, with no transfer between the two: that school records his transfer or leaving first",
         "مسجل في {} بالمؤسسة {} دون انتقال بين المؤسستين: تسجل تلك المؤسسة انتقاله أو انقطاعه أولا",
         "déjà inscrit en {} à l'établissement {}, sans transfert entre les deux : cet établissement enregistre d'abord son transfert ou son départ"},
  Sentence{"already enrolled in {} at school {} by {}, with no transfer between the two: that school records his transfer or leaving first",
         "مسجل في {} بالمؤسسة {} بواسطة {} دون انتقال بين المؤسستين: تسجل تلك المؤسسة انتقاله أو انقطاعه أولا",
         "déjà inscrit en {} à l'établissement {} par {}, sans transfert entre les deux : cet établissement enregistre d'abord son transfert ou son départ"},
  Sentence{"who is paid for this pupil would change ({}): written only when the import accepts identity changes",
         "المستفيد من منحة هذا التلميذ سيتغير ({}): لا يُكتب ذلك إلا إذا قُبلت تغييرات الهوية في الاستيراد",
         "l'allocataire de cet élève changerait ({}) : écrit seulement si l'import accepte les changements d'identité"},
  Sentence{"required value is empty",
         "قيمة إلزامية فارغة",
         "valeur obligatoire vide"},
  Sentence{"contains control characters",
         "تحتوي على رموز تحكم غير مقبولة",
         "contient des caractères de contrôle"},
  Sentence{"longer than {} characters",
         "أطول من {} حرفا",
         "plus de {} caractères"},
  Sentence{"unknown {}; expected one of: {}",
         "قيمة غير معروفة ({})؛ القيم المقبولة: {}",
         "{} inconnu ; valeurs attendues : {}"},
  Sentence{"a code Massar is one letter followed by nine digits (e.g. D166027860)",
         "رمز مسار حرف واحد متبوع بتسعة أرقام (مثلا D166027860)",
         "un code Massar est une lettre suivie de neuf chiffres (ex. D166027860)"},
  Sentence{"required date is empty",
         "تاريخ إلزامي فارغ",
         "date obligatoire vide"},
  Sentence{"not a date (expected dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd or an Excel date)",
         "ليس تاريخا (المنتظر يوم/شهر/سنة أو يوم-شهر-سنة أو سنة-شهر-يوم أو تاريخ Excel)",
         "date invalide (attendu jj/mm/aaaa, jj-mm-aaaa, aaaa-mm-jj ou une date Excel)"},
  Sentence{"date is in the future",
         "التاريخ في المستقبل",
         "date dans le futur"},
  Sentence{"a school code is 4 to 12 letters or digits",
         "رمز المؤسسة من 4 إلى 12 حرفا أو رقما",
         "un code d'établissement compte 4 à 12 lettres ou chiffres"},
  Sentence{"the same school code appears twice in the file (first on row {})",
         "رمز المؤسسة نفسه مكرر في الملف (أول مرة في الصف {})",
         "le même code d'établissement figure deux fois dans le fichier (d'abord ligne {})"},
  Sentence{"this school code is used outside your scope",
         "رمز المؤسسة هذا مستعمل خارج نطاق صلاحياتك",
         "ce code d'établissement est utilisé hors de votre périmètre"},
  Sentence{"unknown cycle; expected primaire, college, lycee or prescolaire (several joined by +)",
         "سلك غير معروف؛ المنتظر primaire أو college أو lycee أو prescolaire (أو عدة أسلاك بينها +)",
         "cycle inconnu ; attendu primaire, college, lycee ou prescolaire (plusieurs joints par +)"},
  Sentence{"unknown commune code (expected an HCP code such as 03.531.01.05)",
         "رمز جماعة غير معروف (المنتظر رمز المندوبية السامية للتخطيط مثل 03.531.01.05)",
         "code de commune inconnu (attendu un code HCP comme 03.531.01.05)"},
  Sentence{"not a whole number of beds between 0 and 100000",
         "ليس عددا صحيحا من الأسرة بين 0 و100000",
         "pas un nombre entier de lits entre 0 et 100000"},
  Sentence{"not a school year (expected e.g. 2024-2025 or 2024/2025)",
         "ليست سنة دراسية (المنتظر مثلا 2024-2025 أو 2024/2025)",
         "pas une année scolaire (attendu par ex. 2024-2025 ou 2024/2025)"},
  Sentence{"a pupil aged {} on 1 September {} is not plausible",
         "تلميذ عمره {} سنة في فاتح شتنبر {} غير معقول",
         "un élève âgé de {} ans au 1er septembre {} n'est pas plausible"},
  Sentence{"unknown school (import the schools first)",
         "مؤسسة غير معروفة (استورد المؤسسات أولا)",
         "établissement inconnu (importez d'abord les établissements)"},
  Sentence{"level {} is not taught at school {} (cycles: {})",
         "المستوى {} لا يُدرَّس في المؤسسة {} (الأسلاك: {})",
         "le niveau {} n'est pas enseigné dans l'établissement {} (cycles : {})"},
  Sentence{"not a school code",
         "ليس رمز مؤسسة",
         "pas un code d'établissement"},
  Sentence{"a destination school is given but the pupil is not transferred",
         "ذُكرت مؤسسة الاستقبال لكن التلميذ غير منتقل",
         "un établissement de destination est donné mais l'élève n'est pas transféré"},
  Sentence{"a leaving date is given but the pupil has not left",
         "ذُكر تاريخ المغادرة لكن التلميذ لم يغادر",
         "une date de départ est donnée mais l'élève n'est pas parti"},
  Sentence{"the leaving date is outside the school year {}",
         "تاريخ المغادرة خارج السنة الدراسية {}",
         "la date de départ est hors de l'année scolaire {}"},
  Sentence{"the same pupil appears twice for this school and year (first on row {})",
         "التلميذ نفسه مكرر في هذه المؤسسة وهذه السنة (أول مرة في الصف {})",
         "le même élève figure deux fois pour cet établissement et cette année (d'abord ligne {})"},
  Sentence{"this code Massar has a different name, sex or birth on row {}: one code is one pupil",
         "لرمز مسار هذا اسم أو جنس أو ازدياد مختلف في الصف {}: لكل تلميذ رمز واحد",
         "ce code Massar a un autre nom, sexe ou naissance ligne {} : un code est un élève"},
  Sentence{"the same pupil appears twice in the file (first on row {})",
         "التلميذ نفسه مكرر في الملف (أول مرة في الصف {})",
         "le même élève figure deux fois dans le fichier (d'abord ligne {})"},
  Sentence{"a CIN is one or two letters followed by digits (e.g. CB541194)",
         "رقم البطاقة الوطنية حرف أو حرفان متبوعان بأرقام (مثلا CB541194)",
         "une CIN est une ou deux lettres suivies de chiffres (ex. CB541194)"},
  Sentence{"not a Moroccan phone number (e.g. 0612345678)",
         "ليس رقم هاتف مغربيا (مثلا 0612345678)",
         "pas un numéro de téléphone marocain (ex. 0612345678)"},
  Sentence{"a RAMED number is letters, digits, - or /, at most 32",
         "رقم راميد حروف وأرقام و- أو / في حدود 32 رمزا",
         "un numéro RAMED est fait de lettres, chiffres, - ou /, 32 au plus"},
  Sentence{"CIN {} has a different {} on row {}: one CIN is one person",
         "لرقم البطاقة {0} معطيات مختلفة في الصف {2}: لكل شخص رقم واحد",
         "la CIN {0} a d'autres données ligne {2} : une CIN est une personne"},
  Sentence{"not a whole number of sessions missed that day between 1 and 12",
         "ليس عددا صحيحا لحصص الغياب في ذلك اليوم بين 1 و12",
         "pas un nombre entier de séances manquées ce jour-là entre 1 et 12"},
  Sentence{"an absence before 2000 is not plausible",
         "غياب قبل سنة 2000 غير معقول",
         "une absence avant 2000 n'est pas plausible"},
  Sentence{"the same absence (pupil and day) appears twice in the file (first on row {})",
         "الغياب نفسه (التلميذ واليوم) مكرر في الملف (أول مرة في الصف {})",
         "la même absence (élève et jour) figure deux fois dans le fichier (d'abord ligne {})"},
  Sentence{"the day is outside the period the file replaces ({} to {})",
         "اليوم خارج الفترة التي يعوضها الملف (من {} إلى {})",
         "le jour est hors de la période que le fichier remplace (du {} au {})"},
  Sentence{"unknown pupil (import the pupils first)",
         "تلميذ غير معروف (استورد التلاميذ أولا)",
         "élève inconnu (importez d'abord les élèves)"},
  Sentence{"this code Massar is recorded with another name, sex or birth date: they are corrected by the school that has the pupil today",
         "رمز مسار هذا مسجل باسم أو نوع أو تاريخ ازدياد مختلف: تصححها المؤسسة التي يدرس بها التلميذ حاليا",
         "ce code Massar est enregistré avec un autre nom, sexe ou date de naissance : c'est l'établissement actuel de l'élève qui les corrige"},
  Sentence{"more than 10000 rows of the file name pupils or households outside your scope: ask your directorate to import it",
         "أكثر من 10000 صف في الملف تذكر تلاميذ أو أسراً خارج نطاق صلاحياتك: اطلب من المديرية استيراده",
         "plus de 10000 lignes du fichier nomment des élèves ou des ménages hors de votre périmètre : demandez à votre direction de l'importer"},
  Sentence{"this pupil is enrolled in a later school year in a school outside your scope",
         "هذا التلميذ مسجل في سنة دراسية لاحقة بمؤسسة خارج نطاق صلاحياتك",
         "cet élève est inscrit une année scolaire ultérieure dans un établissement hors de votre périmètre"},
  Sentence{"enrolled this school year in a school outside your scope: held as a transfer request for that school to accept",
         "مسجل هذه السنة الدراسية بمؤسسة خارج نطاق صلاحياتك: حُفظ الصف طلبَ انتقال تقبله تلك المؤسسة",
         "inscrit cette année scolaire dans un établissement hors de votre périmètre : ligne gardée comme demande de transfert, à accepter par cet établissement"},
  Sentence{"this CIN is the payee of a household whose children attend schools outside your scope: held as a request to link the pupil, for one of those schools to accept",
         "رقم البطاقة هذا لولي أمر أسرة يدرس أبناؤها بمؤسسات خارج نطاق صلاحياتك: حُفظ الصف طلبَ ربط للتلميذ تقبله إحدى تلك المؤسسات",
         "cette CIN est celle du tuteur d'un ménage dont les enfants sont scolarisés hors de votre périmètre : ligne gardée comme demande de rattachement de l'élève, à accepter par l'un de ces établissements"},
};
// clang-format on

}  // namespace

bool reason_listed(std::string_view tmpl) {
  return listed(kReasons, tmpl);
}

std::string render_reason(const ImportIssue& i, Lang lang) {
  return say(kReasons, i.reason_template, i.args, lang).value_or(i.reason);
}

bool reason_translations_complete() {
  return translations_complete(kReasons);
}

}  // namespace sanad::app
