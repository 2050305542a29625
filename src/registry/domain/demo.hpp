// A deterministic synthetic registry on the real territory: schools per commune by population,
// pupils by level with realistic ages, sex ratio, repetition, dropouts and transfers, siblings
// sharing a household, Arabic names with French spellings and the variants real data has, and
// absences (more in rural winter months, a few chronic absentees). Pure code: no I/O.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/records.hpp"

namespace sanad::demo {

// Rates of the synthetic population; the defaults give about 7.5 million pupils and 12,000
// schools for the whole country.
struct Params {
  uint64_t seed = 1;
  std::string school_year = "2025-2026";
  double pupils_per_inhabitant = 0.2037;
  double share_primary = 0.58, share_college = 0.25;  // the rest: lycée
  int rural_primary_size = 300, urban_primary_size = 800, college_size = 900, lycee_size = 1000;
  double repeat_primary = 0.07, repeat_college = 0.14, repeat_lycee = 0.12;
  double dropout_primary_rural = 0.015, dropout_primary_urban = 0.006, dropout_college_rural = 0.08,
         dropout_college_urban = 0.04, dropout_lycee = 0.05;
  double transfer = 0.015;
  double chronic_absentees = 0.03;
  double name_variant = 0.06;  // share of names stored with a spelling variant
  bool absences = true;
  // Also the school year before: where this year's pupils were (the level below in the same
  // school, or the same level for repeaters; the first level of a cycle came from elsewhere),
  // and the pupils who were there and dropped out since (codes Massar of their own). This
  // year's rows are the same with or without it.
  bool previous_year = false;
};

struct CommuneInfo {
  std::string code, province_code, milieu, name_ar;
  int64_t population = 0;
};

struct Chunk {
  std::vector<School> schools;
  std::vector<Pupil> pupils;
  std::vector<Enrolment> enrolments;
  std::vector<Household> households;
  std::vector<Membership> memberships;
  std::vector<Absence> absences;
};

// Pupils a commune gets (stable, so codes do not depend on which communes are generated).
int64_t pupils_of_commune(const Params& p, int64_t population);

// Generates the communes of one province. `communes` must be that province's communes in code
// order; `pupil_offset` is the number of pupils of all communes before them in the country
// (it makes codes Massar unique across the country and independent of the scale chosen);
// `commune_offset` the count of communes before them. `max_schools` (0 = no limit) keeps only
// the first schools, for the one-school scale.
Chunk generate_province(const Params& p, const std::vector<CommuneInfo>& communes,
                        int64_t pupil_offset, int64_t commune_offset, int max_schools = 0);

// A massar code for a pupil's national index: a letter and nine digits, unique per index.
std::string massar_for(int64_t index);

// The school days (Monday–Friday outside the main holidays) of a month of a school year.
std::vector<std::string> school_days(int year, int month);

}  // namespace sanad::demo
