// Lists written to a file for signature, payment or reading — CSV (UTF-8, for spreadsheets),
// XLSX, or PDF (A4, Arabic shaped, right to left) — by every program the same way: the file is
// written under a temporary name and put under its own only when complete (a failed or refused
// list never leaves half a file), and each list is recorded in the audit log as an export, from
// the command line as from the API (lists of minors' personal data are audited wherever they
// are asked). One ListFile is used by one thread.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/app/actor.hpp"
#include "core/io/write.hpp"
#include "core/store/store.hpp"
#include "kernel/vocab.hpp"

namespace sanad::app {

enum class FileFormat { csv, xlsx, pdf };
// "csv", "xlsx" or "pdf".
std::optional<FileFormat> parse_file_format(const std::string& s);
std::string_view file_format_name(FileFormat f);

// A sheet in the reader's language: right to left in Arabic; CSV cells separated by ';' in French
// (what a French spreadsheet expects), by ',' otherwise.
io::SheetSpec sheet_in(Lang lang, std::string name, std::vector<std::string> headings,
                       std::vector<io::ColumnType> types = {});

class ListFile {
 public:
  // Opens the list (under a temporary name beside `path`) with the sheet's headings.
  ListFile(const std::string& path, FileFormat format, const io::SheetSpec& sheet);
  ~ListFile();
  ListFile(const ListFile&) = delete;
  ListFile& operator=(const ListFile&) = delete;

  void row(const std::vector<std::string>& cells);
  int64_t rows() const { return rows_; }
  // Finishes the file, still under its temporary name (`written()`), for a caller that reads
  // it before it is kept (a payment file's fingerprint).
  void close();
  const std::string& written() const;
  // Puts the finished file under its name.
  void keep();
  // close() and keep(), then the export in the audit log: `subject` (what was listed) and
  // `detail` with the rows, the file's name and its format added. Returns the rows.
  int64_t done(store::Store& st, const Actor& who, const std::string& subject,
               nlohmann::json detail);

 private:
  std::string path_;
  FileFormat format_;
  io::FileBeside file_;
  std::unique_ptr<io::TableWriter> out_;
  int64_t rows_ = 0;
  bool closed_ = false;
};

}  // namespace sanad::app
