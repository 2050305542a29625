#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "kernel/dates.hpp"
#include "kernel/ids.hpp"
#include "kernel/parallel.hpp"
#include "kernel/text.hpp"
#include "kernel/vocab.hpp"

using namespace sanad;

TEST(Normalize, HamzaFormsMeet) {
  EXPECT_EQ(normalize_name("أيوب"), normalize_name("ايوب"));
  EXPECT_EQ(normalize_name("إلياس"), normalize_name("الياس"));
  EXPECT_EQ(normalize_name("آدم"), normalize_name("ادم"));
  EXPECT_EQ(normalize_name("مسؤول"), normalize_name("مسوول"));
}

TEST(Normalize, TaMarbutaAlefMaqsuraDiacriticsTatweel) {
  EXPECT_EQ(normalize_name("فاطمة"), normalize_name("فاطمه"));
  EXPECT_EQ(normalize_name("سلمى"), normalize_name("سلمي"));
  EXPECT_EQ(normalize_name("مُحَمَّد"), "محمد");
  EXPECT_EQ(normalize_name("محـــمد"), "محمد");
}

TEST(Normalize, SpacesAndLatin) {
  EXPECT_EQ(normalize_name("  فاطمة   الزهراء "), normalize_name("فاطمة الزهراء"));
  EXPECT_EQ(normalize_name("Aïcha  EL-Fassi"), "aicha el fassi");
  EXPECT_EQ(normalize_name("Chérif Ça"), "cherif ca");
  EXPECT_EQ(normalize_name("٢٠١٨"), "2018");
  EXPECT_NE(normalize_name("محمد"), normalize_name("أحمد"));
}

TEST(Normalize, LatinKeyCollapsesDoubledLetters) {
  EXPECT_EQ(latin_key("Mohammed"), latin_key("Mohamed"));
  EXPECT_EQ(latin_key("Bakkali"), latin_key("Bakali"));
  EXPECT_NE(latin_key("Mohamed"), latin_key("Ahmed"));
}

// A search finds every spelling within the edits a word's length allows: one letter changed,
// dropped, added or two swapped in a word of 4 to 6 letters; two in a longer one.
TEST(NameMatch, FindsEveryVariantWithinTheAllowedEdits) {
  const std::u32string letters = U"ابتثجحخدذرزسشصضطظعغفقكلمنهوي";
  const std::vector<std::u32string> words = {U"بنعلي",   U"الحسني", U"عبدالرحمان", U"مصطفى",
                                             U"البقالي", U"فاطمه",  U"الإدريسي"};
  int checked = 0;
  for (const auto& w : words) {
    const int allowed = w.size() >= 7 ? 2 : 1;
    std::vector<std::u32string> once;
    for (std::size_t i = 0; i < w.size(); ++i) {
      for (char32_t c : letters) {
        auto sub = w;
        sub[i] = c;
        once.push_back(sub);
        auto ins = w;
        ins.insert(ins.begin() + static_cast<std::ptrdiff_t>(i), c);
        once.push_back(ins);
      }
      auto del = w;
      del.erase(i, 1);
      once.push_back(del);
      if (i + 1 < w.size()) {
        auto swp = w;
        std::swap(swp[i], swp[i + 1]);
        once.push_back(swp);
      }
    }
    std::vector<std::u32string> variants = once;
    if (allowed == 2)  // a second edit on some of the first ones
      for (std::size_t k = 0; k < once.size(); k += 7) {
        auto v = once[k];
        v.erase(v.size() / 2, 1);
        variants.push_back(v);
        auto s = once[k];
        s.back() = U'ة';
        variants.push_back(s);
      }
    for (const auto& v : variants) {
      if (v.size() < 4 && w.size() < 4) continue;
      const bool close = edit_distance(w, v) <= allowed;
      const int found = name_match(NameWords{w}, NameWords{std::u32string(U"محمد"), v});
      if (close && v != w) {
        EXPECT_GE(found, 1);
        ++checked;
      }
      if (!close && v.size() <= w.size()) {
        EXPECT_EQ(found, 0);
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

// The packed table scores every name as name_match does.
TEST(NameMatch, PackedTableScoresLikeTheWords) {
  const std::vector<std::string> names = {"محمد بنعلي",
                                          "فاطمة الزهراء الحسني",
                                          "بنعلى محمد",
                                          "mohamed benali",
                                          "",
                                          "عبد الرحمان البقالي",
                                          "محمد بن علي",
                                          "بنعلي",
                                          "محمد امين بن عبد الله العلوي",
                                          "الزهراء فاطمة",
                                          "mohammed amine ben abdellah"};
  NameTable table;
  for (const auto& n : names) table.add(normalize_name(n));
  ASSERT_EQ(table.size(), names.size());
  int nonzero = 0;
  for (const std::string q : {"محمد بنعلي", "محمد", "بنعل", "benali", "الحسنى", "زهراء", "xyz",
                              "العلوى امين", "عبداله", "مجمد", "فاطمه الزهرا", "abdellah", "amin",
                              "mohamed", "mohamedd benali", "ب", "محم", "فاطمه الز", "moh ab"}) {
    auto qw = name_words(normalize_name(q));
    const auto all = table.match_all(qw);
    ASSERT_EQ(all.size(), names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      int expected = name_match(qw, name_words(normalize_name(names[i])));
      EXPECT_EQ(all[i], expected) << q << " / " << names[i];
      nonzero += expected > 0;
    }
  }
  EXPECT_GT(nonzero, 6);
  EXPECT_EQ(table.match_all({}), std::vector<int>(names.size(), 0));  // an empty query: none
}

TEST(Utf8, RejectsInvalidSequences) {
  EXPECT_TRUE(utf8_valid("سند Sanad"));
  EXPECT_FALSE(utf8_valid("\xC3"));
  EXPECT_FALSE(utf8_valid("\xC0\xAF"));      // overlong
  EXPECT_FALSE(utf8_valid("\xED\xA0\x80"));  // surrogate
  // The same after runs of ASCII (read eight bytes at a time) and within Arabic text, anywhere
  // in a line: a file is valid only if every byte of it is.
  const std::string ascii = "B525661531,03061000X,";
  for (std::size_t cut = 0; cut <= ascii.size(); ++cut) {
    const std::string head = ascii.substr(0, cut);
    EXPECT_TRUE(utf8_valid(head + "أمزيان,رحمة\n" + head)) << cut;
    EXPECT_TRUE(utf8_valid(head + "\xEF\xBF\xBD"));  // U+FFFD itself
    EXPECT_FALSE(utf8_valid(head + "\xD8")) << cut;  // a lead byte at the end
    EXPECT_FALSE(utf8_valid(head + "\xD8" + ascii)) << cut;
    EXPECT_FALSE(utf8_valid(head + "أمز\xC1\xA1" + ascii)) << cut;  // overlong
    EXPECT_FALSE(utf8_valid(head + "\x80" + ascii)) << cut;         // a lone continuation
    EXPECT_FALSE(utf8_valid(head + "\xED\xA0\x80" + ascii)) << cut;
    EXPECT_FALSE(utf8_valid(head + "\xF4\x90\x80\x80")) << cut;  // beyond U+10FFFF
  }
  EXPECT_EQ(utf8_length("سند"), 3u);
}

TEST(Dates, AcceptsTheFormsFilesUse) {
  EXPECT_EQ(parse_date("27/08/2018")->iso(), "2018-08-27");
  EXPECT_EQ(parse_date("27-08-2018")->iso(), "2018-08-27");
  EXPECT_EQ(parse_date("2018-08-27")->iso(), "2018-08-27");
  EXPECT_EQ(parse_date("7/8/2018")->iso(), "2018-08-07");
  EXPECT_EQ(parse_date("43339")->iso(), "2018-08-27");  // Excel serial
  EXPECT_EQ(parse_date("43339.0")->iso(), "2018-08-27");
}

TEST(Dates, RefusesImpossibleDates) {
  EXPECT_FALSE(parse_date("31/02/2018"));
  EXPECT_FALSE(parse_date("29/02/2019"));
  EXPECT_TRUE(parse_date("29/02/2020"));
  EXPECT_FALSE(parse_date("12/13/2018"));
  EXPECT_FALSE(parse_date("27/08/18"));
  EXPECT_FALSE(parse_date("hier"));
  EXPECT_FALSE(parse_date(""));
  EXPECT_FALSE(parse_date("0"));
}

TEST(Dates, ExcelSerialRoundTrip) {
  for (const char* iso : {"1900-03-01", "2000-01-01", "2024-11-22", "2031-12-31"}) {
    Date d = *parse_iso_date(iso);
    EXPECT_EQ(from_excel_serial(to_excel_serial(d)), d) << iso;
  }
  EXPECT_EQ(to_excel_serial(*parse_iso_date("2024-11-22")), 45618);
}

TEST(Dates, SchoolYears) {
  EXPECT_EQ(parse_school_year("2024/2025"), "2024-2025");
  EXPECT_EQ(parse_school_year("2024-25"), "2024-2025");
  EXPECT_FALSE(parse_school_year("2024-2026"));
  EXPECT_FALSE(parse_school_year("2024"));
  // A school year runs from 1 September to 31 August.
  auto of = [](const char* iso) { return SchoolYear::of(*parse_iso_date(iso)); };
  EXPECT_EQ(of("2024-09-01").code(), "2024-2025");
  EXPECT_EQ(of("2025-08-31").code(), "2024-2025");
  EXPECT_EQ(of("2024-08-31").code(), "2023-2024");
  EXPECT_EQ(of("2025-01-15").first_day(), "2024-09-01");
  EXPECT_EQ(of("2025-01-15").last_day(), "2025-08-31");
  EXPECT_TRUE(of("2024-10-01").contains(*parse_iso_date("2025-06-30")));
  EXPECT_FALSE(of("2024-10-01").contains(*parse_iso_date("2025-09-01")));
}

TEST(Ids, MassarCinPhone) {
  EXPECT_TRUE(valid_massar("D166027860"));
  EXPECT_FALSE(valid_massar("D16602786"));
  EXPECT_FALSE(valid_massar("d166027860"));
  EXPECT_FALSE(valid_massar("1166027860"));
  EXPECT_TRUE(valid_cin("C569158"));
  EXPECT_TRUE(valid_cin("CB541194"));
  EXPECT_FALSE(valid_cin("569158"));
  EXPECT_FALSE(valid_cin("ABC12345"));
  EXPECT_EQ(normalize_phone("06 78 29 87 63"), "0678298763");
  EXPECT_EQ(normalize_phone("+212678298763"), "0678298763");
  EXPECT_EQ(normalize_phone("678298763"), "0678298763");
  EXPECT_FALSE(normalize_phone("0178298763"));
  EXPECT_FALSE(normalize_phone("06782987"));
}

TEST(Ids, ScopesFromCodes) {
  EXPECT_EQ(parse_scope("")->kind, NodeKind::nation);
  EXPECT_EQ(parse_scope("03")->kind, NodeKind::region);
  EXPECT_EQ(parse_scope("03.531")->kind, NodeKind::directorate);
  EXPECT_EQ(parse_scope("03.531.01.05")->kind, NodeKind::commune);
  EXPECT_EQ(parse_scope("01.511.01.0")->kind, NodeKind::commune);
  EXPECT_EQ(parse_scope("35310051b")->code, "35310051B");
  EXPECT_FALSE(parse_scope("'; DROP TABLE pupils; --"));
}

TEST(Vocabulary, MassarSpellings) {
  EXPECT_EQ(levels().parse("الأول ابتدائي"), "1AP");
  EXPECT_EQ(levels().parse("الاول ابتدائي"), "1AP");
  EXPECT_EQ(levels().parse("1ap"), "1AP");
  EXPECT_EQ(levels().parse("الثالثة إعدادي"), "3AC");
  EXPECT_EQ(levels().parse("الجذع المشترك"), "TC");
  EXPECT_FALSE(levels().parse("7AP"));
  EXPECT_EQ(sexes().parse("ذكر"), "M");
  EXPECT_EQ(sexes().parse("أنثى"), "F");
  EXPECT_EQ(sexes().parse("G"), "M");
  EXPECT_EQ(relations().parse("الأم"), "mother");
  EXPECT_EQ(yes_no().parse("نعم"), "1");
  EXPECT_EQ(yes_no().parse("non"), "0");
  EXPECT_EQ(cycle_of_level("5AP"), "primaire");
  EXPECT_EQ(cycle_of_level("2AC"), "college");
  EXPECT_EQ(cycle_of_level("2BAC"), "lycee");
}

TEST(Vocabulary, Cycles) {
  auto c = parse_cycles("college+primaire");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, (std::vector<std::string>{"primaire", "college"}));
  EXPECT_EQ(parse_cycles("ابتدائي، إعدادي")->size(), 2u);
  EXPECT_FALSE(parse_cycles("université"));
  EXPECT_EQ(join_cycles(*c, Lang::fr), "primaire+college");
}

TEST(Parallel, EveryPartRunsAndTheFirstFailureInPartOrderIsReported) {
  std::vector<std::atomic<int>> ran(5);
  EXPECT_THROW(
      {
        try {
          run_in_parallel(5, [&](std::size_t k) {
            ++ran[k];
            if (k == 4) throw std::logic_error("part 4");
            if (k == 2) throw std::runtime_error("part 2");
          });
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "part 2");
          throw;
        }
      },
      std::runtime_error);
  for (std::size_t k = 0; k < ran.size(); ++k) EXPECT_EQ(ran[k], 1) << k;
  run_in_parallel(0, [](std::size_t) { FAIL() << "no part to run"; });
}
