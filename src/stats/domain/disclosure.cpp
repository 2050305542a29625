#include "stats/domain/disclosure.hpp"

namespace sanad::disclosure {

std::vector<Conf> protect(const std::vector<Cell>& cells, const std::vector<Relation>& relations,
                          int64_t threshold) {
  std::vector<Conf> conf(cells.size(), Conf::free);
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (cells[i].personal && cells[i].people > 0 && cells[i].people < threshold)
      conf[i] = Conf::primary;
  auto withheld = [&](int32_t c) { return conf[static_cast<std::size_t>(c)] != Conf::free; };
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& r : relations) {
      int n = withheld(r.total) ? 1 : 0;
      for (auto p : r.parts) n += withheld(p) ? 1 : 0;
      if (n != 1) continue;
      // The cheapest other cell: the smallest positive part, else the total, else any part.
      int32_t pick = -1;
      for (auto p : r.parts) {
        const auto& c = cells[static_cast<std::size_t>(p)];
        if (withheld(p) || c.value <= 0) continue;
        if (pick < 0 || c.value < cells[static_cast<std::size_t>(pick)].value) pick = p;
      }
      if (pick < 0 && !withheld(r.total)) pick = r.total;
      if (pick < 0)
        for (auto p : r.parts)
          if (!withheld(p)) {
            pick = p;
            break;
          }
      if (pick < 0) continue;  // a relation of one cell: nothing else to withhold
      conf[static_cast<std::size_t>(pick)] = Conf::secondary;
      changed = true;
    }
  }
  return conf;
}

}  // namespace sanad::disclosure
