#include "core/app/lists.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace sanad::app {

std::optional<FileFormat> parse_file_format(const std::string& s) {
  if (s == "csv") return FileFormat::csv;
  if (s == "xlsx") return FileFormat::xlsx;
  if (s == "pdf") return FileFormat::pdf;
  return std::nullopt;
}

std::string_view file_format_name(FileFormat f) {
  return f == FileFormat::xlsx ? "xlsx" : f == FileFormat::pdf ? "pdf" : "csv";
}

io::SheetSpec sheet_in(Lang lang, std::string name, std::vector<std::string> headings,
                       std::vector<io::ColumnType> types) {
  io::SheetSpec spec;
  spec.name = std::move(name);
  spec.right_to_left = lang == Lang::ar;
  spec.delimiter = lang == Lang::fr ? ';' : ',';
  spec.headings = std::move(headings);
  spec.types = std::move(types);
  return spec;
}

ListFile::ListFile(const std::string& path, FileFormat format, const io::SheetSpec& sheet)
    : path_(path), format_(format), file_(path) {
  out_ = format == FileFormat::xlsx  ? io::open_xlsx_writer(file_.temp(), sheet)
         : format == FileFormat::pdf ? io::open_pdf_writer(file_.temp(), sheet)
                                     : io::open_csv_writer(file_.temp(), sheet);
}

ListFile::~ListFile() {
  out_.reset();
}  // the writer closes its file before it is removed

void ListFile::row(const std::vector<std::string>& cells) {
  out_->row(cells);
  ++rows_;
}

void ListFile::close() {
  if (closed_) return;
  out_->close();
  closed_ = true;
}

const std::string& ListFile::written() const {
  return file_.temp();
}

void ListFile::keep() {
  close();
  file_.commit();
}

int64_t ListFile::done(store::Store& st, const Actor& who, const std::string& subject,
                       nlohmann::json detail) {
  keep();
  detail["rows"] = rows_;
  detail["file"] = std::filesystem::path(path_).filename().string();
  detail["format"] = file_format_name(format_);
  st.audit({who.name, who.origin, "export", subject, detail.dump()});
  return rows_;
}

}  // namespace sanad::app
