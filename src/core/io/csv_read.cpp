#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <thread>
#include <vector>

#include "core/io/table.hpp"
#include "kernel/parallel.hpp"
#include "kernel/text.hpp"

namespace sanad::io {

static std::string iconv_convert(const std::string& in, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw ReadError(fmt::format("no converter from {}", from));
  std::string out(in.size() * 3 + 16, '\0');
  char* inp = const_cast<char*>(in.data());
  std::size_t inleft = in.size();
  char* outp = out.data();
  std::size_t outleft = out.size();
  std::size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
  int err = errno;
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1)) {
    throw ReadError(fmt::format("the text is neither UTF-8 nor {} (byte {} cannot be read: {})",
                                from, in.size() - inleft + 1,
                                err == EILSEQ ? "invalid sequence" : "truncated"));
  }
  out.resize(out.size() - outleft);
  return out;
}

std::string decode_to_utf8(std::string bytes, std::string* used) {
  auto set = [&](const char* e) {
    if (used) *used = e;
  };
  if (bytes.size() >= 3 && bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    set("UTF-8 (BOM)");
    bytes.erase(0, 3);
    if (!utf8_valid(bytes)) throw ReadError("the file says it is UTF-8 but holds invalid bytes");
    return bytes;
  }
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    set("UTF-16LE");
    return iconv_convert(bytes.substr(2), "UTF-16LE");
  }
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
      static_cast<unsigned char>(bytes[1]) == 0xFF) {
    set("UTF-16BE");
    return iconv_convert(bytes.substr(2), "UTF-16BE");
  }
  if (utf8_valid(bytes)) {
    set("UTF-8");
    return bytes;
  }
  // Not UTF-8 as a whole: Windows-1256, unless some lines are UTF-8 with letters beyond ASCII
  // (a file saved in two encodings: read as Windows-1256, those lines and their headings would
  // be garbled and silently unrecognised).
  int64_t line = 1, utf8_line = 0, other_line = 0;
  for (std::size_t i = 0; i < bytes.size() && !(utf8_line && other_line);) {
    std::size_t end = bytes.find('\n', i);
    if (end == std::string::npos) end = bytes.size();
    std::string_view l(bytes.data() + i, end - i);
    const bool ascii = std::all_of(l.begin(), l.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) {
      if (utf8_valid(l)) {
        if (!utf8_line) utf8_line = line;
      } else if (!other_line) {
        other_line = line;
      }
    }
    i = end + 1;
    ++line;
  }
  if (utf8_line && other_line)
    throw ReadError(fmt::format(
        "the file mixes two encodings: line {} is UTF-8, line {} is not (Windows-1256?); save "
        "the whole file again in one encoding (UTF-8)",
        utf8_line, other_line));
  set("Windows-1256");
  return iconv_convert(bytes, "CP1256");
}

static char detect_delimiter(std::string_view text) {
  // The candidate seen most often outside quotes in the first lines wins. A Massar roster's
  // header block has one delimiter per line and its table several: both favour the same one.
  const std::array<char, 3> cands = {',', ';', '\t'};
  std::array<int64_t, 3> counts{};
  bool quoted = false;
  int lines = 0;
  for (std::size_t i = 0; i < text.size() && lines < 200; ++i) {
    char c = text[i];
    if (c == '"')
      quoted = !quoted;
    else if (!quoted && c == '\n')
      ++lines;
    else if (!quoted)
      for (std::size_t k = 0; k < cands.size(); ++k)
        if (c == cands[k]) ++counts[k];
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < cands.size(); ++k)
    if (counts[k] > counts[best]) best = k;
  return cands[best];
}

namespace {

// Reads the rows of text[from, to), which begins a line; numbers its lines from 1.
// `clean_end`: the part ended where a row ends (not inside a quoted cell), as a part that is not
// the file's last must. Throws ReadError as the file's reader does.
struct CsvPart {
  Table rows;
  int64_t next_line = 1;  // the number of the line after the part
  bool clean_end = true;
};

CsvPart read_csv_part(const std::string& text, std::size_t from, std::size_t to, char delim,
                      bool last, const std::string& name, const ReadLimits& lim) {
  CsvPart part;
  auto& rows = part.rows;
  // The row being read: its cells' text one after the other, and where each ends.
  std::string row_text;
  std::vector<std::size_t> ends;
  std::vector<std::string_view> views;
  int64_t line = 1, row_number = 1, row_count = 0;
  std::size_t cell_start = 0;
  bool in_quotes = false, cell_started = false;
  auto end_cell = [&] {
    if (static_cast<int64_t>(ends.size()) >= lim.max_columns)
      throw ReadError(
          fmt::format("{}: row {} has more than {} columns", name, row_number, lim.max_columns));
    ends.push_back(row_text.size());
    cell_start = row_text.size();
    cell_started = false;
  };
  auto end_row = [&] {
    end_cell();
    if (row_count >= lim.max_rows)
      throw ReadError(fmt::format("{}: more than {} rows", name, lim.max_rows));
    views.clear();
    std::size_t b = 0;
    for (std::size_t e : ends) {
      views.emplace_back(row_text.data() + b, e - b);
      b = e;
    }
    rows.add_row(row_number, views);
    ++row_count;
    row_text.clear();
    ends.clear();
    cell_start = 0;
  };
  const std::size_t n = to;
  for (std::size_t i = from; i < n; ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < n && text[i + 1] == '"') {
          row_text.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        row_text.push_back(c);
      }
    } else if (c == '"' && !cell_started) {
      in_quotes = true;
      cell_started = true;
    } else if (c == delim) {
      end_cell();
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row_number = line;
    } else {
      // A run of plain characters, taken at once.
      std::size_t j = i + 1;
      while (j < n && text[j] != delim && text[j] != '"' && text[j] != '\r' && text[j] != '\n') ++j;
      row_text.append(text, i, j - i);
      cell_started = true;
      i = j - 1;
    }
    if (static_cast<int64_t>(row_text.size() - cell_start) > lim.max_cell_bytes)
      throw ReadError(fmt::format("{}: row {} has a cell longer than {} bytes", name, row_number,
                                  lim.max_cell_bytes));
  }
  part.next_line = line;
  const bool cell_open = cell_started || row_text.size() > cell_start;
  if (!last) {
    part.clean_end = !in_quotes && !cell_open && ends.empty();
    return part;
  }
  if (in_quotes)
    throw ReadError(fmt::format("{}: row {}: a quoted cell is never closed", name, row_number));
  if (cell_open || !ends.empty()) end_row();
  return part;
}

// A large file is read in parts, one per core, each from a line's start. A part may begin inside
// a quoted cell that holds line breaks: then the part before does not end cleanly, and the file
// is read again from its start in one part, as it is when any part finds a fault (so that the
// error names the right row).
Table read_csv_rows(const std::string& text, char delim, const std::string& name,
                    const ReadLimits& lim, std::size_t parts) {
  constexpr std::size_t kPartBytes = 4 << 20;
  if (parts == 0)
    parts =
        std::clamp<std::size_t>(text.size() / kPartBytes, 1,
                                std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
  std::vector<std::size_t> starts{0};
  for (std::size_t k = 1; k < parts; ++k) {
    std::size_t at = text.find('\n', std::max(starts.back(), text.size() * k / parts));
    if (at == std::string::npos || at + 1 >= text.size()) break;
    starts.push_back(at + 1);
  }
  if (starts.size() == 1) return read_csv_part(text, 0, text.size(), delim, true, name, lim).rows;
  const std::size_t n = starts.size();
  starts.push_back(text.size());
  std::vector<CsvPart> got(n);
  std::vector<char> failed(n, 0);
  auto run = [&](std::size_t k) {
    try {
      got[k] = read_csv_part(text, starts[k], starts[k + 1], delim, k + 1 == n, name, lim);
    } catch (...) {  // read again in one part, where the error is thrown with its true row
      failed[k] = 1;
    }
  };
  run_in_parallel(n, run);
  std::size_t total = 0;
  bool whole = true;
  for (std::size_t k = 0; k < n; ++k) {
    whole = whole && !failed[k] && got[k].clean_end;
    total += got[k].rows.rows.size();
  }
  if (!whole || static_cast<int64_t>(total) > lim.max_rows) {
    got.clear();
    return read_csv_part(text, 0, text.size(), delim, true, name, lim).rows;
  }
  Table rows = std::move(got[0].rows);
  rows.rows.reserve(total);
  int64_t offset = got[0].next_line - 1;  // lines before the part
  for (std::size_t k = 1; k < n; ++k) {
    rows.append(std::move(got[k].rows), offset);
    offset += got[k].next_line - 1;
  }
  return rows;
}

}  // namespace

Table read_csv_bytes(std::string bytes, const std::string& name, const ReadLimits& lim,
                     std::size_t parts) {
  if (static_cast<int64_t>(bytes.size()) > lim.max_file_bytes)
    throw ReadError(fmt::format("{}: the file is larger than the limit of {} MiB", name,
                                lim.max_file_bytes >> 20));
  if (bytes.find('\0') != std::string::npos &&
      !(bytes.size() >= 2 && (bytes[0] == '\xFF' || bytes[0] == '\xFE')))
    throw ReadError(fmt::format("{}: this is not a text file (it holds NUL bytes)", name));
  std::string text;
  try {
    text = decode_to_utf8(std::move(bytes));
  } catch (const ReadError& e) {
    throw ReadError(fmt::format("{}: {}", name, e.what()));
  }
  Table t = read_csv_rows(text, detect_delimiter(text), name, lim, parts);
  t.file = name;
  return t;
}

Table read_table(const std::string& path, const ReadLimits& lim) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(fmt::format("{}: cannot open the file", path));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) throw ReadError(fmt::format("{}: cannot read the file", path));
  if (size > lim.max_file_bytes)
    throw ReadError(fmt::format("{}: the file is larger than the limit of {} MiB", path,
                                lim.max_file_bytes >> 20));
  in.seekg(0);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0)
    return read_xlsx_bytes(bytes, path, lim);
  return read_csv_bytes(std::move(bytes), path, lim);
}

}  // namespace sanad::io
