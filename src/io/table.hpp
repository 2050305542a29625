// What the readers produce: the rows of one sheet, each with its number in the file as a person
// sees it (line of a CSV record, row of a spreadsheet), cells as UTF-8 text.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sanad::io {

struct Row {
  int64_t number = 0;
  std::vector<std::string> cells;
  bool blank() const;
};

struct Table {
  std::string file;   // as named by the user
  std::string sheet;  // sheet name for XLSX, empty for CSV
  std::vector<Row> rows;
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
std::string decode_to_utf8(std::string bytes, std::string* encoding_used = nullptr);

}  // namespace sanad::io
