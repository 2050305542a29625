#include "core/io/write.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "kernel/dates.hpp"

namespace sanad::io {

FileBeside::FileBeside(const std::string& path) : path_(path) {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp_ = fmt::format("{}.part-{:06x}{:06x}", path, rd() & 0xFFFFFF, rd() & 0xFFFFFF);
    int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    if (errno != EEXIST)
      throw std::runtime_error(
          fmt::format("{}: cannot write beside it: {}", path, std::strerror(errno)));
  }
  throw std::runtime_error(fmt::format("{}: no temporary name free beside it", path));
}

FileBeside::~FileBeside() {
  if (done_) return;
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void FileBeside::commit() {
  std::filesystem::rename(temp_, path_);
  done_ = true;
}

static bool formula_start(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// "-1234.50", "0", "12.5": a sum of money and nothing else.
static bool plain_amount(const std::string& v) {
  std::size_t i = !v.empty() && v[0] == '-' ? 1 : 0, digits = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i, ++digits;
  if (digits == 0 || digits > 15) return false;
  if (i == v.size()) return true;
  if (v[i] != '.') return false;
  std::size_t decimals = v.size() - i - 1;
  if (decimals < 1 || decimals > 2) return false;
  for (++i; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

std::string neutralise_cell(const std::string& cell) {
  if (!cell.empty() && formula_start(cell[0])) return "'" + cell;
  return cell;
}

std::string unneutralise_cell(std::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' && formula_start(cell[1]))
    return std::string(cell.substr(1));
  return std::string(cell);
}

namespace {

class CsvWriter final : public TableWriter {
 public:
  CsvWriter(const std::string& path, const SheetSpec& spec) : path_(path), spec_(spec) {
    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) throw std::runtime_error(fmt::format("{}: cannot create the file", path));
    std::fputs("\xEF\xBB\xBF", f_);
    row(spec.headings);
  }
  ~CsvWriter() override {
    if (f_) std::fclose(f_);
  }
  void row(const std::vector<std::string>& cells) override {
    line_.clear();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) line_.push_back(spec_.delimiter);
      ColumnType t = header_done_ && i < spec_.types.size() ? spec_.types[i] : ColumnType::text;
      std::string c =
          t == ColumnType::amount && plain_amount(cells[i]) ? cells[i] : neutralise_cell(cells[i]);
      if (t == ColumnType::date)
        if (auto d = parse_iso_date(cells[i])) c = d->dmy();
      bool quote = c.find_first_of(std::string("\"\r\n") + spec_.delimiter) != std::string::npos ||
                   (!c.empty() && (c.front() == ' ' || c.back() == ' '));
      if (quote) {
        line_.push_back('"');
        for (char ch : c) {
          if (ch == '"') line_.push_back('"');
          line_.push_back(ch);
        }
        line_.push_back('"');
      } else {
        line_ += c;
      }
    }
    line_ += "\r\n";
    header_done_ = true;
    if (std::fwrite(line_.data(), 1, line_.size(), f_) != line_.size())
      throw std::runtime_error(fmt::format("{}: write failed (disk full?)", path_));
  }
  void close() override {
    if (!f_) return;
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) throw std::runtime_error(fmt::format("{}: write failed", path_));
  }

 private:
  std::string path_;
  SheetSpec spec_;
  std::FILE* f_ = nullptr;
  std::string line_;
  bool header_done_ = false;
};

class XlsxWriter final : public TableWriter {
 public:
  XlsxWriter(const std::string& path, const SheetSpec& spec) : path_(path), spec_(spec) {
    lxw_workbook_options opt{};
    opt.constant_memory = LXW_TRUE;
    wb_ = workbook_new_opt(path.c_str(), &opt);
    if (!wb_) throw std::runtime_error(fmt::format("{}: cannot create the file", path));
    // A fixed creation date: the same data gives the same bytes.
    lxw_doc_properties props{};
    props.title = const_cast<char*>(spec.name.c_str());
    props.author = const_cast<char*>("Sanad");
    props.created = 946684800;  // 2000-01-01
    workbook_set_properties(wb_, &props);
    ws_ = workbook_add_worksheet(wb_, spec.name.c_str());
    if (spec.right_to_left) worksheet_right_to_left(ws_);
    bold_ = workbook_add_format(wb_);
    format_set_bold(bold_);
    date_ = workbook_add_format(wb_);
    format_set_num_format(date_, "dd/mm/yyyy");
    amount_ = workbook_add_format(wb_);
    format_set_num_format(amount_, "0.00");
    for (std::size_t c = 0; c < spec.headings.size(); ++c) {
      worksheet_write_string(ws_, 0, static_cast<lxw_col_t>(c), spec.headings[c].c_str(), bold_);
      worksheet_set_column(ws_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), 18, nullptr);
    }
    worksheet_freeze_panes(ws_, 1, 0);
  }
  ~XlsxWriter() override {
    if (wb_) workbook_close(wb_);
  }
  void row(const std::vector<std::string>& cells) override {
    if (row_ >= LXW_ROW_MAX - 1)
      throw std::runtime_error(fmt::format("{}: more rows than a sheet holds", path_));
    ++row_;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string& v = cells[c];
      if (v.empty()) continue;
      auto col = static_cast<lxw_col_t>(c);
      ColumnType t = c < spec_.types.size() ? spec_.types[c] : ColumnType::text;
      lxw_error err = LXW_NO_ERROR;
      if (t == ColumnType::date) {
        if (auto d = parse_iso_date(v)) {
          err = worksheet_write_number(ws_, row_, col, static_cast<double>(to_excel_serial(*d)),
                                       date_);
        } else {
          err = worksheet_write_string(ws_, row_, col, neutralise_cell(v).c_str(), nullptr);
        }
      } else if (t == ColumnType::amount && plain_amount(v)) {
        err = worksheet_write_number(ws_, row_, col, std::strtod(v.c_str(), nullptr), amount_);
      } else if (t == ColumnType::integer) {
        err = worksheet_write_number(ws_, row_, col, std::strtod(v.c_str(), nullptr), nullptr);
      } else {
        err = worksheet_write_string(ws_, row_, col, neutralise_cell(v).c_str(), nullptr);
      }
      if (err != LXW_NO_ERROR)
        throw std::runtime_error(fmt::format("{}: {}", path_, lxw_strerror(err)));
    }
  }
  void close() override {
    if (!wb_) return;
    lxw_error err = workbook_close(wb_);
    wb_ = nullptr;
    if (err != LXW_NO_ERROR)
      throw std::runtime_error(fmt::format("{}: {}", path_, lxw_strerror(err)));
  }

 private:
  std::string path_;
  SheetSpec spec_;
  lxw_workbook* wb_ = nullptr;
  lxw_worksheet* ws_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* amount_ = nullptr;
  lxw_row_t row_ = 0;
};

}  // namespace

std::unique_ptr<TableWriter> open_csv_writer(const std::string& path, const SheetSpec& spec) {
  return std::make_unique<CsvWriter>(path, spec);
}
std::unique_ptr<TableWriter> open_xlsx_writer(const std::string& path, const SheetSpec& spec) {
  return std::make_unique<XlsxWriter>(path, spec);
}

}  // namespace sanad::io
