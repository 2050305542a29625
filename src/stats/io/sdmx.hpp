// SDMX 2.1: a data structure definition with its codelists and concepts (SDMX-ML structure
// message), the schema of its structure-specific data (derived from the official base types, as
// SDMX registries generate it), data as SDMX-ML structure-specific and SDMX-CSV, and both read
// back. Knows nothing of indicators: dimensions, codes and observations only.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sanad::sdmx {

struct Code {
  std::string id, name_fr, name_ar, parent;
};
struct Codelist {
  std::string id, name_fr, name_ar;
  std::vector<Code> codes;
};
struct Dimension {
  std::string id, name_fr, name_ar;
  std::size_t codelist = 0;  // index in Dsd::codelists
};
struct Dsd {
  std::string agency = "SANAD", id = "DSD_EDU", version = "1.0", name_fr, name_ar;
  std::vector<Codelist> codelists;    // the dimensions' and CL_OBS_STATUS, CL_CONF_STATUS
  std::vector<Dimension> dimensions;  // in key order; then TIME_PERIOD
  std::string dataflow = "DF_EDU";
};

struct Obs {
  std::vector<std::string> key;  // one code per dimension, in order
  std::string time;              // TIME_PERIOD: the first year of the school year ("2025")
  std::optional<double> value;   // absent when withheld or missing
  std::string obs_status = "A", conf_status = "F";
};

// The codelists every Dsd carries for the attributes: observation status (A normal, M missing)
// and confidentiality (F free, C confidential, D secondary confidentiality).
Codelist obs_status_codelist();
Codelist conf_status_codelist();

std::string structure_xml(const Dsd& d, const std::string& prepared);
// The XSD of the structure-specific data of `d`, importing the official base schema from
// `base_location` (a path or URL of SDMXDataStructureSpecificBase.xsd).
std::string data_schema(const Dsd& d, const std::string& base_location);
std::string data_namespace(const Dsd& d);
std::string data_xml(const Dsd& d, const std::vector<Obs>& obs, const std::string& prepared);
std::string data_csv(const Dsd& d, const std::vector<Obs>& obs);

// Reading back: the observations of a message of this Dsd, or an error naming the line (CSV) or
// the element (XML) and the reason.
struct ReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
std::vector<Obs> read_data_csv(const Dsd& d, const std::string& text);
std::vector<Obs> read_data_xml(const Dsd& d, const std::string& text);

}  // namespace sanad::sdmx
