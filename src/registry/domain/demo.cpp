#include "registry/domain/demo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"

namespace sanad::demo {
namespace {

// splitmix64: small, fast, and the same numbers on every machine.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  int64_t below(int64_t n) {
    return n <= 0 ? 0 : static_cast<int64_t>(next() % static_cast<uint64_t>(n));
  }
  bool chance(double p) { return uniform() < p; }
  int poisson(double lambda) {
    double l = std::exp(-lambda), p = 1.0;
    int k = 0;
    do {
      ++k;
      p *= uniform();
    } while (p > l && k < 60);
    return k - 1;
  }
};

uint64_t mix(uint64_t a, uint64_t b) {
  Rng r(a * 0x2545F4914F6CDD1DULL ^ b);
  return r.next();
}

struct Name {
  const char* ar;
  std::vector<const char*> fr;  // the usual spelling first, then variants
};

const std::vector<Name>& male_names() {
  static const std::vector<Name> v = {
      {"محمد", {"Mohamed", "Mohammed", "Mhamed", "Muhammad"}},
      {"أحمد", {"Ahmed", "Ahmad"}},
      {"يوسف", {"Youssef", "Youssouf", "Yousef"}},
      {"أيوب", {"Ayoub", "Ayyoub"}},
      {"حمزة", {"Hamza", "Hamzah"}},
      {"زكرياء", {"Zakaria", "Zakariae", "Zakariya"}},
      {"إلياس", {"Ilyas", "Ilias", "Elyas"}},
      {"آدم", {"Adam"}},
      {"عمر", {"Omar", "Omer"}},
      {"مهدي", {"Mehdi", "Mahdi"}},
      {"ياسين", {"Yassine", "Yasin"}},
      {"عبد الله", {"Abdellah", "Abdallah", "Abdullah"}},
      {"إدريس", {"Driss", "Idriss"}},
      {"الحسين", {"El Houcine", "Lhoucine", "Houssine"}},
      {"رشيد", {"Rachid", "Rashid"}},
      {"سعيد", {"Said", "Saïd"}},
      {"عثمان", {"Othmane", "Otmane"}},
      {"أنس", {"Anas"}},
      {"بلال", {"Bilal", "Billal"}},
      {"إسماعيل", {"Ismail", "Smail"}},
      {"نوفل", {"Nawfal", "Naoufal"}},
      {"سفيان", {"Soufiane", "Sofiane"}},
      {"عبد الرحيم", {"Abderrahim", "Abderahim"}},
      {"مصطفى", {"Mustapha", "Mostafa", "Moustafa"}},
      {"إبراهيم", {"Brahim", "Ibrahim"}},
      {"خالد", {"Khalid", "Khaled"}},
      {"وليد", {"Walid", "Oualid"}},
      {"ريان", {"Rayane", "Rayan"}},
  };
  return v;
}

const std::vector<Name>& female_names() {
  static const std::vector<Name> v = {
      {"فاطمة الزهراء", {"Fatima Zahra", "Fatima Zohra", "Fatimazahra"}},
      {"فاطمة", {"Fatima", "Fatma"}},
      {"خديجة", {"Khadija", "Khadidja"}},
      {"مريم", {"Meryem", "Maryam", "Meriem"}},
      {"سلمى", {"Salma"}},
      {"نهيلة", {"Nouhaila", "Nouhayla"}},
      {"إيمان", {"Imane", "Iman"}},
      {"آية", {"Aya", "Aya"}},
      {"هبة", {"Hiba", "Hibat"}},
      {"سارة", {"Sara", "Sarah"}},
      {"زينب", {"Zineb", "Zaynab"}},
      {"عائشة", {"Aicha", "Aïcha", "Aisha"}},
      {"رشيدة", {"Rachida", "Rashida"}},
      {"زهرة", {"Zahra", "Zohra"}},
      {"حليمة", {"Halima"}},
      {"نادية", {"Nadia"}},
      {"أسماء", {"Asmae", "Asmaa", "Asma"}},
      {"هاجر", {"Hajar", "Hajer"}},
      {"وئام", {"Wiam", "Ouiam"}},
      {"ملاك", {"Malak"}},
      {"رحمة", {"Rahma"}},
      {"كوثر", {"Kawtar", "Kaoutar"}},
      {"إكرام", {"Ikram"}},
      {"سكينة", {"Soukaina", "Soukayna", "Sokaina"}},
  };
  return v;
}

const std::vector<Name>& surnames() {
  static const std::vector<Name> v = {
      {"العلوي", {"Alaoui", "El Alaoui", "Elalaoui"}},
      {"الإدريسي", {"Idrissi", "El Idrissi", "Drissi"}},
      {"بنعلي", {"Benali", "Ben Ali"}},
      {"الفاسي", {"Fassi", "El Fassi"}},
      {"التازي", {"Tazi", "Tazzi"}},
      {"البقالي", {"Bakkali", "El Bakkali", "Bekkali"}},
      {"الشرقاوي", {"Cherkaoui", "Charkaoui"}},
      {"أزروال", {"Azeroual", "Azeroil"}},
      {"الحمداوي", {"Hamdaoui", "El Hamdaoui"}},
      {"الورياغلي", {"Ouariaghli", "Wariaghli"}},
      {"المرابط", {"Mrabet", "El Mrabet"}},
      {"السوسي", {"Soussi", "Essoussi"}},
      {"بنكيران", {"Benkirane", "Ben Kirane"}},
      {"الزياني", {"Ziani", "Zayani"}},
      {"أمزيان", {"Amziane", "Amzian"}},
      {"الصديقي", {"Seddiki", "Sadiki"}},
      {"بوزيدي", {"Bouzidi"}},
      {"المنصوري", {"Mansouri", "El Mansouri"}},
      {"الرحماني", {"Rahmani", "Errahmani"}},
      {"أيت علي", {"Ait Ali", "Aït Ali"}},
      {"أوحمو", {"Ouhammou", "Ouhamou"}},
      {"الكتاني", {"Kettani", "Kattani"}},
      {"بوعزة", {"Bouazza", "Bouaza"}},
      {"الغزاوي", {"Ghazaoui", "El Ghazaoui"}},
      {"الطاهري", {"Tahiri", "Taheri"}},
      {"النجاري", {"Najjari", "Nejjari"}},
      {"الحسني", {"Hassani", "El Hassani"}},
      {"بنجلون", {"Benjelloun", "Benjeloun"}},
      {"اليوسفي", {"Youssfi", "El Youssfi"}},
      {"العمراني", {"Amrani", "El Amrani"}},
  };
  return v;
}

const std::vector<Name>& school_names() {
  static const std::vector<Name> v = {
      {"الوحدة", {"Al Wahda"}},
      {"ابن خلدون", {"Ibn Khaldoun"}},
      {"المسيرة", {"Al Massira"}},
      {"ابن سينا", {"Ibn Sina"}},
      {"الفتح", {"Al Fath"}},
      {"النهضة", {"Annahda"}},
      {"الأمل", {"Al Amal"}},
      {"ابن رشد", {"Ibn Rochd"}},
      {"الإمام مالك", {"Imam Malik"}},
      {"الزيتون", {"Azzaitoune"}},
      {"أبو بكر الصديق", {"Abou Bakr Seddik"}},
      {"عمر بن الخطاب", {"Omar Ibn Al Khattab"}},
      {"الخوارزمي", {"Al Khawarizmi"}},
      {"ابن بطوطة", {"Ibn Battouta"}},
      {"الفارابي", {"Al Farabi"}},
      {"المغرب العربي", {"Al Maghrib Al Arabi"}},
      {"الحسن الثاني", {"Hassan II"}},
      {"محمد الخامس", {"Mohammed V"}},
      {"الأندلس", {"Al Andalous"}},
      {"القدس", {"Al Qods"}},
      {"الرازي", {"Arrazi"}},
      {"الجاحظ", {"Al Jahid"}},
      {"طارق بن زياد", {"Tarik Ibn Ziad"}},
      {"يوسف بن تاشفين", {"Youssef Ibn Tachfine"}},
      {"عبد الكريم الخطابي", {"Abdelkrim Al Khattabi"}},
      {"الشريف الإدريسي", {"Charif Al Idrissi"}},
  };
  return v;
}

// Arabic spelling variants met in real files: hamza forms dropped, ة written ه, ى written ي.
std::string arabic_variant(const std::string& s, Rng& r) {
  std::string out = s;
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t p = 0; (p = out.find(from, p)) != std::string::npos; p += to.size())
      out.replace(p, from.size(), to);
  };
  switch (r.below(3)) {
    case 0:
      replace_all("أ", "ا");
      replace_all("إ", "ا");
      replace_all("آ", "ا");
      break;
    case 1:
      replace_all("ة", "ه");
      break;
    default:
      replace_all("ى", "ي");
      break;
  }
  return out;
}

std::pair<std::string, std::string> pick_name(const Name& n, Rng& r, double variant) {
  std::string ar = n.ar, fr = n.fr.front();
  if (r.chance(variant)) ar = arabic_variant(ar, r);
  if (n.fr.size() > 1 && r.chance(0.3))
    fr = n.fr[1 + static_cast<std::size_t>(r.below(static_cast<int64_t>(n.fr.size() - 1)))];
  return {ar, fr};
}

const char* const kLevels[] = {"1AP", "2AP", "3AP", "4AP", "5AP",  "6AP",
                               "1AC", "2AC", "3AC", "TC",  "1BAC", "2BAC"};

struct DemoSchool {
  std::size_t index;  // into chunk.schools
  std::string cycle;
  std::size_t commune;
};

std::string school_code(const std::string& province_code, int seq, uint64_t h) {
  static const char* letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  static const char* b36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string digits = province_code.substr(0, 2) + province_code.substr(3, 3);
  std::string s(3, '0');
  for (int i = 2; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = b36[seq % 36];
    seq /= 36;
  }
  return digits + s + letters[h % 24];
}

}  // namespace

int64_t pupils_of_commune(const Params& p, int64_t population) {
  return static_cast<int64_t>(
      std::llround(static_cast<double>(population) * p.pupils_per_inhabitant));
}

std::string massar_for(int64_t index) {
  static const char letters[] = "DRKSJGMNPB";
  uint64_t digits = (static_cast<uint64_t>(index) * 387420489ULL + 123456789ULL) % 1000000000ULL;
  return fmt::format("{}{:09d}", letters[(static_cast<uint64_t>(index) / 7) % 10], digits);
}

static std::string cin_for(int64_t index) {
  uint64_t i = static_cast<uint64_t>(index);
  uint64_t block = (i / 1000000) % 676;
  uint64_t digits =
      ((i % 1000000) * 531441ULL + 271828ULL) % 1000000ULL;  // 3^12, a bijection mod 10^6
  std::string s;
  s += static_cast<char>('A' + block / 26);
  s += static_cast<char>('A' + block % 26);
  return s + fmt::format("{:06d}", digits);
}

std::vector<std::string> school_days(int year, int month) {
  std::vector<std::string> out;
  for (int d = 1; d <= days_in_month(year, month); ++d)
    if (Date dt{year, month, d}; is_school_day(dt)) out.push_back(dt.iso());
  return out;
}

Chunk generate_province(const Params& p, const std::vector<CommuneInfo>& communes,
                        int64_t pupil_offset, int64_t commune_offset, int max_schools) {
  Chunk out;
  if (communes.empty()) return out;
  const int start = school_year_start(p.school_year);
  const std::string& province = communes.front().province_code;
  Rng prov_rng(mix(p.seed, static_cast<uint64_t>(commune_offset) * 7919 + 1));

  // 1. Schools of each commune, by the size of its population of pupils.
  std::vector<DemoSchool> dschools;
  int seq = 0;
  auto add_school = [&](std::size_t ci, const std::string& cycle, Rng& r) {
    const CommuneInfo& c = communes[ci];
    School s;
    const Name& n = school_names()[static_cast<std::size_t>(
        r.below(static_cast<int64_t>(school_names().size())))];
    s.code = school_code(province, seq++, r.next());
    const bool rural = c.milieu == "rural";
    if (cycle == "primaire") {
      s.name_ar = std::string("مدرسة ") + n.ar;
      s.name_fr = std::string("Ecole ") + n.fr.front();
      s.canteen = rural ? r.chance(0.6) : r.chance(0.1);
      s.sector = !rural && r.chance(0.1) ? "private" : "public";
    } else if (cycle == "college") {
      s.name_ar = std::string("الثانوية الإعدادية ") + n.ar;
      s.name_fr = std::string("Collège ") + n.fr.front();
      s.canteen = rural ? r.chance(0.8) : r.chance(0.2);
      s.boarding_beds = rural && r.chance(0.5) ? 40 + r.below(160) : 0;
      s.sector = "public";
    } else {
      s.name_ar = std::string("الثانوية التأهيلية ") + n.ar;
      s.name_fr = std::string("Lycée ") + n.fr.front();
      s.canteen = r.chance(0.3);
      s.boarding_beds = r.chance(rural ? 0.5 : 0.2) ? 60 + r.below(190) : 0;
      s.sector = "public";
    }
    s.cycles = {cycle};
    s.commune_code = c.code;
    s.milieu = c.milieu;
    dschools.push_back({out.schools.size(), cycle, ci});
    out.schools.push_back(std::move(s));
  };
  std::vector<int64_t> totals(communes.size());
  std::vector<std::array<int64_t, 3>> by_cycle(communes.size());
  for (std::size_t ci = 0; ci < communes.size(); ++ci) {
    totals[ci] = pupils_of_commune(p, communes[ci].population);
    int64_t prim = std::llround(static_cast<double>(totals[ci]) * p.share_primary);
    int64_t col = std::llround(static_cast<double>(totals[ci]) * p.share_college);
    by_cycle[ci] = {prim, col, totals[ci] - prim - col};
  }
  for (std::size_t ci = 0; ci < communes.size(); ++ci) {
    Rng r(mix(p.seed, static_cast<uint64_t>(commune_offset + static_cast<int64_t>(ci)) * 31 + 2));
    const bool rural = communes[ci].milieu == "rural";
    int64_t nprim =
        std::max<int64_t>(1, std::llround(static_cast<double>(by_cycle[ci][0]) /
                                          (rural ? p.rural_primary_size : p.urban_primary_size)));
    for (int64_t k = 0; k < nprim; ++k) add_school(ci, "primaire", r);
    if (by_cycle[ci][1] >= 200)
      for (int64_t k = 0,
                   n = std::max<int64_t>(
                       1, std::llround(static_cast<double>(by_cycle[ci][1]) / p.college_size));
           k < n; ++k)
        add_school(ci, "college", r);
    if (by_cycle[ci][2] >= 300)
      for (int64_t k = 0, n = std::max<int64_t>(
                              1, std::llround(static_cast<double>(by_cycle[ci][2]) / p.lycee_size));
           k < n; ++k)
        add_school(ci, "lycee", r);
  }
  // Communes too small for a collège or a lycée send their pupils to the province's first one.
  auto hub = [&](const std::string& cycle) -> std::ptrdiff_t {
    for (std::size_t i = 0; i < dschools.size(); ++i)
      if (dschools[i].cycle == cycle) return static_cast<std::ptrdiff_t>(i);
    return -1;
  };
  if (hub("college") < 0) {
    Rng r(mix(p.seed, static_cast<uint64_t>(commune_offset) * 31 + 3));
    add_school(0, "college", r);
  }
  if (hub("lycee") < 0) {
    Rng r(mix(p.seed, static_cast<uint64_t>(commune_offset) * 31 + 4));
    add_school(0, "lycee", r);
  }
  if (max_schools > 0 && static_cast<int>(out.schools.size()) > max_schools) {
    out.schools.resize(static_cast<std::size_t>(max_schools));
    dschools.resize(static_cast<std::size_t>(max_schools));
  }

  // 2. Pupils, commune by commune, level by level, school by school.
  int64_t global = pupil_offset;
  const Date year_start{start, 9, 1};
  std::vector<std::size_t> commune_first_pupil(communes.size() + 1, 0);
  for (std::size_t ci = 0; ci < communes.size(); ++ci) {
    commune_first_pupil[ci] = out.pupils.size();
    Rng r(mix(p.seed, static_cast<uint64_t>(commune_offset + static_cast<int64_t>(ci)) * 31 + 5));
    const bool rural = communes[ci].milieu == "rural";
    for (int cyc = 0; cyc < 3; ++cyc) {
      const char* cycle = cyc == 0 ? "primaire" : cyc == 1 ? "college" : "lycee";
      std::vector<std::size_t> targets;
      for (std::size_t i = 0; i < dschools.size(); ++i)
        if (dschools[i].cycle == cycle && dschools[i].commune == ci) targets.push_back(i);
      // At the one-school scale only the kept school's own pupils are generated.
      if (targets.empty() && max_schools == 0) {
        auto h = hub(cycle);
        if (h >= 0 && static_cast<std::size_t>(h) < dschools.size())
          targets.push_back(static_cast<std::size_t>(h));
      }
      const int first_level = cyc == 0 ? 0 : cyc == 1 ? 6 : 9;
      const int nlevels = cyc == 0 ? 6 : 3;
      int64_t n = by_cycle[ci][static_cast<std::size_t>(cyc)];
      if (targets.empty()) {
        global += n;  // keep codes stable even when schools are cut (one-school scale)
        continue;
      }
      for (int64_t k = 0; k < n; ++k) {
        // Later levels are a little smaller: dropout along the way.
        int li = static_cast<int>(r.below(nlevels * 10 + nlevels * (nlevels - 1) / 2));
        int lv = 0;
        for (int acc = 0; lv < nlevels - 1; ++lv) {
          acc += 10 + (nlevels - 1 - lv);
          if (li < acc) break;
        }
        const int level = first_level + lv;
        const DemoSchool& ds =
            dschools[targets[static_cast<std::size_t>(k % static_cast<int64_t>(targets.size()))]];
        const School& school = out.schools[ds.index];
        Pupil pu;
        pu.massar = massar_for(global++);
        double boys = cyc == 0 ? 0.515 : rural ? (cyc == 1 ? 0.53 : 0.55) : 0.50;
        pu.sex = r.chance(boys) ? "M" : "F";
        const Name& fn = pu.sex == "M" ? male_names()[static_cast<std::size_t>(
                                             r.below(static_cast<int64_t>(male_names().size())))]
                                       : female_names()[static_cast<std::size_t>(
                                             r.below(static_cast<int64_t>(female_names().size())))];
        auto [ar, fr] = pick_name(fn, r, p.name_variant);
        pu.first_ar = ar;
        pu.first_fr = fr;
        double u = r.uniform();
        int delay = u < 0.78 ? 0 : u < 0.94 ? 1 : 2;
        int age = 6 + level + delay;
        Date born =
            Date::from_days(year_start.days() - static_cast<int64_t>(age) * 365 - r.below(365));
        pu.birth_date = born.iso();
        Enrolment e;
        e.massar = pu.massar;
        e.school_year = p.school_year;
        e.school_code = school.code;
        e.level = kLevels[level];
        e.class_name =
            fmt::format("{}-{}", lv + 1,
                        1 + r.below(std::max<int64_t>(
                                1, n / nlevels / 35 / static_cast<int64_t>(targets.size()) + 1)));
        double rep = cyc == 0 ? p.repeat_primary : cyc == 1 ? p.repeat_college : p.repeat_lycee;
        double drop = cyc == 0   ? (rural ? p.dropout_primary_rural : p.dropout_primary_urban)
                      : cyc == 1 ? (rural ? p.dropout_college_rural : p.dropout_college_urban)
                                 : p.dropout_lycee;
        e.status = "enrolled";
        double s = r.uniform();
        if (s < drop) {
          e.status = "left";
          e.left_date = Date::from_days(Date{start, 10, 1}.days() + r.below(240)).iso();
        } else if (s < drop + p.transfer) {
          // A transfer to another school of the same cycle in the province, if there is one.
          std::vector<std::size_t> others;
          for (std::size_t i = 0; i < dschools.size(); ++i)
            if (dschools[i].cycle == cycle && out.schools[dschools[i].index].code != school.code)
              others.push_back(i);
          if (!others.empty()) {
            const School& dest = out.schools[dschools[others[static_cast<std::size_t>(r.below(
                                                          static_cast<int64_t>(others.size())))]]
                                                 .index];
            e.status = "transferred";
            e.transfer_to = dest.code;
            Enrolment arrival = e;
            arrival.school_code = dest.code;
            arrival.status = "enrolled";
            arrival.transfer_to.clear();
            out.enrolments.push_back(e);
            e = arrival;
          }
        } else if (s < drop + p.transfer + rep) {
          e.status = "repeating";
        }
        pu.birth_place = communes[ci].name_ar;
        out.pupils.push_back(std::move(pu));
        out.enrolments.push_back(std::move(e));
      }
    }
  }
  commune_first_pupil[communes.size()] = out.pupils.size();

  // 3. Households: siblings of one commune share a surname and a payee.
  for (std::size_t ci = 0; ci < communes.size(); ++ci) {
    Rng r(mix(p.seed, static_cast<uint64_t>(commune_offset + static_cast<int64_t>(ci)) * 31 + 6));
    const bool rural = communes[ci].milieu == "rural";
    std::size_t a = commune_first_pupil[ci], b = commune_first_pupil[ci + 1];
    // A shuffled order mixes levels and schools inside households.
    std::vector<std::size_t> order(b - a);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = a + i;
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[static_cast<std::size_t>(r.below(static_cast<int64_t>(i)))]);
    std::size_t i = 0;
    while (i < order.size()) {
      double u = r.uniform();
      std::size_t size = u < 0.45 ? 1 : u < 0.77 ? 2 : u < 0.92 ? 3 : u < 0.98 ? 4 : 5;
      size = std::min(size, order.size() - i);
      const Name& sn =
          surnames()[static_cast<std::size_t>(r.below(static_cast<int64_t>(surnames().size())))];
      auto [sur_ar, sur_fr] = pick_name(sn, r, 0);
      Household h;
      // The first child's national index is unique: it makes the CIN unique too.
      h.payee_cin = cin_for(pupil_offset + static_cast<int64_t>(order[i]));
      double rel = r.uniform();
      std::string relation = rel < 0.55 ? "mother" : rel < 0.95 ? "father" : "guardian";
      if (relation == "father") {
        const Name& fn = male_names()[static_cast<std::size_t>(
            r.below(static_cast<int64_t>(male_names().size())))];
        h.payee_name = std::string(fn.ar) + " " + sur_ar;
      } else {
        const Name& fn = female_names()[static_cast<std::size_t>(
            r.below(static_cast<int64_t>(female_names().size())))];
        const Name& other =
            surnames()[static_cast<std::size_t>(r.below(static_cast<int64_t>(surnames().size())))];
        h.payee_name =
            std::string(fn.ar) + " " + (relation == "guardian" ? sur_ar : std::string(other.ar));
      }
      if (r.chance(p.name_variant)) h.payee_name = arabic_variant(h.payee_name, r);
      h.phone = fmt::format("0{}{:08d}", r.chance(0.7) ? 6 : 7, r.below(100000000));
      if (r.chance(rural ? 0.65 : 0.35)) h.ramed = fmt::format("R{:08d}", r.below(100000000));
      for (std::size_t k = 0; k < size; ++k) {
        Pupil& child = out.pupils[order[i + k]];
        child.last_ar = sur_ar;
        child.last_fr = sur_fr;
        out.memberships.push_back({child.massar, h.payee_cin, relation});
      }
      out.households.push_back(std::move(h));
      i += size;
    }
  }

  // 4. Absences, month by month.
  if (p.absences) {
    std::vector<std::vector<std::string>> days(10);
    const int months[10] = {9, 10, 11, 12, 1, 2, 3, 4, 5, 6};
    for (int m = 0; m < 10; ++m)
      days[static_cast<std::size_t>(m)] =
          school_days(months[m] >= 9 ? start : start + 1, months[m]);
    std::vector<std::string> left_of(out.pupils.size());
    std::unordered_map<std::string, std::size_t> idx;
    for (std::size_t i = 0; i < out.pupils.size(); ++i) idx.emplace(out.pupils[i].massar, i);
    std::vector<char> rural_of(out.pupils.size(), 0), secondary(out.pupils.size(), 0);
    for (const auto& e : out.enrolments) {
      auto it = idx.find(e.massar);
      if (it == idx.end()) continue;
      if (e.status == "left") left_of[it->second] = e.left_date;
      if (e.level.find("AP") == std::string::npos) secondary[it->second] = 1;
    }
    for (std::size_t ci = 0; ci < communes.size(); ++ci)
      for (std::size_t i = commune_first_pupil[ci]; i < commune_first_pupil[ci + 1]; ++i)
        rural_of[i] = communes[ci].milieu == "rural";
    for (std::size_t i = 0; i < out.pupils.size(); ++i) {
      Rng r(mix(p.seed ^ 0xABCDEF, static_cast<uint64_t>(pupil_offset) + i));
      bool chronic = r.chance(p.chronic_absentees);
      for (int m = 0; m < 10; ++m) {
        const auto& md = days[static_cast<std::size_t>(m)];
        if (md.empty()) continue;
        bool winter = months[m] == 12 || months[m] == 1 || months[m] == 2;
        double lambda = rural_of[i] ? 1.0 : 0.7;
        if (rural_of[i] && winter) lambda *= 2.2;
        if (secondary[i]) lambda *= 1.3;
        if (chronic) lambda *= 6;
        int n = std::min<int>(r.poisson(lambda), static_cast<int>(md.size()));
        if (n == 0) continue;
        // n distinct days, in order.
        std::vector<std::size_t> pick;
        while (static_cast<int>(pick.size()) < n) {
          std::size_t d = static_cast<std::size_t>(r.below(static_cast<int64_t>(md.size())));
          if (std::find(pick.begin(), pick.end(), d) == pick.end()) pick.push_back(d);
        }
        std::sort(pick.begin(), pick.end());
        for (std::size_t d : pick) {
          if (!left_of[i].empty() && md[d] > left_of[i]) break;
          out.absences.push_back({out.pupils[i].massar, md[d], r.chance(0.3)});
        }
      }
    }
  }
  // 5. The year before.
  if (p.previous_year) {
    const std::string prev = fmt::format("{}-{}", start - 1, start);
    auto level_index = [](const std::string& code) {
      for (int i = 0; i < 12; ++i)
        if (code == kLevels[i]) return i;
      return -1;
    };
    std::unordered_map<std::string, std::size_t> pupil_of;
    for (std::size_t i = 0; i < out.pupils.size(); ++i) pupil_of.emplace(out.pupils[i].massar, i);
    std::unordered_map<std::string, const School*> school_of;
    std::map<std::pair<std::string, std::string>, std::string> feeder;  // (commune, cycle)
    for (const auto& sc : out.schools) {
      school_of.emplace(sc.code, &sc);
      for (const auto& c : sc.cycles) {
        feeder.emplace(std::make_pair(sc.commune_code, c), sc.code);
        feeder.emplace(std::make_pair(std::string(), c), sc.code);
      }
    }
    std::vector<Enrolment> before;
    std::vector<Pupil> dropped;
    std::string last;
    for (const auto& e : out.enrolments) {
      if (e.massar == last) continue;  // a transfer's arrival: the first row says where it began
      last = e.massar;
      const int lv = level_index(e.level);
      if (lv < 0) continue;
      const bool repeating = e.status == "repeating";
      if (!repeating && lv == 0) continue;  // new to school
      // The first level of the collège or the lycée came from a school of the cycle before, in
      // the same commune if it has one.
      std::string where = e.school_code;
      if (!repeating && (lv == 6 || lv == 9)) {
        auto sc = school_of.find(e.school_code);
        const std::string commune = sc == school_of.end() ? "" : sc->second->commune_code;
        auto fed = feeder.find({commune, lv == 6 ? "primaire" : "college"});
        if (fed == feeder.end()) fed = feeder.find({"", lv == 6 ? "primaire" : "college"});
        if (fed == feeder.end()) continue;
        where = fed->second;
      }
      auto pi = pupil_of.find(e.massar);
      if (pi == pupil_of.end()) continue;
      Rng r(mix(p.seed ^ 0x5EED, static_cast<uint64_t>(pupil_offset) + pi->second));
      Enrolment b;
      b.massar = e.massar;
      b.school_year = prev;
      b.school_code = where;
      const int pl = repeating ? lv : lv - 1;
      b.level = kLevels[pl];
      b.class_name = fmt::format("{}-1", pl - (pl >= 9 ? 9 : pl >= 6 ? 6 : 0) + 1);
      b.status = "enrolled";
      before.push_back(b);
      // A classmate of last year who is not there any more.
      auto sc = school_of.find(where);
      const bool rural = sc != school_of.end() && sc->second->milieu == "rural";
      const int cyc = pl < 6 ? 0 : pl < 9 ? 1 : 2;
      const double drop = cyc == 0   ? (rural ? p.dropout_primary_rural : p.dropout_primary_urban)
                          : cyc == 1 ? (rural ? p.dropout_college_rural : p.dropout_college_urban)
                                     : p.dropout_lycee;
      if (!r.chance(drop)) continue;
      Pupil d;
      d.massar = massar_for(2'000'000'000 + pupil_offset + static_cast<int64_t>(pi->second));
      const Pupil& mate = out.pupils[pi->second];
      d.sex = r.chance(rural && cyc > 0 ? 0.45 : 0.5) ? "M" : "F";
      const Name& fn = d.sex == "M" ? male_names()[static_cast<std::size_t>(
                                          r.below(static_cast<int64_t>(male_names().size())))]
                                    : female_names()[static_cast<std::size_t>(
                                          r.below(static_cast<int64_t>(female_names().size())))];
      auto [ar, fr] = pick_name(fn, r, 0);
      d.first_ar = ar;
      d.first_fr = fr;
      const Name& sn =
          surnames()[static_cast<std::size_t>(r.below(static_cast<int64_t>(surnames().size())))];
      auto [sar, sfr] = pick_name(sn, r, 0);
      d.last_ar = sar;
      d.last_fr = sfr;
      d.birth_date = mate.birth_date;
      if (auto bd = parse_iso_date(mate.birth_date))
        d.birth_date = Date::from_days(bd->days() - r.below(300)).iso();
      d.birth_place = mate.birth_place;
      Enrolment de = b;
      de.massar = d.massar;
      de.level = kLevels[pl];
      before.push_back(de);
      dropped.push_back(std::move(d));
    }
    for (auto& d : dropped) out.pupils.push_back(std::move(d));
    for (auto& b : before) out.enrolments.push_back(std::move(b));
  }
  return out;
}

}  // namespace sanad::demo
