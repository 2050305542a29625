#include "registry/app/import.hpp"
#include "core/app/sentences.hpp"
#include "registry/app/import_scope.hpp"
#include "registry/app/requests.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/io/write.hpp"
#include "kernel/dates.hpp"
#include "kernel/ids.hpp"
#include "kernel/parallel.hpp"
#include "kernel/text.hpp"
#include "registry/store/registry_store.hpp"
#include "registry/store/requests.hpp"

namespace sanad::app {
namespace {

std::string today_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday}.iso();
}

// Where the table starts and what each column is.
struct Layout {
  std::size_t header = 0;                           // index in table.rows
  std::map<std::string_view, std::size_t> column;   // field key → cell index
  std::map<std::string_view, std::string> heading;  // field key → heading as written
  std::map<std::string_view, std::pair<int64_t, std::string>> block;  // key → (row, value)
  std::map<std::string_view, std::string> block_label;
  std::vector<std::string> ignored;  // what is said of the headings not read
};

// A column's letter as a spreadsheet names it (0 → A, 26 → AA).
std::string column_letter(std::size_t c) {
  std::string out;
  for (++c; c > 0; c = (c - 1) / 26) out.insert(out.begin(), static_cast<char>('A' + (c - 1) % 26));
  return out;
}

Layout find_layout(ListKind kind, const io::Table& t) {
  Layout best;
  std::size_t best_count = 0;
  const std::size_t scan = std::min<std::size_t>(t.rows.size(), 60);
  for (std::size_t r = 0; r < scan; ++r) {
    std::map<std::string_view, std::size_t> cols;
    std::map<std::string_view, std::string> heads;
    const auto& cells = t.rows[r].cells;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      auto key = field_for_heading(kind, cells[c]);
      if (key && !cols.count(*key)) {
        cols[*key] = c;
        heads[*key] = trim(cells[c]);
      }
    }
    if (cols.size() >= 2 && cols.size() > best_count) {
      best_count = cols.size();
      best.header = r;
      best.column = std::move(cols);
      best.heading = std::move(heads);
    }
  }
  if (best_count < 2) {
    std::string expected;
    for (const auto& f : fields_of(kind)) {
      if (!expected.empty()) expected += ", ";
      expected += fmt::format("{} / {}", f.heading_ar, f.heading_fr);
    }
    throw ImportError(fmt::format(
        "{}{}: no heading row found for {} in the first {} rows; expected columns such as: {}",
        t.file, t.sheet.empty() ? "" : " [" + t.sheet + "]", list_kind_name(kind), scan, expected));
  }
  // Headings that are not read are said, never dropped in silence: one not known (a misspelling, a
  // heading garbled by a wrong encoding), or a second column for what another already gives.
  {
    const auto& cells = t.rows[best.header].cells;
    std::set<std::string_view> taken;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string h = trim(cells[c]);
      if (h.empty()) continue;
      auto key = field_for_heading(kind, h);
      const std::string where = fmt::format("{}: row {}, column {} «{}»", t.file,
                                            t.rows[best.header].number, column_letter(c), h);
      if (!key)
        best.ignored.push_back(fmt::format("{}: not a heading known for {}: the column is not read",
                                           where, list_kind_name(kind)));
      else if (!taken.insert(*key).second)
        best.ignored.push_back(
            fmt::format("{}: gives again what column {} gives: only the first is read", where,
                        column_letter(best.column.at(*key))));
    }
  }
  // Rows above the headings: a block of "label; value" pairs (Massar rosters).
  for (std::size_t r = 0; r < best.header; ++r) {
    const auto& cells = t.rows[r].cells;
    std::size_t c = 0;
    while (c < cells.size() && trim(cells[c]).empty()) ++c;
    if (c >= cells.size()) continue;
    auto key = field_for_heading(kind, cells[c]);
    if (!key) continue;
    std::size_t v = c + 1;
    while (v < cells.size() && trim(cells[v]).empty()) ++v;
    if (v < cells.size()) {
      best.block[*key] = {t.rows[r].number, trim(io::unneutralise_cell(cells[v]))};
      best.block_label[*key] = trim(cells[c]);
    }
  }
  return best;
}

// The issues of one row: written out while the import still keeps issues of rows this far down,
// only counted beyond (a hostile file of a million bad rows costs no more than its first ones).
struct RowIssues {
  std::vector<ImportIssue> items;
  bool detail = true;
  bool empty() const { return items.empty(); }
};

// Every issue of an import counted, the first `cap` by row (then as found) kept.
class IssueSink {
 public:
  explicit IssueSink(std::size_t cap) : cap_(cap) {}
  // Whether an issue of this row may still be among those kept.
  bool wants(int64_t row) const {
    return kept_.size() < cap_ || (cap_ > 0 && row < kept_.front().first.first);
  }
  void add(ImportIssue&& i) {
    ++total_;
    if (!wants(i.row)) return;
    kept_.emplace_back(std::make_pair(i.row, seq_++), std::move(i));
    std::push_heap(kept_.begin(), kept_.end(), by_key);
    if (kept_.size() > cap_) {
      std::pop_heap(kept_.begin(), kept_.end(), by_key);
      kept_.pop_back();
    }
  }
  void add_row(RowIssues& r) {
    for (auto& i : r.items) {
      if (r.detail)
        add(std::move(i));
      else
        ++total_;
    }
  }
  void merge(IssueSink&& other) {
    total_ += other.total_ - static_cast<int64_t>(other.kept_.size());
    for (auto& [key, i] : other.kept_) add(std::move(i));
  }
  int64_t total() const { return total_; }
  std::vector<ImportIssue> sorted() {
    std::sort(kept_.begin(), kept_.end(), by_key);
    std::vector<ImportIssue> out;
    out.reserve(kept_.size());
    for (auto& [key, i] : kept_) out.push_back(std::move(i));
    kept_.clear();
    return out;
  }

 private:
  using Kept = std::pair<std::pair<int64_t, int64_t>, ImportIssue>;  // (row, order found)
  static bool by_key(const Kept& a, const Kept& b) { return a.first < b.first; }
  std::size_t cap_;
  int64_t total_ = 0, seq_ = 0;
  std::vector<Kept> kept_;  // a heap: the last kept (greatest row) first
};

class Validator {
 public:
  Validator(ListKind kind, const io::Table& t, const Layout& l, const ImportOptions& o)
      : kind_(kind), t_(t), l_(l), opt_(o) {}

  // The value of a field in a row, or from the header block when the row has no such column.
  std::string get(const io::Row& row, std::string_view key) const {
    auto it = l_.column.find(key);
    if (it != l_.column.end() && it->second < row.cells.size()) {
      std::string v = trim(io::unneutralise_cell(row.cells[it->second]));
      if (!v.empty() || !l_.block.count(key)) return v;
    }
    auto b = l_.block.find(key);
    if (b != l_.block.end()) return b->second.second;
    return {};
  }
  bool has(std::string_view key) const { return l_.column.count(key) || l_.block.count(key); }

  // `reason` is an English template of the catalogue (import_reasons.cpp) with {} for `args`.
  template <typename... A>
  void error(RowIssues& out, const io::Row& row, std::string_view key, const std::string& value,
             const char* reason, const A&... args) const {
    if (!out.detail) {  // counted only: nothing formatted
      out.items.emplace_back();
      out.items.back().row = row.number;
      return;
    }
    ImportIssue i{t_.file, t_.sheet, row.number, column_name(key), value, {}, reason, {}};
    (i.args.push_back(fmt::format("{}", args)), ...);
    i.reason = fill_template(reason, i.args);
    auto it = l_.column.find(key);
    bool from_row = it != l_.column.end() && it->second < row.cells.size() &&
                    !trim(row.cells[it->second]).empty();
    if (!from_row && l_.block.count(key)) i.row = l_.block.at(key).first;  // the header block's row
    out.items.push_back(std::move(i));
  }

  std::string column_name(std::string_view key) const {
    if (auto h = l_.heading.find(key); h != l_.heading.end()) return h->second;
    if (auto b = l_.block_label.find(key); b != l_.block_label.end()) return b->second;
    for (const auto& f : fields_of(kind_))
      if (f.key == key) return std::string(f.heading_ar);
    return std::string(key);
  }

  // Free text: valid, no control characters, not too long. Returns false after reporting.
  bool text(RowIssues& out, const io::Row& row, std::string_view key, const std::string& v,
            bool required, std::size_t max_chars) const {
    if (v.empty()) {
      if (required) error(out, row, key, v, "required value is empty");
      return !required;
    }
    for (unsigned char c : v) {
      if (c < 0x20 || c == 0x7F) {
        error(out, row, key, v, "contains control characters");
        return false;
      }
    }
    if (utf8_length(v) > max_chars) {
      error(out, row, key, v.substr(0, 60) + "…", "longer than {} characters", max_chars);
      return false;
    }
    return true;
  }

  template <typename F>
  std::optional<std::string> code_of(RowIssues& out, const io::Row& row, std::string_view key,
                                     const Vocabulary& voc, bool required, F&& fallback) const {
    std::string v = get(row, key);
    if (v.empty()) {
      if (!required) return fallback();
      error(out, row, key, v, "required value is empty");
      return std::nullopt;
    }
    auto c = voc.parse(v);
    if (!c) {
      std::string allowed;
      for (const auto& t : voc.terms())
        allowed += fmt::format("{}{} / {}", allowed.empty() ? "" : ", ", t.ar, t.fr);
      error(out, row, key, v, "unknown {}; expected one of: {}", voc.name(), allowed);
      return std::nullopt;
    }
    return std::string(*c);
  }

  std::optional<std::string> massar(RowIssues& out, const io::Row& row,
                                    std::vector<std::string>& warnings) const {
    std::string v = ascii_upper(get(row, "massar"));
    if (v.empty()) {
      error(out, row, "massar", v, "required value is empty");
      return std::nullopt;
    }
    if (!valid_massar(v)) {
      bool loose_ok =
          v.size() >= 4 && v.size() <= 20 && std::all_of(v.begin(), v.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c));
          });
      if (opt_.strict_massar || !loose_ok) {
        error(out, row, "massar", v,
              "a code Massar is one letter followed by nine digits (e.g. D166027860)");
        return std::nullopt;
      }
      warnings.push_back(fmt::format("{}: row {}: code Massar {} does not have the usual form",
                                     t_.file, row.number, v));
    }
    return v;
  }

  std::optional<Date> date(RowIssues& out, const io::Row& row, std::string_view key, bool required,
                           const std::string& today) const {
    std::string v = get(row, key);
    if (v.empty()) {
      if (required) error(out, row, key, v, "required date is empty");
      return std::nullopt;
    }
    auto d = parse_date(v);
    if (!d) {
      error(out, row, key, v,
            "not a date (expected dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd or an Excel date)");
      return std::nullopt;
    }
    if (d->iso() > today) {
      error(out, row, key, v, "date is in the future");
      return std::nullopt;
    }
    return d;
  }

  const io::Table& table() const { return t_; }

 private:
  ListKind kind_;
  const io::Table& t_;
  const Layout& l_;
  const ImportOptions& opt_;
};

void progress(const ImportOptions& opt, int64_t done, int64_t total) {
  if (opt.progress && done % 100000 == 0 && done)
    opt.progress(fmt::format("validated {} of {} rows", done, total));
}

// A row checked: valid, held as a request to another scope, or rejected with its issues.
void count_row(ImportResult& res, IssueSink& sink, RowIssues& issues, bool held = false) {
  if (held && issues.empty()) {
    ++res.rows_held;
  } else if (issues.empty()) {
    ++res.rows_valid;
  } else {
    ++res.rows_rejected;
    sink.add_row(issues);
  }
}

// Checks the rows of one kind, in order.
template <typename CheckRow>
void check_rows(const io::Table& t, const Layout& l, const ImportOptions& opt, ImportResult& res,
                IssueSink& sink, CheckRow&& check) {
  int64_t total = static_cast<int64_t>(t.rows.size() - l.header - 1);
  int64_t done = 0;
  for (std::size_t r = l.header + 1; r < t.rows.size(); ++r) {
    const io::Row& row = t.rows[r];
    progress(opt, ++done, total);
    if (row.blank()) continue;
    ++res.rows_read;
    RowIssues issues;
    issues.detail = sink.wants(row.number);
    check(r, row, issues);
    count_row(res, sink, issues);
  }
}

// The same in two passes, for large files: `parse(row, issues, slot, warnings)` checks each row
// on its own, on every core (it may only read what is shared), and only the rows that pass keep
// their slot; `survey(each)` then sees them all at once (`each(fn)` calls fn(i, slot) for each, i
// counting the table's rows after the headings); then `link(i, row, issues, slot)` runs over them
// in order, for what depends on the rows before (a code seen twice), and returns true when it
// held the row.
template <typename Slot, typename Parse, typename Survey, typename Link>
void check_rows_parallel(const io::Table& t, const Layout& l, const ImportOptions& opt,
                         ImportResult& res, IssueSink& sink, Parse&& parse, Survey&& survey,
                         Link&& link) {
  const std::size_t first = l.header + 1, n = t.rows.size() - std::min(t.rows.size(), first);
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t parts = n < 20'000 ? 1 : std::min<std::size_t>(cores, 8);
  struct Part {
    std::vector<std::pair<uint32_t, Slot>> passed;
    IssueSink issues;
    int64_t read = 0, rejected = 0;
    std::vector<std::string> warnings;
  };
  std::vector<Part> out;
  for (std::size_t p = 0; p < parts; ++p) out.push_back({{}, IssueSink(opt.max_issues), 0, 0, {}});
  std::atomic<int64_t> done{0};
  auto run = [&](std::size_t part) {
    Part& P = out[part];
    const std::size_t from = n * part / parts, to = n * (part + 1) / parts;
    for (std::size_t i = from; i < to; ++i) {
      const io::Row& row = t.rows[first + i];
      const int64_t d = ++done;
      if (part == 0 && opt.progress && d / 100'000 > (d - 1) / 100'000)
        opt.progress(fmt::format("validated about {} of {} rows", d / 100'000 * 100'000, n));
      if (row.blank()) continue;
      ++P.read;
      RowIssues issues;
      issues.detail = P.issues.wants(row.number);
      Slot slot;
      parse(row, issues, slot, P.warnings);
      if (issues.empty()) {
        P.passed.emplace_back(static_cast<uint32_t>(i), std::move(slot));
      } else {
        ++P.rejected;
        P.issues.add_row(issues);
      }
    }
  };
  run_in_parallel(parts, run);
  for (auto& P : out) {
    res.warnings.insert(res.warnings.end(), std::make_move_iterator(P.warnings.begin()),
                        std::make_move_iterator(P.warnings.end()));
    res.rows_read += P.read;
    res.rows_rejected += P.rejected;
    sink.merge(std::move(P.issues));
  }
  survey([&](auto&& fn) {
    for (const auto& P : out)
      for (const auto& [i, slot] : P.passed) fn(static_cast<std::size_t>(i), slot);
  });
  for (auto& P : out) {
    for (auto& [i, slot] : P.passed) {
      const io::Row& row = t.rows[first + i];
      RowIssues issues;
      issues.detail = sink.wants(row.number);
      const bool held = link(i, row, issues, slot);
      count_row(res, sink, issues, held);
    }
    std::vector<std::pair<uint32_t, Slot>>().swap(P.passed);  // their values moved on
  }
}

void require_columns(const Validator& v, ListKind kind, const std::vector<std::string_view>& keys) {
  std::vector<std::string> missing;
  for (auto k : keys)
    if (!v.has(k)) {
      for (const auto& f : fields_of(kind))
        if (f.key == k) missing.push_back(fmt::format("{} / {}", f.heading_ar, f.heading_fr));
    }
  if (!missing.empty())
    throw ImportError(fmt::format("{}: required column(s) missing: {}", v.table().file,
                                  fmt::join(missing, "; ")));
}

std::string first_seen(const std::unordered_map<std::string, int64_t>& seen, const std::string& k) {
  return std::to_string(seen.at(k));
}

}  // namespace

bool importable(ListKind kind) {
  return kind == ListKind::schools || kind == ListKind::pupils || kind == ListKind::households ||
         kind == ListKind::absences;
}

ImportResult import_file(store::Store& st, ListKind kind, const std::string& path,
                         const ImportOptions& opt) {
  io::Table t;
  if (opt.progress) opt.progress("reading " + path);
  try {
    t = io::read_table(path, opt.limits);
  } catch (const io::ReadError& e) {
    throw ImportError(e.what());
  }
  return import_table(st, kind, t, opt);
}

namespace {

// The period an absences file replaces: its school year, "" when it replaces none. Refuses a
// period that is not one (before the file is read, as the options are the command's).
std::string replaced_year(ListKind kind, const ImportOptions& opt) {
  if (opt.replace_from.empty() && opt.replace_to.empty()) return "";
  if (kind != ListKind::absences)
    throw ImportOptionError("only an absences file can replace the absences of a period");
  auto from = parse_iso_date(opt.replace_from), to = parse_iso_date(opt.replace_to);
  if (!from || !to)
    throw ImportOptionError(
        "the period to replace is two dates, its first and last day (YYYY-MM-DD)");
  if (to->iso() < from->iso())
    throw ImportOptionError("the period to replace ends before it begins");
  const SchoolYear sy = SchoolYear::of(*from);
  if (!sy.contains(*to))
    throw ImportOptionError(
        fmt::format("the period to replace lies within one school year ({} to {})", sy.first_day(),
                    sy.last_day()));
  return sy.code();
}

// One import of one file, in the order it is done: the file's layout read (its headings and header
// block), each row checked for its kind, the records the rows name linked to the registry within
// the caller's scope (others' held as requests or refused), the period it replaces worked out,
// then everything written in one transaction with its audit entry. Each step is a method over the
// state they share; run() calls them in that order.
class ImportRun {
 public:
  ImportRun(store::Store& db, ListKind what, const io::Table& file, const ImportOptions& options)
      : st(db),
        kind(what),
        t(file),
        opt(options),
        sink(opt.max_issues),
        replace_year(replaced_year(kind, opt)),
        replacing(!replace_year.empty()),
        layout(find_layout(kind, t)),
        v(kind, t, layout, opt),
        gate(st, opt.scope),
        today(opt.today.empty() ? today_iso() : opt.today) {
    res.kind = kind;
    res.warnings = layout.ignored;
  }

  ImportResult run() {
    if (kind == ListKind::schools)
      check_schools();
    else if (kind == ListKind::pupils)
      check_pupils();
    else if (kind == ListKind::households)
      check_households();
    else
      check_absences();
    if (kind == ListKind::households || kind == ListKind::absences) link();
    if (replacing && !plan_replacement()) return finish();
    std::stable_sort(res.held.begin(), res.held.end(),
                     [](const ImportIssue& a, const ImportIssue& b) { return a.row < b.row; });
    if (nothing_to_write()) return finish();
    write();
    return finish();
  }

 private:
  // What the sink kept becomes the result's issues, on every way out.
  ImportResult finish() {
    res.issues_total = sink.total();
    res.issues = sink.sorted();
    return std::move(res);
  }

  // A row held as a request; false, writing nothing, when the file has held too many already: a
  // file naming thousands of other scopes' records is not a day's work but a search, refused.
  bool hold(int64_t row, std::string_view key, const std::string& value, const char* reason,
            store::ImportRequestRow rq) {
    constexpr std::size_t kMaxHeld = 10'000;
    if (res.held.size() >= kMaxHeld) return false;
    ImportIssue i{t.file, t.sheet, row, v.column_name(key), value, reason, reason, {}};
    res.held.push_back(std::move(i));
    rq.requested_by = opt.actor;
    rq.origin = opt.origin;
    rq.file = t.file;
    rq.file_row = row;
    requests.push_back(std::move(rq));
    return true;
  }

  // Each row of a schools file checked; the valid ones kept to write.
  void check_schools() {
    require_columns(v, kind, {"code", "name_ar", "cycles", "commune"});
    std::map<std::string, Commune> communes;
    for (auto& c : st.communes(opt.scope)) communes.emplace(c.code, c);
    check_rows(t, layout, opt, res, sink, [&](std::size_t, const io::Row& row, RowIssues& out) {
      School s;
      s.code = ascii_upper(v.get(row, "code"));
      if (s.code.empty())
        v.error(out, row, "code", s.code, "required value is empty");
      else if (!valid_school_code(s.code))
        v.error(out, row, "code", s.code, "a school code is 4 to 12 letters or digits");
      else if (seen.count(s.code))
        v.error(out, row, "code", s.code,
                "the same school code appears twice in the file (first on row {})",
                first_seen(seen, s.code));
      else if (gate.school_elsewhere(s.code))  // such a row would move another's school
        v.error(out, row, "code", s.code, "this school code is used outside your scope");
      else
        seen[s.code] = row.number;
      s.name_ar = v.get(row, "name_ar");
      v.text(out, row, "name_ar", s.name_ar, true, 150);
      s.name_fr = v.get(row, "name_fr");
      v.text(out, row, "name_fr", s.name_fr, false, 150);
      std::string cyc = v.get(row, "cycles");
      auto cycles = parse_cycles(cyc);
      if (!cycles)
        v.error(out, row, "cycles", cyc,
                "unknown cycle; expected primaire, college, lycee or prescolaire (several "
                "joined by +)");
      else
        s.cycles = *cycles;
      s.commune_code = v.get(row, "commune");
      auto cm = communes.find(s.commune_code);
      if (s.commune_code.empty())
        v.error(out, row, "commune", s.commune_code, "required value is empty");
      else if (cm == communes.end())
        v.error(out, row, "commune", s.commune_code,
                "unknown commune code (expected an HCP code such as 03.531.01.05)");
      auto milieu =
          v.code_of(out, row, "milieu", milieus(), false, [&]() -> std::optional<std::string> {
            return cm != communes.end() ? std::optional<std::string>(cm->second.milieu)
                                        : std::nullopt;
          });
      s.milieu = milieu.value_or("");
      s.sector = v.code_of(out, row, "sector", sectors(), false, [] {
                    return std::optional<std::string>("public");
                  }).value_or("");
      std::string beds = v.get(row, "boarding_beds");
      if (!beds.empty()) {
        char* end = nullptr;
        long long n = std::strtoll(beds.c_str(), &end, 10);
        if (*end || n < 0 || n > 100000)
          v.error(out, row, "boarding_beds", beds,
                  "not a whole number of beds between 0 and 100000");
        else
          s.boarding_beds = n;
      }
      auto canteen = v.code_of(out, row, "canteen", yes_no(), false,
                               [] { return std::optional<std::string>("0"); });
      s.canteen = canteen && *canteen == "1";
      if (out.empty()) schools.push_back(std::move(s));
    });
  }

  // Each row of a roster checked: the pupil, his enrolment, whose records they are.
  void check_pupils() {
    require_columns(
        v, kind,
        {"massar", "last_ar", "first_ar", "sex", "school_code", "school_year", "level", "class"});
    const auto& school_map = gate.schools();
    struct Seen {
      Pupil pupil;
      int64_t row = 0;
      bool written = false;  // his identity is among those written
    };
    std::unordered_map<std::string, Seen> pupil_at;  // of the codes on several rows
    std::vector<uint8_t> alone;  // by row: no other row that passed its own checks has its code
    struct Parsed {
      Pupil p;
      Enrolment e;
    };
    check_rows_parallel<Parsed>(
        t, layout, opt, res, sink,
        [&](const io::Row& row, RowIssues& out, Parsed& slot, std::vector<std::string>& warnings) {
          Pupil& p = slot.p;
          Enrolment& e = slot.e;
          auto code = v.massar(out, row, warnings);
          if (code) p.massar = e.massar = *code;
          p.last_ar = v.get(row, "last_ar");
          v.text(out, row, "last_ar", p.last_ar, true, 100);
          p.first_ar = v.get(row, "first_ar");
          v.text(out, row, "first_ar", p.first_ar, true, 100);
          p.last_fr = v.get(row, "last_fr");
          v.text(out, row, "last_fr", p.last_fr, false, 100);
          p.first_fr = v.get(row, "first_fr");
          v.text(out, row, "first_fr", p.first_fr, false, 100);
          p.birth_place = v.get(row, "birth_place");
          v.text(out, row, "birth_place", p.birth_place, false, 100);
          p.sex = v.code_of(out, row, "sex", sexes(), true, [] {
                     return std::optional<std::string>();
                   }).value_or("");
          std::string yr = v.get(row, "school_year");
          auto year = parse_school_year(yr);
          if (!year)
            v.error(out, row, "school_year", yr,
                    yr.empty() ? "required value is empty"
                               : "not a school year (expected e.g. 2024-2025 or 2024/2025)");
          else
            e.school_year = *year;
          auto birth = v.date(out, row, "birth_date", false, today);
          if (birth) {
            p.birth_date = birth->iso();
            if (year) {
              int start = school_year_start(*year);
              int age = start - birth->year - ((birth->month > 9) ? 1 : 0);  // age on 1 September
              if (age < 2 || age > 30)
                v.error(out, row, "birth_date", v.get(row, "birth_date"),
                        "a pupil aged {} on 1 September {} is not plausible", age, start);
            }
          }
          e.school_code = ascii_upper(v.get(row, "school_code"));
          auto sc = school_map.find(e.school_code);
          if (e.school_code.empty())
            v.error(out, row, "school_code", e.school_code, "required value is empty");
          else if (sc == school_map.end())
            v.error(out, row, "school_code", e.school_code,
                    "unknown school (import the schools first)");
          auto level = v.code_of(out, row, "level", levels(), true,
                                 [] { return std::optional<std::string>(); });
          if (level) {
            e.level = *level;
            if (sc != school_map.end()) {
              auto cyc = cycle_of_level(e.level);
              const auto& cs = sc->second.cycles;
              if (std::find(cs.begin(), cs.end(), cyc) == cs.end())
                v.error(out, row, "level", v.get(row, "level"),
                        "level {} is not taught at school {} (cycles: {})", e.level, e.school_code,
                        join_cycles(cs, Lang::fr));
            }
          }
          e.class_name = v.get(row, "class");
          v.text(out, row, "class", e.class_name, true, 30);
          e.status = v.code_of(out, row, "status", enrolment_statuses(), false, [] {
                        return std::optional<std::string>("enrolled");
                      }).value_or("");
          e.transfer_to = ascii_upper(v.get(row, "transfer_to"));
          if (!e.transfer_to.empty() && !valid_school_code(e.transfer_to))
            v.error(out, row, "transfer_to", e.transfer_to, "not a school code");
          if (!e.transfer_to.empty() && e.status != "transferred")
            v.error(out, row, "transfer_to", e.transfer_to,
                    "a destination school is given but the pupil is not transferred");
          auto left = v.date(out, row, "left_date", e.status == "left", today);
          if (left) {
            e.left_date = left->iso();
            if (e.status != "left" && e.status != "transferred")  // a transfer's date is kept
              v.error(out, row, "left_date", v.get(row, "left_date"),
                      "a leaving date is given but the pupil has not left");
            if (year) {
              if (!SchoolYear{school_year_start(*year)}.contains(*left))
                v.error(out, row, "left_date", v.get(row, "left_date"),
                        "the leaving date is outside the school year {}", *year);
            }
          }
        },
        [&](auto&& each) {
          // Most codes are on one row. Such a row cannot meet another in the checks below, which
          // then keep in their maps only the codes on several rows (a transfer's two schools):
          // found by sorting the codes' hashes rather than by a map of every code.
          std::vector<std::pair<std::size_t, uint32_t>> hashes;
          each([&](std::size_t i, const Parsed& slot) {
            hashes.emplace_back(std::hash<std::string>{}(slot.p.massar), static_cast<uint32_t>(i));
          });
          std::sort(hashes.begin(), hashes.end());
          pupils.reserve(hashes.size());
          enrolments.reserve(hashes.size());
          alone.assign(t.rows.size(), 0);
          for (std::size_t k = 0; k < hashes.size(); ++k)
            alone[hashes[k].second] =
                (k == 0 || hashes[k - 1].first != hashes[k].first) &&
                (k + 1 == hashes.size() || hashes[k + 1].first != hashes[k].first);
          // Whose pupils these are, who they are and where they are enrolled: what the registry
          // holds of them, read once.
          std::vector<std::string> codes;
          each([&](std::size_t, const Parsed& slot) {
            codes.push_back(slot.p.massar);
            const Enrolment& e = slot.e;
            if (e.status == "transferred" || e.status == "left")
              released_here.insert(release_key(e.massar, e.school_year, e.school_code));
          });
          gate.load_pupils(codes);
        },
        [&](std::size_t i, const io::Row& row, RowIssues& out, Parsed& slot) -> bool {
          Pupil& p = slot.p;
          Enrolment& e = slot.e;
          // One enrolment per pupil, year and school (a transferred pupil has two in one year:
          // the school he left and the one he joined); one identity per code Massar.
          if (!out.empty()) return false;
          Seen* first = nullptr;
          if (!alone[i]) {
            std::string key = e.massar + "|" + e.school_year + "|" + e.school_code;
            if (auto at = seen.find(key); at != seen.end()) {
              v.error(out, row, "massar", e.massar,
                      "the same pupil appears twice for this school and year (first on row {})",
                      at->second);
              return false;
            }
            auto [it, fresh] = pupil_at.try_emplace(p.massar, Seen{p, row.number, false});
            if (!fresh && !(it->second.pupil == p)) {
              v.error(out, row, "massar", p.massar,
                      "this code Massar has a different name, sex or birth on row {}: one code "
                      "is one pupil",
                      it->second.row);
              return false;
            }
            seen.emplace(std::move(key), row.number);
            first = &it->second;
          }
          // A transfer whose destination the scope's export left unnamed keeps the one recorded.
          if (e.status == "transferred" && e.transfer_to.empty() && !gate.open())
            e.transfer_to = gate.recorded_transfer_to(e.massar, e.school_year, e.school_code);
          // The scope: a pupil of another school this year is not enrolled here by a file.
          using G = gate::RosterStanding;
          const G g = gate.roster(p, e.school_year);
          switch (g.kind) {
            case G::identity_differs:
              v.error(out, row, "massar", p.massar,
                      "this code Massar is recorded with another name, sex or birth date: they "
                      "are corrected by the school that has the pupil today");
              return false;
            case G::later_elsewhere:
              v.error(out, row, "school_year", e.school_year,
                      "this pupil is enrolled in a later school year in a school outside your "
                      "scope");
              return false;
            case G::held: {
              store::ImportRequestRow rq;
              rq.kind = "transfer";
              rq.massar = p.massar;
              rq.school_code = e.school_code;
              rq.school_year = e.school_year;
              rq.payload =
                  nlohmann::json{{"pupil", pupil_json(p)}, {"enrolment", enrolment_json(e)}}.dump();
              rq.holders = g.holders;
              if (hold(row.number, "massar", p.massar,
                       "enrolled this school year in a school outside your scope: held as a "
                       "transfer request for that school to accept",
                       std::move(rq)))
                return true;
              v.error(out, row, "massar", p.massar, too_many_held);
              return false;
            }
            case G::own_keep_identity:
              if (at_a_second_school(row, out, e)) return false;
              enrolments.push_back(std::move(e));
              return false;
            case G::own:
              if (at_a_second_school(row, out, e) || identity_changed(row, out, p)) return false;
              break;
            case G::fresh:
              break;
          }
          if (!first || !first->written) pupils.push_back(std::move(p));
          if (first) first->written = true;
          enrolments.push_back(std::move(e));
          return false;
        });
  }

  // A roster row enrolling a recorded pupil for a year in which he is enrolled at another school
  // that has not let him go (a leaving, or a transfer to this school) and that this file does not
  // let go either: refused, naming that school and what enrolled him there. One pupil, one school
  // at a time: the school he leaves records the transfer first.
  bool at_a_second_school(const io::Row& row, RowIssues& out, const Enrolment& e) {
    if (e.status == "transferred" || e.status == "left") return false;  // this row lets him go
    const auto* rec = gate.pupil(e.massar);
    if (!rec) return false;
    for (std::size_t k = 0; k < rec->enrolments.size(); ++k) {
      const Enrolment& o = rec->enrolments[k];
      if (o.school_year != e.school_year || o.school_code == e.school_code) continue;
      if (o.status == "left" ||
          (o.status == "transferred" && (o.transfer_to.empty() || o.transfer_to == e.school_code)))
        continue;
      if (released_here.count(release_key(o.massar, o.school_year, o.school_code))) continue;
      const std::string source = k < rec->sources.size() ? rec->sources[k] : std::string();
      if (source.empty())
        v.error(out, row, "school_code", e.school_code,
                "already enrolled in {} at school {}, with no transfer between the two: that "
                "school records his transfer or leaving first",
                e.school_year, o.school_code);
      else
        v.error(out, row, "school_code", e.school_code,
                "already enrolled in {} at school {} by {}, with no transfer between the two: "
                "that school records his transfer or leaving first",
                e.school_year, o.school_code, source);
      return true;
    }
    return false;
  }

  // A roster row that would change who a recorded pupil is — a name beyond what the normalizer
  // treats as the same, his sex, his birth date — is refused with the old and new values, unless
  // the import accepts identity changes (then written, and kept in the pupil's history).
  bool identity_changed(const io::Row& row, RowIssues& out, const Pupil& p) {
    if (opt.accept_identity_changes) return false;
    const auto* rec = gate.pupil(p.massar);
    if (!rec) return false;
    const Pupil& was = rec->pupil;
    std::vector<std::string> changes;
    auto differs = [&](const char* key, const std::string& a, const std::string& b, bool latin) {
      if (a.empty() || b.empty()) return;
      if (latin ? latin_key(a) != latin_key(b) : normalize_name(a) != normalize_name(b))
        changes.push_back(fmt::format("{} «{}» → «{}»", v.column_name(key), a, b));
    };
    differs("last_ar", was.last_ar, p.last_ar, false);
    differs("first_ar", was.first_ar, p.first_ar, false);
    differs("last_fr", was.last_fr, p.last_fr, true);
    differs("first_fr", was.first_fr, p.first_fr, true);
    if (!was.sex.empty() && was.sex != p.sex)
      changes.push_back(fmt::format("{} {} → {}", v.column_name("sex"), was.sex, p.sex));
    if (!was.birth_date.empty() && !p.birth_date.empty() && was.birth_date != p.birth_date)
      changes.push_back(
          fmt::format("{} {} → {}", v.column_name("birth_date"), was.birth_date, p.birth_date));
    if (changes.empty()) return false;
    ++res.identity_changes;
    v.error(out, row, "massar", p.massar,
            "who this pupil is would change ({}): written only when the import accepts identity "
            "changes",
            fmt::format("{}", fmt::join(changes, "; ")));
    return true;
  }

  // Each row of a households file checked: the household and the pupil it links.
  void check_households() {
    require_columns(v, kind, {"massar", "payee_cin", "payee_name", "relation"});
    std::unordered_map<std::string, std::pair<Household, int64_t>> by_cin;
    check_rows(t, layout, opt, res, sink, [&](std::size_t, const io::Row& row, RowIssues& out) {
      Household h;
      Membership m;
      auto code = v.massar(out, row, res.warnings);
      if (code) {
        if (seen.count(*code))
          v.error(out, row, "massar", *code,
                  "the same pupil appears twice in the file (first on row {})",
                  first_seen(seen, *code));
        else
          seen[*code] = row.number;
        m.massar = *code;
      }
      h.payee_cin = ascii_upper(v.get(row, "payee_cin"));
      if (h.payee_cin.empty())
        v.error(out, row, "payee_cin", h.payee_cin, "required value is empty");
      else if (!valid_cin(h.payee_cin))
        v.error(out, row, "payee_cin", h.payee_cin,
                "a CIN is one or two letters followed by digits (e.g. CB541194)");
      m.payee_cin = h.payee_cin;
      h.payee_name = v.get(row, "payee_name");
      v.text(out, row, "payee_name", h.payee_name, true, 150);
      m.relation = v.code_of(out, row, "relation", relations(), true, [] {
                      return std::optional<std::string>();
                    }).value_or("");
      std::string phone = v.get(row, "phone");
      if (!phone.empty()) {
        auto p = normalize_phone(phone);
        if (!p)
          v.error(out, row, "phone", phone, "not a Moroccan phone number (e.g. 0612345678)");
        else
          h.phone = *p;
      }
      h.ramed = ascii_upper(v.get(row, "ramed"));
      if (!h.ramed.empty() && !valid_ramed(h.ramed))
        v.error(out, row, "ramed", h.ramed,
                "a RAMED number is letters, digits, - or /, at most 32");
      if (out.empty()) {
        auto it = by_cin.find(h.payee_cin);
        if (it == by_cin.end()) {
          by_cin.emplace(h.payee_cin, std::make_pair(h, row.number));
          households.push_back(h);
        } else if (!(it->second.first == h)) {
          const Household& f = it->second.first;
          std::string what = f.payee_name != h.payee_name ? "name"
                             : f.phone != h.phone         ? "phone"
                                                          : "RAMED number";
          std::string_view key = f.payee_name != h.payee_name ? "payee_name"
                                 : f.phone != h.phone         ? "phone"
                                                              : "ramed";
          v.error(out, row, key, v.get(row, key),
                  "CIN {} has a different {} on row {}: one CIN is one person", h.payee_cin, what,
                  it->second.second);
        }
      }
      if (out.empty()) {
        members.push_back(std::move(m));
        row_of.push_back(row.number);
      }
    });
  }

  // A households row that would change who is paid for a recorded pupil — another payee's CIN
  // than his household's, or his payee's name beyond what the normalizer treats as the same — is
  // refused with the old and new values, unless the import accepts identity changes.
  bool payee_changed(int64_t row, const Membership& m, const Household& h) {
    if (opt.accept_identity_changes) return false;
    std::vector<std::string> changes;
    const auto* rec = gate.pupil(m.massar);
    if (rec && !rec->payee_cin.empty() && rec->payee_cin != m.payee_cin)
      changes.push_back(
          fmt::format("{} {} → {}", v.column_name("payee_cin"), rec->payee_cin, m.payee_cin));
    const auto* was = gate.recorded_household(m.payee_cin);
    if (was && normalize_name(was->household.payee_name) != normalize_name(h.payee_name))
      changes.push_back(fmt::format("{} «{}» → «{}»", v.column_name("payee_name"),
                                    was->household.payee_name, h.payee_name));
    if (changes.empty()) return false;
    ++res.identity_changes;
    const std::string tmpl =
        "who is paid for this pupil would change ({}): written only when the import accepts "
        "identity changes";
    const std::string what = fmt::format("{}", fmt::join(changes, "; "));
    ImportIssue issue{t.file,      t.sheet,
                      row,         v.column_name("payee_cin"),
                      m.payee_cin, fmt::format(fmt::runtime(tmpl), what),
                      tmpl,        {what}};
    sink.add(std::move(issue));
    ++res.rows_rejected;
    --res.rows_valid;
    return true;
  }

  // Each row of an absences file checked.
  void check_absences() {
    require_columns(v, kind, {"massar", "date"});
    check_rows(t, layout, opt, res, sink, [&](std::size_t, const io::Row& row, RowIssues& out) {
      Absence a;
      auto code = v.massar(out, row, res.warnings);
      auto d = v.date(out, row, "date", true, today);
      if (code) a.massar = *code;
      if (d) {
        a.date = d->iso();
        if (d->year < 2000)
          v.error(out, row, "date", v.get(row, "date"), "an absence before 2000 is not plausible");
        else if (replacing && (a.date < opt.replace_from || a.date > opt.replace_to))
          v.error(out, row, "date", v.get(row, "date"),
                  "the day is outside the period the file replaces ({} to {})", opt.replace_from,
                  opt.replace_to);
      }
      auto j = v.code_of(out, row, "justified", yes_no(), false,
                         [] { return std::optional<std::string>("0"); });
      a.justified = j && *j == "1";
      const std::string sessions = v.get(row, "sessions");
      if (!sessions.empty()) {
        char* end = nullptr;
        long long n = std::strtoll(sessions.c_str(), &end, 10);
        if (*end || n < 1 || n > 12)
          v.error(out, row, "sessions", sessions,
                  "not a whole number of sessions missed that day between 1 and 12");
        else
          a.sessions = static_cast<int>(n);
      }
      if (code && d) {
        std::string key = a.massar + "|" + a.date;
        if (seen.count(key))
          v.error(out, row, "date", v.get(row, "date"),
                  "the same absence (pupil and day) appears twice in the file (first on row {})",
                  first_seen(seen, key));
        else
          seen[key] = row.number;
      }
      if (out.empty()) {
        absences.push_back(std::move(a));
        row_of.push_back(row.number);
      }
    });
  }

  // Checks against the registry: the pupils a household or an absence names must exist within
  // the scope (one of another scope is unknown here, in the same words); a household whose
  // children all attend schools of another scope is not changed from here.
  void link() {
    std::vector<std::string> codes;
    if (kind == ListKind::households)
      for (const auto& m : members) codes.push_back(m.massar);
    else
      for (const auto& a : absences) codes.push_back(a.massar);
    gate.load_pupils(codes, kind == ListKind::households);
    std::vector<uint8_t> known(codes.size());
    std::vector<std::string> cins;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      known[i] = kind == ListKind::households ? gate.pupil_current(codes[i])
                                              : gate.pupil_present(codes[i], absences[i].date);
      if (known[i] && kind == ListKind::households) cins.push_back(members[i].payee_cin);
    }
    gate.load_households(cins);
    std::map<std::string, const Household*> household_of;
    for (const auto& h : households) household_of.emplace(h.payee_cin, &h);
    const std::string col = v.column_name("massar");
    std::vector<Membership> keep_m;
    std::vector<Absence> keep_a;
    std::set<std::string> cins_used;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (!known[i]) {
        ImportIssue issue{t.file,
                          t.sheet,
                          row_of[i],
                          col,
                          codes[i],
                          {},
                          "unknown pupil (import the pupils first)",
                          {}};
        issue.reason = issue.reason_template;
        sink.add(std::move(issue));
        ++res.rows_rejected;
        --res.rows_valid;
      } else if (kind == ListKind::households) {
        const Membership& m = members[i];
        auto standing = gate.household(m.payee_cin);
        if (!standing.held) {
          if (payee_changed(row_of[i], m, *household_of.at(m.payee_cin))) continue;
          keep_m.push_back(m);
          cins_used.insert(m.payee_cin);
          continue;
        }
        store::ImportRequestRow rq;
        rq.kind = "household_link";
        rq.massar = m.massar;
        rq.school_code = gate.current_school(m.massar);
        rq.payee_cin = m.payee_cin;
        rq.payload = nlohmann::json{{"household", household_json(*household_of.at(m.payee_cin))},
                                    {"membership", membership_json(m)}}
                         .dump();
        rq.holders = standing.holders;
        --res.rows_valid;
        if (hold(row_of[i], "payee_cin", m.payee_cin,
                 "this CIN is the payee of a household whose children attend schools outside your "
                 "scope: held as a request to link the pupil, for one of those schools to accept",
                 std::move(rq))) {
          ++res.rows_held;
        } else {
          ImportIssue issue{t.file,      t.sheet,       row_of[i],     v.column_name("payee_cin"),
                            m.payee_cin, too_many_held, too_many_held, {}};
          sink.add(std::move(issue));
          ++res.rows_rejected;
        }
      } else {
        keep_a.push_back(absences[i]);
      }
    }
    members = std::move(keep_m);
    absences = std::move(keep_a);
    if (kind == ListKind::households)
      std::erase_if(households, [&](const Household& h) { return !cins_used.count(h.payee_cin); });
  }

  // A period replaced: the absences of the covered schools in that period that the file no
  // longer lists go. The list must then be whole: a rejected row would delete its absence.
  // False when nothing may be written.
  bool plan_replacement() {
    if (res.rows_rejected > 0) {
      if (opt.skip_invalid)
        res.warnings.push_back(
            "a file replacing a period is written only when every row is valid: nothing written");
      return false;
    }
    // Absences name no school, so transfers are treated with care: a school of the scope is
    // covered when a listed pupil is enrolled there only, and a pupil also enrolled that year in
    // a school not covered keeps his absences (they may be that school's).
    std::vector<std::string> codes;
    std::set<std::pair<std::string, std::string>> listed;
    for (const auto& a : absences) {
      codes.push_back(a.massar);
      listed.emplace(a.massar, a.date);
    }
    auto schools_of = [&](const std::vector<std::string>& massars) {
      std::map<std::string, std::vector<std::string>> out;
      for (auto& [m, school] : store::RegistryStore(st).enrolled_schools(massars, replace_year))
        out[m].push_back(std::move(school));
      return out;
    };
    std::set<std::string> in_scope, covered;
    for (const auto& s : st.schools(opt.scope)) in_scope.insert(s.code);
    for (const auto& [m, attended] : schools_of(codes))
      if (attended.size() == 1 && in_scope.count(attended[0])) covered.insert(attended[0]);
    res.replaced_schools.assign(covered.begin(), covered.end());
    std::vector<Absence> candidates;
    for (auto& a : store::RegistryStore(st).absences_in_schools(res.replaced_schools, replace_year,
                                                                opt.replace_from, opt.replace_to))
      if (!listed.count({a.massar, a.date})) candidates.push_back(std::move(a));
    std::vector<std::string> candidate_pupils;
    for (const auto& a : candidates) candidate_pupils.push_back(a.massar);
    const auto elsewhere = schools_of(candidate_pupils);
    for (auto& a : candidates) {
      const auto& attended = elsewhere.at(a.massar);
      if (std::all_of(attended.begin(), attended.end(),
                      [&](const std::string& s) { return covered.count(s) > 0; }))
        gone.push_back(std::move(a));
    }
    res.to_delete = static_cast<int64_t>(gone.size());
    return true;
  }

  // Rejected rows (unless skipped) or a dry run: nothing is written. True then.
  bool nothing_to_write() {
    if ((res.rows_rejected == 0 || opt.skip_invalid) && !opt.dry_run) return false;
    // Rows naming another scope's records say that those records exist: even when nothing is
    // written, the attempt is in the audit log, where that scope's auditors see it.
    if (!res.held.empty()) {
      std::vector<std::string> keys;
      for (const auto& h : res.held) keys.push_back(h.value);
      store::Transaction tx(st.db());
      st.audit({opt.actor, opt.origin, "import-check", std::string(list_kind_name(kind)),
                fmt::format("file={} rows={} naming records outside scope {} {}: {}", t.file,
                            res.rows_read, node_kind_name(opt.scope.kind), opt.scope.code,
                            fmt::join(keys, " "))});
      tx.commit();
    }
    return true;
  }

  // Everything in one transaction, with the import's audit entry and each record's history.
  void write() {
    store::RegistryStore reg(st);
    if (opt.progress && res.rows_valid >= 100000)
      opt.progress(fmt::format("writing {} rows", res.rows_valid));
    store::Transaction tx(st.db());
    if (kind == ListKind::schools) {
      res.counts.emplace_back("schools", st.put_schools(schools));
    } else if (kind == ListKind::pupils) {
      std::set<std::string> years;
      for (const auto& e : enrolments) years.insert(e.school_year);
      st.ensure_school_years({years.begin(), years.end()});
      auto [pc, ec] = reg.put_roster(
          pupils, enrolments,
          fmt::format("{} ({})", std::filesystem::path(t.file).filename().string(), today));
      res.counts.emplace_back("pupils", pc);
      res.counts.emplace_back("enrolments", ec);
    } else if (kind == ListKind::households) {
      res.counts.emplace_back("households", reg.put_households(households));
      res.counts.emplace_back("pupils linked", reg.put_memberships(members));
    } else {
      auto counts = reg.put_absences(absences);
      if (replacing) {
        counts.deleted = reg.delete_absences(gone);
        for (const auto& a : gone)
          counts.changes.push_back(
              {"absence", a.massar, a.date,
               nlohmann::json{{"justified", {a.justified ? 1 : 0, nullptr}}}.dump()});
      }
      res.counts.emplace_back("absences", std::move(counts));
    }
    if (!requests.empty()) {
      const std::string now = store::now_iso();
      for (auto& rq : requests) rq.requested_at = now;
      res.counts.emplace_back("requests", store::RequestStore(st).put(requests));
    }
    std::string detail = fmt::format("file={} rows={} valid={} rejected={}", t.file, res.rows_read,
                                     res.rows_valid, res.rows_rejected);
    if (res.rows_held) detail += fmt::format(" held={}", res.rows_held);
    for (const auto& [what, c] : res.counts)
      detail += fmt::format("; {}: +{} ~{} ={}{}", what, c.inserted, c.updated, c.unchanged,
                            c.deleted ? fmt::format(" -{}", c.deleted) : "");
    if (replacing)
      detail += fmt::format("; replaces {} to {} in {} schools", opt.replace_from, opt.replace_to,
                            res.replaced_schools.size());
    if (opt.scope.kind != NodeKind::nation)
      detail += fmt::format("; scope {} {}", node_kind_name(opt.scope.kind), opt.scope.code);
    // What the import changed in records already there, field by field: each record's history.
    std::vector<store::RecordChange> changes;
    for (auto& [what, c] : res.counts) {
      changes.insert(changes.end(), std::make_move_iterator(c.changes.begin()),
                     std::make_move_iterator(c.changes.end()));
      c.changes.clear();
    }
    st.audit({opt.actor, opt.origin, "import", std::string(list_kind_name(kind)), detail}, changes);
    tx.commit();
    res.written = true;
  }

  store::Store& st;
  const ListKind kind;
  const io::Table& t;
  const ImportOptions& opt;
  ImportResult res;
  IssueSink sink;
  const std::string replace_year;
  const bool replacing;
  Layout layout;
  Validator v;
  ScopeGate gate;                                 // whose records the rows name
  std::vector<store::ImportRequestRow> requests;  // rows held for another scope to decide
  const char* too_many_held =
      "more than 10000 rows of the file name pupils or households outside your scope: ask your "
      "directorate to import it";
  const std::string today;
  std::unordered_map<std::string, int64_t> seen;  // natural key → first row
  // A roster's rows that let a pupil go from a school (transferred, left).
  std::set<std::string> released_here;
  static std::string release_key(const std::string& massar, const std::string& year,
                                 const std::string& school) {
    return massar + "|" + year + "|" + school;
  }
  std::vector<School> schools;
  std::vector<Pupil> pupils;
  std::vector<Enrolment> enrolments;
  std::vector<Household> households;
  std::vector<Membership> members;
  std::vector<Absence> absences;
  std::vector<int64_t> row_of;  // row number of each record needing a pupil lookup
  std::vector<Absence> gone;    // absences of the replaced period the file no longer lists
};

}  // namespace

ImportResult import_table(store::Store& st, ListKind kind, const io::Table& t,
                          const ImportOptions& opt) {
  if (!importable(kind))
    throw ImportError(fmt::format("{} cannot be imported", list_kind_name(kind)));
  return ImportRun(st, kind, t, opt).run();
}

std::string imported_file(const store::AuditRecord& entry) {
  // The detail is written above: "file=NAME rows=…".
  const std::string& d = entry.detail;
  if (entry.action != "import" || d.rfind("file=", 0) != 0) return "";
  return d.substr(5, d.find(" rows=") - 5);
}

std::string format_issue(const ImportIssue& i) {
  return fmt::format("{}{}: row {}, column «{}», value «{}»: {}", i.file,
                     i.sheet.empty() ? "" : " [" + i.sheet + "]", i.row, i.column, i.value,
                     i.reason);
}

void write_report_csv(const std::string& path, const ImportResult& r) {
  io::SheetSpec spec;
  spec.name = "report";
  spec.headings = {"file", "sheet", "row", "column", "value", "reason"};
  auto w = io::open_csv_writer(path, spec);
  for (const auto& i : r.issues)
    w->row({i.file, i.sheet, std::to_string(i.row), i.column, i.value, i.reason});
  w->close();
}

}  // namespace sanad::app
