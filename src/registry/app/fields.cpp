#include "registry/app/fields.hpp"

#include <algorithm>
#include <map>

#include "kernel/text.hpp"

namespace sanad::app {

using io::ColumnType;

std::optional<ListKind> parse_list_kind(std::string_view s) {
  static const std::map<std::string_view, ListKind> m = {
      {"regions", ListKind::regions},           {"provinces", ListKind::provinces},
      {"directorates", ListKind::directorates}, {"communes", ListKind::communes},
      {"schools", ListKind::schools},           {"pupils", ListKind::pupils},
      {"households", ListKind::households},     {"absences", ListKind::absences}};
  auto it = m.find(s);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::string_view list_kind_name(ListKind k) {
  switch (k) {
    case ListKind::regions:
      return "regions";
    case ListKind::provinces:
      return "provinces";
    case ListKind::directorates:
      return "directorates";
    case ListKind::communes:
      return "communes";
    case ListKind::schools:
      return "schools";
    case ListKind::pupils:
      return "pupils";
    case ListKind::households:
      return "households";
    case ListKind::absences:
      return "absences";
  }
  return "?";
}

std::string_view list_title(ListKind k, Lang lang) {
  bool ar = lang == Lang::ar;
  switch (k) {
    case ListKind::regions:
      return ar ? "الجهات" : "Régions";
    case ListKind::provinces:
      return ar ? "الأقاليم والعمالات" : "Provinces";
    case ListKind::directorates:
      return ar ? "المديريات الإقليمية" : "Directions provinciales";
    case ListKind::communes:
      return ar ? "الجماعات" : "Communes";
    case ListKind::schools:
      return ar ? "المؤسسات التعليمية" : "Établissements";
    case ListKind::pupils:
      return ar ? "التلاميذ" : "Élèves";
    case ListKind::households:
      return ar ? "الأسر" : "Ménages";
    case ListKind::absences:
      return ar ? "الغياب" : "Absences";
  }
  return "";
}

static const Field massar_field{"massar",
                                "رقم التلميذ",
                                "Code Massar",
                                {"رقم مسار", "الرمز", "رمز مسار", "CNE", "code_massar", "massar"}};

const std::vector<Field>& fields_of(ListKind kind) {
  static const std::vector<Field> regions = {
      {"code", "رمز الجهة", "Code région", {"code"}},
      {"name_ar", "اسم الجهة", "Nom arabe", {"name_ar"}},
      {"name_fr", "اسم الجهة بالفرنسية", "Nom", {"name_fr"}},
      {"population", "السكان 2024", "Population 2024", {"population_2024"}, ColumnType::integer},
      {"households", "الأسر 2024", "Ménages 2024", {"households_2024"}, ColumnType::integer},
  };
  static const std::vector<Field> provinces = {
      {"code", "رمز الإقليم", "Code province", {"code"}},
      {"region_code", "رمز الجهة", "Code région", {"region_code"}},
      {"kind", "النوع", "Type", {"type"}},
      {"name_ar", "اسم الإقليم", "Nom arabe", {"name_ar"}},
      {"name_fr", "اسم الإقليم بالفرنسية", "Nom", {"name_fr"}},
      {"population", "السكان 2024", "Population 2024", {"population_2024"}, ColumnType::integer},
      {"households", "الأسر 2024", "Ménages 2024", {"households_2024"}, ColumnType::integer},
  };
  static const std::vector<Field> directorates = {
      {"code", "رمز المديرية", "Code direction", {}},
      {"region_code", "رمز الجهة", "Code région", {}},
      {"name_ar", "اسم المديرية", "Nom arabe", {}},
      {"name_fr", "اسم المديرية بالفرنسية", "Nom", {}},
  };
  static const std::vector<Field> communes = {
      {"code", "رمز الجماعة", "Code commune", {"code"}},
      {"province_code", "رمز الإقليم", "Code province", {"province_code"}},
      {"directorate_code", "رمز المديرية", "Code direction", {}},
      {"milieu", "الوسط", "Milieu", {"type"}},
      {"name_ar", "اسم الجماعة", "Nom arabe", {"name_ar"}},
      {"name_fr", "اسم الجماعة بالفرنسية", "Nom", {"name_fr"}},
      {"population", "السكان 2024", "Population 2024", {"population_2024"}, ColumnType::integer},
  };
  static const std::vector<Field> schools = {
      {"code",
       "رمز المؤسسة",
       "Code GRESA",
       {"Code établissement", "Code etablissement", "رمز المؤسسة التعليمية", "GRESA"}},
      {"name_ar",
       "اسم المؤسسة بالعربية",
       "Nom arabe",
       {"اسم المؤسسة", "المؤسسة", "Nom établissement (arabe)"}},
      {"name_fr",
       "اسم المؤسسة بالفرنسية",
       "Nom établissement",
       {"Nom de l'établissement", "Établissement"}},
      {"cycles", "السلك", "Cycle", {"الأسلاك", "Cycles", "Cycle d'enseignement"}},
      {"commune", "رمز الجماعة", "Code commune", {"الجماعة", "Commune"}},
      {"milieu", "الوسط", "Milieu", {"Milieu (urbain/rural)"}},
      {"sector", "القطاع", "Secteur", {"Public/Privé"}},
      {"boarding_beds",
       "عدد الأسرة بالداخلية",
       "Lits internat",
       {"الطاقة الاستيعابية للداخلية", "Capacité internat", "Lits"},
       ColumnType::integer},
      {"canteen", "المطعم المدرسي", "Cantine", {"مطعم مدرسي", "Cantine scolaire"}},
  };
  static const std::vector<Field> pupils = {
      massar_field,
      {"last_ar", "النسب", "Nom (arabe)", {"الاسم العائلي", "النسب بالعربية", "nom_ar"}},
      {"first_ar", "الإسم", "Prénom (arabe)", {"الاسم الشخصي", "الاسم بالعربية", "prenom_ar"}},
      {"last_fr", "النسب بالفرنسية", "Nom", {"nom_fr", "Nom de famille"}},
      {"first_fr", "الإسم بالفرنسية", "Prénom", {"الاسم الشخصي بالفرنسية", "prenom_fr"}},
      {"sex", "النوع", "Sexe", {"الجنس", "Genre"}},
      {"birth_date",
       "تاريخ الازدياد",
       "Date de naissance",
       {"تاريخ الميلاد", "Né le"},
       ColumnType::date},
      {"birth_place", "مكان الازدياد", "Lieu de naissance", {"مكان الميلاد", "Né à"}},
      {"school_code", "رمز المؤسسة", "Code GRESA", {"Code établissement", "Code etablissement"}},
      {"school_year", "السنة الدراسية", "Année scolaire", {"الموسم الدراسي", "Annee scolaire"}},
      {"level", "المستوى", "Niveau", {"المستوى الدراسي"}},
      {"class", "القسم", "Classe", {"الفوج"}},
      {"status", "الوضعية", "Statut", {"الحالة", "Situation"}},
      {"transfer_to",
       "المؤسسة المستقبلة",
       "Transféré vers",
       {"منتقل إلى", "Établissement d'accueil"}},
      {"left_date",
       "تاريخ المغادرة",
       "Date de départ",
       {"تاريخ الانقطاع", "Date d'abandon"},
       ColumnType::date},
  };
  static const std::vector<Field> households = {
      massar_field,
      {"payee_cin",
       "رقم البطاقة الوطنية لولي الأمر",
       "CIN du tuteur",
       {"رقم البطاقة الوطنية", "CIN", "CNIE"}},
      {"payee_name", "اسم ولي الأمر", "Nom du tuteur", {"ولي الأمر", "Nom et prénom du tuteur"}},
      {"relation", "صفة ولي الأمر", "Lien de parenté", {"الصفة", "Qualité", "Lien"}},
      {"phone", "الهاتف", "Téléphone", {"رقم الهاتف", "Tel", "GSM"}},
      {"ramed", "رقم بطاقة راميد", "N° RAMED", {"راميد", "RAMED", "Carte RAMED"}},
  };
  static const std::vector<Field> absences = {
      massar_field,
      {"date", "تاريخ الغياب", "Date d'absence", {"التاريخ", "Date"}, ColumnType::date},
      {"justified", "مبرر", "Justifiée", {"الغياب مبرر", "Justifié", "Justification"}},
      {"sessions",
       "عدد الحصص",
       "Séances",
       {"الحصص", "عدد حصص الغياب", "Nombre de séances", "Seances", "Demi-journées"},
       ColumnType::integer},
  };
  switch (kind) {
    case ListKind::regions:
      return regions;
    case ListKind::provinces:
      return provinces;
    case ListKind::directorates:
      return directorates;
    case ListKind::communes:
      return communes;
    case ListKind::schools:
      return schools;
    case ListKind::pupils:
      return pupils;
    case ListKind::households:
      return households;
    case ListKind::absences:
      return absences;
  }
  return regions;
}

static std::string heading_key(std::string_view s) {
  std::string n = normalize_name(s);
  n.erase(std::remove(n.begin(), n.end(), ' '), n.end());
  return n;
}

std::optional<std::string_view> field_for_heading(ListKind kind, std::string_view heading) {
  std::string k = heading_key(heading);
  if (k.empty()) return std::nullopt;
  for (const auto& f : fields_of(kind)) {
    if (heading_key(f.heading_ar) == k || heading_key(f.heading_fr) == k) return f.key;
    for (auto a : f.aliases)
      if (heading_key(a) == k) return f.key;
  }
  return std::nullopt;
}

}  // namespace sanad::app
