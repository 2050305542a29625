// A small XLSX reader of our own: minizip for the archive, expat for the XML, reading only what
// a table needs (workbook, relationships, shared strings, date styles, the first sheet). Every
// size is measured while decompressing, never taken from the archive's own claims.
#include <expat.h>
#include <fmt/format.h>
#include <minizip/unzip.h>

#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "core/io/table.hpp"
#include "kernel/dates.hpp"

namespace sanad::io {
namespace {

// --- minizip over a memory buffer -------------------------------------------------------------
struct MemFile {
  const std::string* data;
  ZPOS64_T pos = 0;
};

voidpf ZCALLBACK mem_open(voidpf opaque, const void*, int) {
  return opaque;
}
uLong ZCALLBACK mem_read(voidpf, voidpf stream, void* buf, uLong size) {
  auto* f = static_cast<MemFile*>(stream);
  ZPOS64_T left = f->data->size() > f->pos ? f->data->size() - f->pos : 0;
  uLong n = static_cast<uLong>(std::min<ZPOS64_T>(left, size));
  std::memcpy(buf, f->data->data() + f->pos, n);
  f->pos += n;
  return n;
}
uLong ZCALLBACK mem_write(voidpf, voidpf, const void*, uLong) {
  return 0;
}
ZPOS64_T ZCALLBACK mem_tell(voidpf, voidpf stream) {
  return static_cast<MemFile*>(stream)->pos;
}
long ZCALLBACK mem_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* f = static_cast<MemFile*>(stream);
  ZPOS64_T base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                  : origin == ZLIB_FILEFUNC_SEEK_CUR ? f->pos
                                                     : f->data->size();
  if (base + offset > f->data->size()) return -1;
  f->pos = base + offset;
  return 0;
}
int ZCALLBACK mem_close(voidpf, voidpf) {
  return 0;
}
int ZCALLBACK mem_error(voidpf, voidpf) {
  return 0;
}

std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const XML_Char* attr(const XML_Char** atts, std::string_view want) {
  for (int i = 0; atts[i]; i += 2)
    if (local_name(atts[i]) == want) return atts[i + 1];
  return nullptr;
}

// --- the archive ------------------------------------------------------------------------------
class Archive {
 public:
  Archive(const std::string& bytes, const std::string& name, const ReadLimits& lim)
      : name_(name), lim_(lim), mem_{&bytes} {
    zlib_filefunc64_def ff{};
    ff.zopen64_file = mem_open;
    ff.zread_file = mem_read;
    ff.zwrite_file = mem_write;
    ff.ztell64_file = mem_tell;
    ff.zseek64_file = mem_seek;
    ff.zclose_file = mem_close;
    ff.zerror_file = mem_error;
    ff.opaque = &mem_;
    zip_ = unzOpen2_64("mem", &ff);
    if (!zip_) fail("this is not a readable XLSX file (the zip archive is damaged)");
    // A refusal from here on must still close the archive (the destructor does not run).
    try {
      unz_global_info64 gi{};
      if (unzGetGlobalInfo64(zip_, &gi) != UNZ_OK) fail("the zip archive is damaged");
      if (static_cast<int64_t>(gi.number_entry) > lim_.max_zip_entries)
        fail(fmt::format("the archive holds {} parts, more than the limit of {}", gi.number_entry,
                         lim_.max_zip_entries));
      // List the parts: refuse duplicates (two parts of one name hide one from some readers),
      // encrypted parts and unknown compression methods.
      for (int rc = unzGoToFirstFile(zip_); rc == UNZ_OK; rc = unzGoToNextFile(zip_)) {
        unz_file_info64 info{};
        char fname[1024];
        if (unzGetCurrentFileInfo64(zip_, &info, fname, sizeof fname, nullptr, 0, nullptr, 0) !=
            UNZ_OK)
          fail("the zip archive is damaged");
        std::string n(fname);
        if (info.size_filename >= sizeof fname) fail("a part of the archive has an overlong name");
        if (info.flag & 1) fail(fmt::format("the part {} is encrypted", n));
        if (info.compression_method != 0 && info.compression_method != Z_DEFLATED)
          fail(fmt::format("the part {} uses an unsupported compression method", n));
        if (!parts_.insert(n).second) fail(fmt::format("the archive holds the part {} twice", n));
      }

    } catch (...) {
      unzClose(zip_);
      zip_ = nullptr;
      throw;
    }
  }

  ~Archive() {
    if (zip_) unzClose(zip_);
  }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  bool has(const std::string& part) const { return parts_.count(part) > 0; }

  // Streams a part through `sink` in chunks, enforcing the limits.
  void stream(const std::string& part,
              const std::function<void(const char*, std::size_t, bool)>& sink) {
    if (unzLocateFile(zip_, part.c_str(), 1) != UNZ_OK)
      fail(fmt::format("the part {} is missing", part));
    unz_file_info64 info{};
    unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0);
    if (unzOpenCurrentFile(zip_) != UNZ_OK) fail(fmt::format("the part {} cannot be opened", part));
    std::string buf(1 << 16, '\0');
    int64_t produced = 0;
    const int64_t compressed = std::max<int64_t>(static_cast<int64_t>(info.compressed_size), 1);
    for (;;) {
      int n = unzReadCurrentFile(zip_, buf.data(), static_cast<unsigned>(buf.size()));
      if (n < 0) {
        unzCloseCurrentFile(zip_);
        fail(fmt::format("the part {} is damaged", part));
      }
      produced += n;
      total_ += n;
      if (total_ > lim_.max_unzipped_bytes) {
        unzCloseCurrentFile(zip_);
        fail(fmt::format("the file unpacks to more than the limit of {} MiB",
                         lim_.max_unzipped_bytes >> 20));
      }
      if (produced > (1 << 20) && produced / compressed > lim_.max_compression_ratio) {
        unzCloseCurrentFile(zip_);
        fail(fmt::format(
            "the part {} is compressed more than {}:1, which real spreadsheets never are", part,
            lim_.max_compression_ratio));
      }
      sink(buf.data(), static_cast<std::size_t>(n), n == 0);
      if (n == 0) break;
    }
    if (unzCloseCurrentFile(zip_) == UNZ_CRCERROR)
      fail(fmt::format("the part {} fails its checksum", part));
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw ReadError(fmt::format("{}: {}", name_, why));
  }

 private:
  std::string name_;
  ReadLimits lim_;
  MemFile mem_;
  unzFile zip_ = nullptr;
  std::set<std::string> parts_;
  int64_t total_ = 0;
};

// --- XML parsing with expat -------------------------------------------------------------------
struct XmlHandler {
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view name, const XML_Char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(const XML_Char* s, int len) = 0;
  std::string error;  // set to stop parsing with a message
};

void parse_part(Archive& ar, const std::string& part, XmlHandler& h) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  struct Ctx {
    XML_Parser p;
    XmlHandler* h;
  } ctx{p, &h};
  XML_SetUserData(p, &ctx);
  XML_SetElementHandler(
      p,
      [](void* ud, const XML_Char* name, const XML_Char** atts) {
        auto* c = static_cast<Ctx*>(ud);
        c->h->start(local_name(name), atts);
        if (!c->h->error.empty()) XML_StopParser(c->p, XML_FALSE);
      },
      [](void* ud, const XML_Char* name) {
        auto* c = static_cast<Ctx*>(ud);
        c->h->end(local_name(name));
        if (!c->h->error.empty()) XML_StopParser(c->p, XML_FALSE);
      });
  XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* s, int len) {
    auto* c = static_cast<Ctx*>(ud);
    c->h->text(s, len);
    if (!c->h->error.empty()) XML_StopParser(c->p, XML_FALSE);
  });
  // No document type declarations: that is where entity-expansion attacks live.
  XML_SetStartDoctypeDeclHandler(
      p, [](void* ud, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        auto* c = static_cast<Ctx*>(ud);
        c->h->error = "it holds a document type declaration, which spreadsheets never need";
        XML_StopParser(c->p, XML_FALSE);
      });
  std::string err;
  try {
    ar.stream(part, [&](const char* data, std::size_t n, bool last) {
      if (!err.empty()) return;
      if (XML_Parse(p, data, static_cast<int>(n), last) == XML_STATUS_ERROR) {
        err = h.error.empty() ? fmt::format("line {}: {}", XML_GetCurrentLineNumber(p),
                                            XML_ErrorString(XML_GetErrorCode(p)))
                              : h.error;
      }
    });
  } catch (...) {
    XML_ParserFree(p);
    throw;
  }
  XML_ParserFree(p);
  if (err.empty() && !h.error.empty()) err = h.error;
  if (!err.empty()) ar.fail(fmt::format("the part {} cannot be read: {}", part, err));
}

struct WorkbookHandler : XmlHandler {
  std::vector<std::pair<std::string, std::string>> sheets;  // name, relationship id
  void start(std::string_view n, const XML_Char** atts) override {
    if (n == "sheet") {
      const char* nm = attr(atts, "name");
      const char* id = attr(atts, "id");
      if (nm && id) sheets.emplace_back(nm, id);
    }
  }
  void end(std::string_view) override {}
  void text(const XML_Char*, int) override {}
};

struct RelsHandler : XmlHandler {
  std::map<std::string, std::string> targets;
  void start(std::string_view n, const XML_Char** atts) override {
    if (n == "Relationship") {
      const char* id = attr(atts, "Id");
      const char* t = attr(atts, "Target");
      if (id && t) targets[id] = t;
    }
  }
  void end(std::string_view) override {}
  void text(const XML_Char*, int) override {}
};

struct SharedStringsHandler : XmlHandler {
  const ReadLimits& lim;
  explicit SharedStringsHandler(const ReadLimits& l) : lim(l) {}
  std::vector<std::string> strings;
  std::string cur;
  bool in_si = false, in_t = false;
  int rph_depth = 0;  // phonetic runs are not part of the text
  void start(std::string_view n, const XML_Char**) override {
    if (n == "si") {
      in_si = true;
      cur.clear();
    } else if (n == "rPh") {
      ++rph_depth;
    } else if (n == "t" && in_si && rph_depth == 0) {
      in_t = true;
    }
  }
  void end(std::string_view n) override {
    if (n == "si") {
      strings.push_back(std::move(cur));
      cur.clear();
      in_si = false;
    } else if (n == "rPh") {
      --rph_depth;
    } else if (n == "t") {
      in_t = false;
    }
  }
  void text(const XML_Char* s, int len) override {
    if (!in_t) return;
    cur.append(s, static_cast<std::size_t>(len));
    if (static_cast<int64_t>(cur.size()) > lim.max_cell_bytes)
      error = fmt::format("a text is longer than {} bytes", lim.max_cell_bytes);
  }
};

bool is_date_format(int id, const std::string& code) {
  if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47)) return true;
  if (id < 164) return false;
  // A custom format is a date when it has day, month or year letters outside quotes and brackets.
  bool quoted = false;
  int bracket = 0;
  for (char c : code) {
    if (c == '"')
      quoted = !quoted;
    else if (quoted)
      continue;
    else if (c == '[')
      ++bracket;
    else if (c == ']')
      --bracket;
    else if (bracket == 0 && (c == 'd' || c == 'D' || c == 'y' || c == 'Y' || c == 'm' || c == 'M'))
      return true;
  }
  return false;
}

struct StylesHandler : XmlHandler {
  std::map<int, std::string> formats;
  std::vector<int> xf_formats;
  bool in_cellxfs = false;
  void start(std::string_view n, const XML_Char** atts) override {
    if (n == "numFmt") {
      const char* id = attr(atts, "numFmtId");
      const char* code = attr(atts, "formatCode");
      if (id && code) formats[std::atoi(id)] = code;
    } else if (n == "cellXfs") {
      in_cellxfs = true;
    } else if (n == "xf" && in_cellxfs) {
      const char* id = attr(atts, "numFmtId");
      xf_formats.push_back(id ? std::atoi(id) : 0);
    }
  }
  void end(std::string_view n) override {
    if (n == "cellXfs") in_cellxfs = false;
  }
  void text(const XML_Char*, int) override {}
  std::vector<bool> date_styles() const {
    std::vector<bool> r;
    for (int id : xf_formats) {
      auto it = formats.find(id);
      r.push_back(is_date_format(id, it == formats.end() ? std::string() : it->second));
    }
    return r;
  }
};

struct SheetHandler : XmlHandler {
  const ReadLimits& lim;
  const std::vector<std::string>& shared;
  const std::vector<bool>& date_style;
  Table& table;
  SheetHandler(const ReadLimits& l, const std::vector<std::string>& s, const std::vector<bool>& d,
               Table& t)
      : lim(l), shared(s), date_style(d), table(t) {}

  int64_t next_row = 1;
  bool in_row = false, in_v = false, in_is_t = false, in_is = false;
  int64_t col = 0, next_col = 0;
  std::string type, value;
  int style = -1;
  struct {
    int64_t number = 0;
    std::vector<std::string> cells;
  } row;

  static int64_t column_of(std::string_view ref) {
    int64_t c = 0;
    std::size_t i = 0;
    for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
      c = c * 26 + (ref[i] - 'A' + 1);
      if (c > 20000) return -1;
    }
    return i == 0 ? -1 : c - 1;
  }

  void start(std::string_view n, const XML_Char** atts) override {
    if (n == "row") {
      in_row = true;
      const char* r = attr(atts, "r");
      int64_t num = r ? std::atoll(r) : next_row;
      if (num < next_row || num > 1'100'000) {
        error = fmt::format("row numbers out of order near row {}", num);
        return;
      }
      // Rows absent from the sheet are blank rows: keep them, a roster's layout depends on them.
      while (next_row < num && static_cast<int64_t>(table.rows.size()) < lim.max_rows)
        table.add_row(next_row++, {});
      row.number = num;
      row.cells.clear();
      next_row = num + 1;
      next_col = 0;
      if (static_cast<int64_t>(table.rows.size()) >= lim.max_rows)
        error = fmt::format("more than {} rows", lim.max_rows);
    } else if (n == "c" && in_row) {
      const char* r = attr(atts, "r");
      col = r ? column_of(r) : next_col;
      if (col < 0 || col < next_col) {
        error = fmt::format("row {}: bad cell reference", row.number);
        return;
      }
      if (col >= lim.max_columns) {
        error = fmt::format("row {} has more than {} columns", row.number, lim.max_columns);
        return;
      }
      next_col = col + 1;
      const char* t = attr(atts, "t");
      type = t ? t : "n";
      const char* s = attr(atts, "s");
      style = s ? std::atoi(s) : -1;
      value.clear();
    } else if (n == "v") {
      in_v = true;
    } else if (n == "is") {
      in_is = true;
    } else if (n == "t" && in_is) {
      in_is_t = true;
    }
  }

  void end(std::string_view n) override {
    if (n == "v") {
      in_v = false;
    } else if (n == "t") {
      in_is_t = false;
    } else if (n == "is") {
      in_is = false;
    } else if (n == "c" && in_row) {
      std::string cell;
      if (type == "s") {
        char* endp = nullptr;
        long idx = std::strtol(value.c_str(), &endp, 10);
        if (value.empty() || *endp || idx < 0 || static_cast<std::size_t>(idx) >= shared.size()) {
          error = fmt::format("row {}: a cell points to a missing shared text", row.number);
          return;
        }
        cell = shared[static_cast<std::size_t>(idx)];
      } else if (type == "n" && style >= 0 && static_cast<std::size_t>(style) < date_style.size() &&
                 date_style[static_cast<std::size_t>(style)] && !value.empty()) {
        double d = std::strtod(value.c_str(), nullptr);
        if (d >= 1 && d < 2958466)
          cell = from_excel_serial(static_cast<int64_t>(d)).dmy();
        else
          cell = value;
      } else if (type == "b") {
        cell = value == "1" ? "1" : "0";
      } else if (type == "e") {
        cell = "";
      } else {
        cell = std::move(value);
      }
      if (static_cast<std::size_t>(col) >= row.cells.size())
        row.cells.resize(static_cast<std::size_t>(col) + 1);
      row.cells[static_cast<std::size_t>(col)] = std::move(cell);
      value.clear();
    } else if (n == "row") {
      in_row = false;
      table.add_row(row.number, row.cells);
      row.number = 0;
      row.cells.clear();
    }
  }

  void text(const XML_Char* s, int len) override {
    if (in_v || in_is_t) {
      value.append(s, static_cast<std::size_t>(len));
      if (static_cast<int64_t>(value.size()) > lim.max_cell_bytes)
        error =
            fmt::format("row {} has a cell longer than {} bytes", row.number, lim.max_cell_bytes);
    }
  }
};

std::string resolve_target(const std::string& target) {
  if (!target.empty() && target[0] == '/') return target.substr(1);
  return "xl/" + target;
}

}  // namespace

Table read_xlsx_bytes(const std::string& bytes, const std::string& name, const ReadLimits& lim) {
  if (static_cast<int64_t>(bytes.size()) > lim.max_file_bytes)
    throw ReadError(fmt::format("{}: the file is larger than the limit of {} MiB", name,
                                lim.max_file_bytes >> 20));
  Archive ar(bytes, name, lim);
  if (!ar.has("xl/workbook.xml")) ar.fail("this is a zip archive but not an XLSX workbook");
  WorkbookHandler wb;
  parse_part(ar, "xl/workbook.xml", wb);
  if (wb.sheets.empty()) ar.fail("the workbook has no sheet");
  std::string sheet_part = "xl/worksheets/sheet1.xml";
  if (ar.has("xl/_rels/workbook.xml.rels")) {
    RelsHandler rels;
    parse_part(ar, "xl/_rels/workbook.xml.rels", rels);
    auto it = rels.targets.find(wb.sheets.front().second);
    if (it != rels.targets.end()) sheet_part = resolve_target(it->second);
  }
  if (!ar.has(sheet_part)) ar.fail(fmt::format("the first sheet ({}) is missing", sheet_part));
  SharedStringsHandler ss(lim);
  if (ar.has("xl/sharedStrings.xml")) parse_part(ar, "xl/sharedStrings.xml", ss);
  StylesHandler st;
  if (ar.has("xl/styles.xml")) parse_part(ar, "xl/styles.xml", st);
  std::vector<bool> date_styles = st.date_styles();
  Table t;
  t.file = name;
  t.sheet = wb.sheets.front().first;
  SheetHandler sh(lim, ss.strings, date_styles, t);
  parse_part(ar, sheet_part, sh);
  return t;
}

Table read_xlsx(const std::string& path, const ReadLimits& lim) {
  return read_table(path, lim);
}

}  // namespace sanad::io
