#include "core/io/table.hpp"

#include <algorithm>
#include <cstring>

#include "kernel/text.hpp"

namespace sanad::io {

// Blocks of text and of cell references. A row's text lies in one text block and its references
// in one reference block; a block never moves once made, so the rows' views stay where they are.
struct Table::Storage {
  static constexpr std::size_t kTextBlock = 1 << 20, kRefBlock = 1 << 16;
  template <typename T>
  struct Block {
    std::unique_ptr<T[]> data;
    std::size_t size = 0, used = 0;
  };
  std::vector<Block<char>> text;
  std::vector<Block<CellRef>> refs;

  template <typename T>
  static T* take(std::vector<Block<T>>& blocks, std::size_t n, std::size_t block) {
    if (blocks.empty() || blocks.back().size - blocks.back().used < n) {
      // A new block; the one before keeps the space it did not use, a small loss.
      const std::size_t size = std::max(block, n);
      blocks.push_back({std::make_unique_for_overwrite<T[]>(size), size, 0});
    }
    auto& b = blocks.back();
    T* at = b.data.get() + b.used;
    b.used += n;
    return at;
  }
};

std::vector<std::string> Cells::strings() const {
  std::vector<std::string> out;
  out.reserve(n_);
  for (auto c : *this) out.emplace_back(c);
  return out;
}

bool Row::blank() const {
  for (auto c : cells)
    if (!trim(c).empty()) return false;
  return true;
}

Table::Table() : storage_(std::make_unique<Storage>()) {}
Table::~Table() = default;
Table::Table(Table&&) noexcept = default;
Table& Table::operator=(Table&&) noexcept = default;

void Table::add_row(int64_t number, std::span<const std::string_view> cells) {
  if (!storage_) storage_ = std::make_unique<Storage>();
  std::size_t bytes = 0;
  for (auto c : cells) bytes += c.size();
  if (bytes > UINT32_MAX) throw std::length_error("a row longer than 4 GB");
  Row row;
  row.number = number;
  row.cells.n_ = static_cast<uint32_t>(cells.size());
  if (!cells.empty()) {
    char* text =
        Storage::take(storage_->text, std::max<std::size_t>(bytes, 1), Storage::kTextBlock);
    CellRef* refs = Storage::take(storage_->refs, cells.size(), Storage::kRefBlock);
    uint32_t at = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (!cells[i].empty()) std::memcpy(text + at, cells[i].data(), cells[i].size());
      refs[i] = {at, static_cast<uint32_t>(cells[i].size())};
      at += static_cast<uint32_t>(cells[i].size());
    }
    row.cells.base_ = text;
    row.cells.refs_ = refs;
  }
  rows.push_back(row);
}

void Table::add_row(int64_t number, const std::vector<std::string>& cells) {
  std::vector<std::string_view> views(cells.begin(), cells.end());
  add_row(number, std::span<const std::string_view>(views));
}

void Table::append(Table&& other, int64_t shift) {
  if (!storage_) storage_ = std::make_unique<Storage>();
  rows.reserve(rows.size() + other.rows.size());
  for (auto r : other.rows) {
    r.number += shift;
    rows.push_back(r);
  }
  other.rows.clear();
  if (other.storage_) {
    // The other's blocks come before this one's last, so that this one goes on filling its own.
    auto move_blocks = [](auto& to, auto& from) {
      auto last = to.empty() ? to.end() : to.end() - 1;
      to.insert(last, std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
      from.clear();
    };
    move_blocks(storage_->text, other.storage_->text);
    move_blocks(storage_->refs, other.storage_->refs);
  }
}

}  // namespace sanad::io
