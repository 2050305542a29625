// libFuzzer target: the CSV reader must either read a table or throw ReadError, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "io/table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sanad::io::ReadLimits lim;
  lim.max_file_bytes = 1 << 20;
  lim.max_rows = 10000;
  lim.max_cell_bytes = 4096;
  try {
    sanad::io::read_csv_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv",
                              lim);
  } catch (const sanad::io::ReadError&) {
  }
  return 0;
}
