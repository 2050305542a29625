// libFuzzer target: the CSV reader must either read a table or throw ReadError, never crash; read
// in several parts (as a large file is, one per core) it must read what it reads in one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/io/table.hpp"

namespace {
std::string outcome(const std::string& bytes, std::size_t parts) {
  sanad::io::ReadLimits lim;
  lim.max_file_bytes = 1 << 20;
  lim.max_rows = 10000;
  lim.max_cell_bytes = 4096;
  try {
    std::string out;
    for (const auto& row : sanad::io::read_csv_bytes(bytes, "fuzz.csv", lim, parts).rows) {
      out += std::to_string(row.number) + ":";
      for (const auto c : row.cells) (out += std::to_string(c.size()) + "|") += c;
      out += "\n";
    }
    return out;
  } catch (const sanad::io::ReadError& e) {
    return std::string("error: ") + e.what();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (outcome(bytes, 1) != outcome(bytes, 2 + size % 4)) std::abort();
  return 0;
}
