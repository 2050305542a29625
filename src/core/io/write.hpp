// Streaming writers for exported lists: CSV (UTF-8 with BOM so spreadsheet programs read the
// Arabic) and XLSX (right-to-left sheet when the headings are Arabic). Both neutralise cells that
// a spreadsheet would take for a formula.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sanad::io {

// Date cells are given as ISO text; amount cells as money written "-1234.50" (a number in XLSX,
// and in CSV a negative amount is not taken for a formula).
enum class ColumnType { text, integer, date, amount };

struct SheetSpec {
  std::string name;  // sheet name (XLSX)
  bool right_to_left = false;
  std::vector<std::string> headings;
  std::vector<ColumnType> types;  // one per heading; missing means text
  char delimiter = ',';           // CSV
  std::string title;              // PDF: the line above the table (the name when empty)
};

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual void row(const std::vector<std::string>& cells) = 0;
  virtual void close() = 0;  // finishes the file; throws on failure
};

std::unique_ptr<TableWriter> open_csv_writer(const std::string& path, const SheetSpec& spec);
std::unique_ptr<TableWriter> open_xlsx_writer(const std::string& path, const SheetSpec& spec);
// A4 landscape, text shaped for Arabic, headings on every page (written at close()).
std::unique_ptr<TableWriter> open_pdf_writer(const std::string& path, const SheetSpec& spec);

// A file written under a temporary name of its own beside `path` (PATH.part-XXXXXXXXXXXX, created
// exclusively, so that two writers of the same path never share it), renamed onto `path` by
// commit(), and removed when it goes out of scope uncommitted: a failed or refused write never
// leaves a half-written file, nor another writer's, under the requested name.
class FileBeside {
 public:
  explicit FileBeside(const std::string& path);
  ~FileBeside();
  FileBeside(const FileBeside&) = delete;
  FileBeside& operator=(const FileBeside&) = delete;
  const std::string& temp() const { return temp_; }
  void commit();

 private:
  std::string path_, temp_;
  bool done_ = false;
};

// "=1+1" → "'=1+1": a leading =, +, -, @, tab or carriage return is escaped with a quote.
std::string neutralise_cell(const std::string& cell);
// The reverse, applied on import so that export → import round-trips.
std::string unneutralise_cell(std::string_view cell);

}  // namespace sanad::io
