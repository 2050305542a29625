// What the readers produce: the rows of one sheet, each with its number in the file as a person
// sees it (line of a CSV record, row of a spreadsheet), cells as UTF-8 text.
//
// A table keeps the text of all its cells in a few large blocks of its own, and each row only
// views into them: a row costs 32 bytes and each cell 8 more beside its text, so that a file of a
// million short rows (a hostile one, or a national roster) takes little more memory than the
// file itself. Views stay valid while the table lives, also when it is moved; a table is not
// copied.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sanad::io {

// Where a cell's text is, from its row's first byte.
struct CellRef {
  uint32_t offset = 0, size = 0;
};

// A row's cells, as views.
class Cells {
 public:
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::string_view operator[](std::size_t i) const {
    return {base_ + refs_[i].offset, refs_[i].size};
  }
  class iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const Cells* c, std::size_t i) : c_(c), i_(i) {}
    std::string_view operator*() const { return (*c_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const Cells* c_ = nullptr;
    std::size_t i_ = 0;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, n_}; }
  // The cells as strings (a copy), for tests and small tables.
  std::vector<std::string> strings() const;

 private:
  friend class Table;
  const CellRef* refs_ = nullptr;
  const char* base_ = nullptr;
  uint32_t n_ = 0;
};

struct Row {
  int64_t number = 0;
  Cells cells;
  bool blank() const;
};

class Table {
 public:
  std::string file;   // as named by the user
  std::string sheet;  // sheet name for XLSX, empty for CSV
  std::vector<Row> rows;

  Table();
  ~Table();
  Table(Table&&) noexcept;
  Table& operator=(Table&&) noexcept;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Appends a row numbered `number`; its cells' text is copied into the table.
  void add_row(int64_t number, std::span<const std::string_view> cells);
  void add_row(int64_t number, std::initializer_list<std::string_view> cells) {
    add_row(number, std::span<const std::string_view>(cells.begin(), cells.size()));
  }
  void add_row(int64_t number, const std::vector<std::string>& cells);
  // Appends the rows of another table, their numbers shifted by `shift`; its text moves here
  // (nothing is copied) and it is left empty.
  void append(Table&& other, int64_t shift = 0);

 private:
  struct Storage;
  std::unique_ptr<Storage> storage_;
};

// Limits that keep a hostile file from exhausting the machine. Defaults suit national files.
struct ReadLimits {
  int64_t max_file_bytes = 512LL << 20;  // on disk
  int64_t max_rows = 10'000'000;
  int64_t max_columns = 512;
  int64_t max_cell_bytes = 32 * 1024;
  int64_t max_unzipped_bytes = 2LL << 30;  // all XLSX parts together, measured
  int64_t max_zip_entries = 2000;
  int64_t max_compression_ratio = 1000;  // per XLSX part
};

// A file that cannot be read at all: the message names the file and the reason.
struct ReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a CSV or XLSX file, chosen by content (an XLSX is a zip: it starts with "PK").
Table read_table(const std::string& path, const ReadLimits& limits = {});
// A large CSV is read on every core, in `parts` (0: as many as suit its size and the machine).
Table read_csv_bytes(std::string bytes, const std::string& name, const ReadLimits& limits = {},
                     std::size_t parts = 0);
Table read_xlsx(const std::string& path, const ReadLimits& limits = {});
Table read_xlsx_bytes(const std::string& bytes, const std::string& name,
                      const ReadLimits& limits = {});

// Text recoding for old files: Windows-1256 (Arabic) or UTF-16 with a byte-order mark → UTF-8.
// A file whose lines disagree (some UTF-8 with letters beyond ASCII, others not UTF-8) is refused,
// naming a line of each: it would otherwise be read as Windows-1256 whole and its UTF-8 lines
// (headings among them) garbled.
std::string decode_to_utf8(std::string bytes, std::string* encoding_used = nullptr);

}  // namespace sanad::io
