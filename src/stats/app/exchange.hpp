// The exchange with the planning directorate: Sanad's indicators as SDMX 2.1 (structure, data as
// SDMX-ML structure-specific and SDMX-CSV), with small counts withheld so that nothing singles
// out a pupil; and what comes back (SDMX-CSV, SDMX-ML, or the census CSV of indicators by
// commune, which feeds targeting rules).
#pragma once
#include <string>
#include <vector>

#include "core/app/actor.hpp"
#include "core/store/store.hpp"
#include "stats/app/stats.hpp"
#include "stats/io/sdmx.hpp"

namespace sanad::app {

// The data structure of Sanad's indicators: dimensions INDICATOR, REF_AREA (nation, regions,
// directorates, communes), SEX, MILIEU, LEVEL (levels and cycles), then TIME_PERIOD.
sdmx::Dsd exchange_dsd(store::Store& st);
// Territory codes in SDMX: MA, R01, D03_531, C03_531_01_05 (dots are not allowed in ids).
std::string area_id(NodeKind k, const std::string& code);

struct ExchangeData {
  std::vector<sdmx::Obs> obs;
  int64_t withheld_primary = 0, withheld_secondary = 0;
};
// Every indicator of the catalogue at the nation, regions, directorates and communes, in total
// and by each disaggregation it allows; counts of fewer than `threshold` pupils withheld
// (CONF_STATUS C), and further cells withheld (D) until no published total gives them back.
ExchangeData exchange_data(const sdmx::Dsd& d, const StatsSnapshot& s, int64_t threshold = 5);

struct ExportFiles {
  std::string structure, schema, data_xml, data_csv;  // paths written
  ExchangeData data;
};
// Writes the four files into `dir`: SANAD_DSD.xml, SANAD_DSD.xsd (its data's schema, importing
// the official base schema from `sdmx_schema_dir`), SANAD_<year>.xml and SANAD_<year>.csv.
ExportFiles export_exchange(store::Store& st, const StatsSnapshot& s, const std::string& dir,
                            const std::string& sdmx_schema_dir, int64_t threshold,
                            const Actor& who);

struct ImportSummary {
  std::string format;  // "sdmx-csv", "sdmx-ml", "census-csv"
  int64_t inserted = 0, updated = 0, unchanged = 0;
};
// Reads a file back: SDMX-CSV or SDMX-ML of Sanad's structure into the received observations,
// or the census CSV (columns code, level, area, sex and one column per indicator; the rows of
// communes, area total and sex all are taken) into the indicators of communes. All or nothing;
// errors name the file, the line and the reason.
ImportSummary import_exchange(store::Store& st, const std::string& path, const Actor& who);

// The received observations as SDMX-CSV (for comparison and re-export).
std::string received_csv(store::Store& st);

}  // namespace sanad::app
