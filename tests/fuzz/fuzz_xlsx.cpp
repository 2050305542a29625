// libFuzzer target: the XLSX reader must either read a table or throw ReadError, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/io/table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sanad::io::ReadLimits lim;
  lim.max_file_bytes = 1 << 20;
  lim.max_rows = 10000;
  lim.max_unzipped_bytes = 16 << 20;
  try {
    sanad::io::read_xlsx_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.xlsx",
                               lim);
  } catch (const sanad::io::ReadError&) {
  }
  return 0;
}
