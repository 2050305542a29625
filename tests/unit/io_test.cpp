#include <fmt/format.h>
#include <gtest/gtest.h>
#include <iconv.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/table.hpp"
#include "core/io/write.hpp"

using namespace sanad;
using namespace sanad::io;

namespace {

std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "_" + name))
      .string();
}

std::string to_cp1256(const std::string& utf8) {
  iconv_t cd = iconv_open("CP1256", "UTF-8");
  std::string out(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t inl = utf8.size(), outl = out.size();
  char* o = out.data();
  iconv(cd, &in, &inl, &o, &outl);
  iconv_close(cd);
  out.resize(out.size() - outl);
  return out;
}

// A zip archive with the given parts (the same name may appear twice).
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string path = tmp_path("test.zip");
  zipFile z = zipOpen(path.c_str(), APPEND_STATUS_CREATE);
  for (const auto& [name, data] : parts) {
    zipOpenNewFileInZip(z, name.c_str(), nullptr, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED, 9);
    zipWriteInFileInZip(z, data.data(), static_cast<unsigned>(data.size()));
    zipCloseFileInZip(z);
  }
  zipClose(z, nullptr);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return bytes;
}

const std::string kWorkbook =
    R"(<?xml version="1.0"?><workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const std::string kRels =
    R"(<?xml version="1.0"?><Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>)";

std::string sheet_xml(const std::string& rows) {
  return R"(<?xml version="1.0"?><worksheet><sheetData>)" + rows + "</sheetData></worksheet>";
}

std::string unzip_part(const std::string& path, const std::string& part) {
  unzFile z = unzOpen(path.c_str());
  std::string out;
  if (z && unzLocateFile(z, part.c_str(), 1) == UNZ_OK && unzOpenCurrentFile(z) == UNZ_OK) {
    char buf[4096];
    for (int n; (n = unzReadCurrentFile(z, buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
    unzCloseCurrentFile(z);
  }
  if (z) unzClose(z);
  return out;
}

}  // namespace

TEST(Csv, DetectsSemicolonsAndStripsBom) {
  Table t = read_csv_bytes(
      "\xEF\xBB\xBF"
      "a;b;c\r\n1;2;3\r\n",
      "f.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].cells.strings(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t.rows[1].cells[2], "3");
}

TEST(Csv, QuotedCellsKeepDelimitersAndNewlines) {
  Table t = read_csv_bytes(
      "name,note\n\"Alaoui, Zakaria\",\"line1\nline2\"\nx,\"say \"\"hi\"\"\"\n", "f.csv");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[1].cells[0], "Alaoui, Zakaria");
  EXPECT_EQ(t.rows[1].cells[1], "line1\nline2");
  EXPECT_EQ(t.rows[2].cells[1], "say \"hi\"");
  EXPECT_EQ(t.rows[2].number, 4);  // the record after a two-line cell starts on line 4
}

// A large file is read in parts, one per core, each from a line's start: what it reads is what
// one part reads, whatever lies across a part's first line (a quoted cell holding line breaks,
// CRLF) and wherever a fault is.
TEST(Csv, AFileReadInPartsReadsAsInOne) {
  std::string text = "\xEF\xBB\xBFmassar;nom;note\n";
  for (int i = 0; i < 300; ++i) {
    std::string note = i % 13 == 0 ? "\"deux\nlignes; \"\"cité\"\"\"" : "ok";
    if (i == 150) {  // in the middle: most cuts fall inside it
      note = "\"";
      for (int k = 0; k < 40; ++k) note += fmt::format("rang {}\n", k);
      note += "\"";
    }
    text += fmt::format("A{:09};العلوي {};{}{}", i, i, note, i % 2 ? "\r\n" : "\n");
  }
  auto same = [](const Table& a, const Table& b) {
    if (a.rows.size() != b.rows.size()) return false;
    for (std::size_t r = 0; r < a.rows.size(); ++r)
      if (a.rows[r].number != b.rows[r].number ||
          a.rows[r].cells.strings() != b.rows[r].cells.strings())
        return false;
    return true;
  };
  const Table whole = read_csv_bytes(text, "f.csv", {}, 1);
  ASSERT_EQ(whole.rows.size(), 301u);
  // Row i starts on line 2 + i, after the line breaks of the cells before it.
  auto line_of = [](int i) { return 2 + i + (i + 12) / 13 + (i > 150 ? 40 : 0); };
  EXPECT_EQ(whole.rows[300].number, line_of(299));
  std::string plain = text;
  for (std::size_t at; (at = plain.find("rang ")) != std::string::npos;)
    plain.erase(at, plain.find('\n', at) + 1 - at);
  for (std::size_t parts = 2; parts <= 9; ++parts) {
    EXPECT_TRUE(same(whole, read_csv_bytes(text, "f.csv", {}, parts))) << parts;
    // The same with the long cell emptied: most cuts then fall on a row's start.
    EXPECT_TRUE(
        same(read_csv_bytes(plain, "f.csv", {}, 1), read_csv_bytes(plain, "f.csv", {}, parts)))
        << parts;
  }
  // A fault in a later part names its row as a reading in one part does.
  ReadLimits lim;
  lim.max_columns = 3;
  std::string bad = text;
  bad.insert(bad.find("A000000250"), "x;");
  std::string one, many;
  try {
    read_csv_bytes(bad, "f.csv", lim, 1);
  } catch (const ReadError& e) {
    one = e.what();
  }
  try {
    read_csv_bytes(bad, "f.csv", lim, 4);
  } catch (const ReadError& e) {
    many = e.what();
  }
  EXPECT_EQ(one, fmt::format("f.csv: row {} has more than 3 columns", line_of(250)));
  EXPECT_EQ(many, one);
  // A limit on the rows is counted over every part.
  lim = {};
  lim.max_rows = 300;
  EXPECT_THROW(read_csv_bytes(plain, "f.csv", lim, 4), ReadError);
  lim.max_rows = 301;
  EXPECT_EQ(read_csv_bytes(plain, "f.csv", lim, 4).rows.size(), 301u);
}

// A UTF-8 file with one line saved as Windows-1256 (issue 24): read whole as Windows-1256, its
// UTF-8 headings would be garbled and dropped; it is refused, naming a line of each encoding.
TEST(Csv, AFileMixingTwoEncodingsIsRefusedNamingItsLines) {
  const std::string text = "Code Massar,Date d'absence,Justifiée\nR1,22/11/2024,oui\n" +
                           to_cp1256("R2,23/11/2024,نعم") + "\nR3,24/11/2024,non\n";
  try {
    read_csv_bytes(text, "absences.csv");
    FAIL() << "a file of two encodings was read";
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find("absences.csv"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line 1 is UTF-8, line 3 is not"), std::string::npos)
        << e.what();
  }
  // Windows-1256 whole, or UTF-8 whole, is read.
  EXPECT_EQ(read_csv_bytes(to_cp1256("Code,نعم\nR1,لا\n"), "a.csv").rows[1].cells[1], "لا");
  EXPECT_EQ(read_csv_bytes("Code,Justifiée\nR1,oui\n", "b.csv").rows[0].cells[1], "Justifiée");
}

TEST(Csv, ReadsWindows1256) {
  std::string text = "رقم التلميذ;النسب\nR938826497;العلوي\n";
  Table t = read_csv_bytes(to_cp1256(text), "old.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1].cells[1], "العلوي");
  EXPECT_EQ(t.rows[0].cells[0], "رقم التلميذ");
}

TEST(Csv, RefusesHostileFiles) {
  ReadLimits lim;
  lim.max_cell_bytes = 100;
  lim.max_columns = 10;
  lim.max_rows = 5;
  EXPECT_THROW(read_csv_bytes("a,b\n" + std::string(200, 'x') + ",y\n", "f.csv", lim), ReadError);
  EXPECT_THROW(read_csv_bytes(std::string(20, ',') + "\n", "f.csv", lim), ReadError);
  EXPECT_THROW(read_csv_bytes("a\nb\nc\nd\ne\nf\ng\n", "f.csv", lim), ReadError);
  EXPECT_THROW(read_csv_bytes("a,\"never closed\n", "f.csv", lim), ReadError);
  EXPECT_THROW(read_csv_bytes(std::string("a\0b", 3), "f.csv", lim), ReadError);
  try {
    read_csv_bytes("a,b\n" + std::string(200, 'x') + "\n", "named.csv", lim);
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find("named.csv"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos);
  }
}

TEST(Xlsx, ReadsTheMassarRoster) {
  Table t = read_table(std::string(SANAD_EXAMPLES_DIR) + "/roster_1AP-1.xlsx");
  bool found = false;
  for (const auto& r : t.rows)
    for (std::size_t c = 0; c + 1 < r.cells.size(); ++c)
      if (r.cells[c] == "R938826497") {
        found = true;
        EXPECT_EQ(r.cells[c + 1], "العلوي");
      }
  EXPECT_TRUE(found);
}

TEST(Xlsx, SharedStringsInlineStringsAndDates) {
  std::string styles =
      R"(<?xml version="1.0"?><styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>)";
  std::string ss =
      R"(<?xml version="1.0"?><sst><si><t>رقم</t></si><si><r><t>Al</t></r><r><t>aoui</t></r></si></sst>)";
  std::string rows =
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>)"
      R"(<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c><c r="B3" s="1"><v>43339</v></c><c r="C3"><v>42</v></c></row>)";
  std::string bytes = make_zip({{"xl/workbook.xml", kWorkbook},
                                {"xl/_rels/workbook.xml.rels", kRels},
                                {"xl/styles.xml", styles},
                                {"xl/sharedStrings.xml", ss},
                                {"xl/worksheets/sheet1.xml", sheet_xml(rows)}});
  Table t = read_xlsx_bytes(bytes, "t.xlsx");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].cells.strings(), (std::vector<std::string>{"رقم", "", "Alaoui"}));
  EXPECT_TRUE(t.rows[1].blank());
  EXPECT_EQ(t.rows[2].number, 3);
  EXPECT_EQ(t.rows[2].cells.strings(), (std::vector<std::string>{"x", "27/08/2018", "42"}));
}

TEST(Xlsx, RefusesZipBombs) {
  ReadLimits lim;
  lim.max_unzipped_bytes = 4 << 20;
  std::string big = sheet_xml("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>" +
                              std::string(8 << 20, ' ') + "</t></is></c></row>");
  std::string bytes = make_zip({{"xl/workbook.xml", kWorkbook}, {"xl/worksheets/sheet1.xml", big}});
  EXPECT_THROW(read_xlsx_bytes(bytes, "bomb.xlsx", lim), ReadError);
  // The ratio guard trips on its own too.
  ReadLimits ratio;
  ratio.max_compression_ratio = 100;
  EXPECT_THROW(read_xlsx_bytes(bytes, "bomb.xlsx", ratio), ReadError);
}

TEST(Xlsx, RefusesEntityExpansionAndDuplicateParts) {
  std::string laughs =
      R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>)"
      R"(<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>)";
  std::string bytes =
      make_zip({{"xl/workbook.xml", kWorkbook}, {"xl/worksheets/sheet1.xml", laughs}});
  try {
    read_xlsx_bytes(bytes, "laughs.xlsx");
    FAIL() << "a DOCTYPE must be refused";
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find("document type"), std::string::npos) << e.what();
  }
  std::string dup = make_zip({{"xl/workbook.xml", kWorkbook},
                              {"xl/worksheets/sheet1.xml", sheet_xml("")},
                              {"xl/worksheets/sheet1.xml", sheet_xml("")}});
  EXPECT_THROW(read_xlsx_bytes(dup, "dup.xlsx"), ReadError);
  EXPECT_THROW(read_xlsx_bytes("PK\x03\x04garbage", "broken.xlsx"), ReadError);
  std::string no_workbook = make_zip({{"word/document.xml", "<x/>"}});
  EXPECT_THROW(read_xlsx_bytes(no_workbook, "doc.docx"), ReadError);
}

TEST(Writers, NeutraliseFormulas) {
  EXPECT_EQ(neutralise_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
  EXPECT_EQ(neutralise_cell("+212"), "'+212");
  EXPECT_EQ(neutralise_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(neutralise_cell("-1"), "'-1");
  EXPECT_EQ(neutralise_cell("Alaoui"), "Alaoui");
  EXPECT_EQ(unneutralise_cell(neutralise_cell("=1+1")), "=1+1");
  EXPECT_EQ(unneutralise_cell("'quoted"), "'quoted");
}

TEST(Writers, CsvRoundTripsThroughTheReader) {
  std::string path = tmp_path("w.csv");
  SheetSpec spec{
      "s", false, {"a", "b", "d"}, {ColumnType::text, ColumnType::text, ColumnType::date}, ';', ""};
  auto w = open_csv_writer(path, spec);
  w->row({"=cmd|' /C calc'!A0", "x;y \"z\"", "2024-11-22"});
  w->close();
  Table t = read_table(path);
  std::filesystem::remove(path);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1].cells[0], "'=cmd|' /C calc'!A0");  // neutralised in the file
  EXPECT_EQ(unneutralise_cell(t.rows[1].cells[0]), "=cmd|' /C calc'!A0");
  EXPECT_EQ(t.rows[1].cells[1], "x;y \"z\"");
  EXPECT_EQ(t.rows[1].cells[2], "22/11/2024");
}

// A sum of money may be negative (a recovery): in an amount column it stays a number, while
// anything else that starts like a formula there is neutralised as in any other column.
TEST(Writers, NegativeAmountsStayNumbers) {
  SheetSpec spec{"s", false, {"motif", "montant"}, {ColumnType::text, ColumnType::amount}, ';', ""};
  std::string csv = tmp_path("amounts.csv");
  auto w = open_csv_writer(csv, spec);
  w->row({"-420.00", "-420.00"});
  w->row({"x", "-1+cmd|' /C calc'!A0"});
  w->row({"y", "12.5"});
  w->close();
  Table t = read_table(csv);
  std::filesystem::remove(csv);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[1].cells[0], "'-420.00");  // a text column: neutralised
  EXPECT_EQ(t.rows[1].cells[1], "-420.00");
  EXPECT_EQ(t.rows[2].cells[1], "'-1+cmd|' /C calc'!A0");
  EXPECT_EQ(t.rows[3].cells[1], "12.5");

  std::string xlsx = tmp_path("amounts.xlsx");
  w = open_xlsx_writer(xlsx, spec);
  w->row({"a", "-420.00"});
  w->row({"b", "-9-9"});
  w->close();
  std::string sheet = unzip_part(xlsx, "xl/worksheets/sheet1.xml");
  t = read_table(xlsx);
  std::filesystem::remove(xlsx);
  EXPECT_NE(sheet.find("<v>-420</v>"), std::string::npos) << sheet;  // a number cell
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[2].cells[1], "'-9-9");
}

TEST(Writers, XlsxIsRightToLeftAndReadable) {
  std::string path = tmp_path("w.xlsx");
  SheetSpec spec{"التلاميذ", true, {"رقم التلميذ", "تاريخ"}, {ColumnType::text, ColumnType::date},
                 ',',        ""};
  auto w = open_xlsx_writer(path, spec);
  w->row({"D166027860", "2018-08-27"});
  w->row({"=1+1", ""});
  w->close();
  Table t = read_table(path);
  std::string sheet = unzip_part(path, "xl/worksheets/sheet1.xml");
  std::filesystem::remove(path);
  EXPECT_NE(sheet.find("rightToLeft=\"1\""), std::string::npos);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.sheet, "التلاميذ");
  EXPECT_EQ(t.rows[1].cells[1], "27/08/2018");
  EXPECT_EQ(t.rows[2].cells[0], "'=1+1");
}

namespace {
std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}
int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

// The list for signature: Arabic headings on every page, every row once, text a PDF reader can
// extract (so the glyphs carry their letters), several pages for a long list.
TEST(Writers, PdfListHasItsHeadingsOnEveryPageAndEveryRow) {
  std::string path =
      (std::filesystem::temp_directory_path() / ("sanad_" + std::to_string(getpid()) + ".pdf"))
          .string();
  SheetSpec spec{"المستفيدون", true, {"رقم مسار", "الاسم", "المبلغ (درهم)", "التوقيع"},
                 {},           ',',  "لائحة المستفيدين — مدرسة الوحدة"};
  auto w = open_pdf_writer(path, spec);
  for (int i = 0; i < 120; ++i)
    w->row({"D" + std::to_string(166027800 + i), "أيوب بنعلي", "240.00", ""});
  w->close();
  std::string head = run_command("head -c 5 " + path);
  EXPECT_EQ(head, "%PDF-");
  std::string info = run_command("pdfinfo " + path);
  auto at = info.find("Pages:");
  ASSERT_NE(at, std::string::npos) << "pdfinfo (poppler-utils) is needed: " << info;
  int pages = std::stoi(info.substr(at + 6));
  EXPECT_GE(pages, 3);
  // pdftotext splits some Arabic words and adds direction marks: compare without spaces.
  std::string raw = run_command("pdftotext " + path + " -"), text;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == ' ' || raw[i] == '\n') continue;
    if (raw.compare(i, 2, "\xE2\x80") == 0 && i + 2 < raw.size() &&
        static_cast<unsigned char>(raw[i + 2]) >= 0xAA &&
        static_cast<unsigned char>(raw[i + 2]) <= 0xAE) {
      i += 2;  // U+202A … U+202E
      continue;
    }
    text += raw[i];
  }
  EXPECT_EQ(count_of(text, "D166027800"), 1);
  EXPECT_EQ(count_of(text, "D166027919"), 1);                         // the last row
  EXPECT_EQ(count_of(text, "رقممسار"), pages) << raw.substr(0, 400);  // headings on every page
  EXPECT_EQ(count_of(text, "مدرسةالوحدة"), pages);                    // and the title
  EXPECT_EQ(count_of(text, "أيوببنعلي"), 120);  // Arabic letters, shaped, in logical order
  std::filesystem::remove(path);
}

// Two writers of one path each write a file of their own beside it; the one committed is the one
// left under the path, and the other leaves nothing (issue 24: two payment exports at once).
TEST(FileBeside, TwoWritersOfOnePathNeverShareTheirFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sanad_beside_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "out.csv").string();
  {
    sanad::io::FileBeside a(path), b(path);
    EXPECT_NE(a.temp(), b.temp());
    std::ofstream(a.temp()) << "a";
    std::ofstream(b.temp()) << "b";
    a.commit();
  }  // b goes out of scope uncommitted
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "a");
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1);
  std::filesystem::remove_all(dir);
}
