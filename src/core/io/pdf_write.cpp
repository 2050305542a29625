// A list as a PDF for people to read and sign: A4 landscape, a title, the table with its
// headings repeated on every page, page numbers. Pango shapes the text (Arabic letters joined,
// right-to-left runs ordered) with the Amiri font; Cairo writes the PDF.
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/write.hpp"

namespace sanad::io {
namespace {

constexpr double kPageW = 842, kPageH = 595, kMargin = 30, kPad = 3;
constexpr const char* kFont = "Amiri";

class PdfWriter : public TableWriter {
 public:
  PdfWriter(std::string path, SheetSpec spec) : path_(std::move(path)), spec_(std::move(spec)) {}
  void row(const std::vector<std::string>& cells) override {
    rows_.push_back(cells);
    rows_.back().resize(spec_.headings.size());
  }
  void close() override;

 private:
  std::string path_;
  SheetSpec spec_;
  std::vector<std::vector<std::string>> rows_;
};

struct Layouts {
  PangoLayout* body = nullptr;
  PangoLayout* bold = nullptr;
  ~Layouts() {
    if (body) g_object_unref(body);
    if (bold) g_object_unref(bold);
  }
};

void set_font(PangoLayout* l, double size, bool bold) {
  PangoFontDescription* fd = pango_font_description_from_string(kFont);
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(l, fd);
  pango_font_description_free(fd);
}

// The natural width of a text on one line, in points.
double text_width(PangoLayout* l, const std::string& s) {
  pango_layout_set_width(l, -1);
  pango_layout_set_text(l, s.c_str(), static_cast<int>(s.size()));
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  return static_cast<double>(w) / PANGO_SCALE;
}

// The height of a text wrapped to a width, in points.
double text_height(PangoLayout* l, const std::string& s, double width) {
  pango_layout_set_width(l, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_text(l, s.c_str(), static_cast<int>(s.size()));
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

void draw_text(cairo_t* cr, PangoLayout* l, const std::string& s, double x, double y, double width,
               bool rtl) {
  pango_layout_set_width(l, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_alignment(l, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_set_text(l, s.c_str(), static_cast<int>(s.size()));
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, l);
}

void PdfWriter::close() {
  const std::size_t nc = spec_.headings.size();
  if (nc == 0) throw std::runtime_error("a PDF table needs columns");
  cairo_surface_t* surface = cairo_pdf_surface_create(path_.c_str(), kPageW, kPageH);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    throw std::runtime_error("cannot write " + path_);
  }
  // No creation date: the same list gives the same file.
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, spec_.name.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Sanad");
  cairo_t* cr = cairo_create(surface);
  Layouts L;
  L.body = pango_cairo_create_layout(cr);
  L.bold = pango_cairo_create_layout(cr);
  set_font(L.body, 8.5, false);
  set_font(L.bold, 8.5, true);
  for (PangoLayout* l : {L.body, L.bold}) {
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_auto_dir(l, TRUE);
  }
  const bool rtl = spec_.right_to_left;

  // Column widths: each column's widest cell (headings wrap when they must), scaled to the page.
  const double avail = kPageW - 2 * kMargin;
  std::vector<double> want(nc, 0);
  for (std::size_t c = 0; c < nc; ++c) {
    want[c] = std::min(text_width(L.bold, spec_.headings[c]), 90.0);
    for (const auto& r : rows_) want[c] = std::max(want[c], text_width(L.body, r[c]));
    bool empty = std::all_of(rows_.begin(), rows_.end(),
                             [&](const std::vector<std::string>& r) { return r[c].empty(); });
    // An empty column (a signature) gets room to sign.
    want[c] = std::max(want[c] + 2 * kPad, empty && !rows_.empty() ? 80.0 : 28.0);
  }
  double sum = 0;
  for (double w : want) sum += w;
  std::vector<double> width(nc);
  for (std::size_t c = 0; c < nc; ++c) width[c] = want[c] * avail / sum;
  auto row_height = [&](const std::vector<std::string>& cells, PangoLayout* l) {
    double h = 0;
    for (std::size_t c = 0; c < nc; ++c)
      h = std::max(h, text_height(l, cells[c], width[c] - 2 * kPad));
    return h + 2 * kPad;
  };
  const double head_h = row_height(spec_.headings, L.bold);
  const double title_h = 34;
  std::vector<double> heights;
  for (const auto& r : rows_) heights.push_back(std::max(row_height(r, L.body), 18.0));

  // Pages: which rows go on each.
  std::vector<std::size_t> page_start{0};
  {
    double y = kMargin + title_h + head_h;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      if (y + heights[i] > kPageH - kMargin - 14 && i > page_start.back()) {
        page_start.push_back(i);
        y = kMargin + title_h + head_h;
      }
      y += heights[i];
    }
  }
  const std::size_t pages = page_start.size();

  auto column_x = [&](std::size_t c) {
    double x = 0;
    for (std::size_t k = 0; k < c; ++k) x += width[k];
    return rtl ? kPageW - kMargin - x - width[c] : kMargin + x;
  };
  auto draw_row = [&](const std::vector<std::string>& cells, double y, double h, PangoLayout* l,
                      bool shaded) {
    for (std::size_t c = 0; c < nc; ++c) {
      double x = column_x(c);
      if (shaded) {
        cairo_set_source_rgb(cr, 0.92, 0.94, 0.96);
        cairo_rectangle(cr, x, y, width[c], h);
        cairo_fill(cr);
      }
      cairo_set_source_rgb(cr, 0.55, 0.58, 0.62);
      cairo_set_line_width(cr, 0.4);
      cairo_rectangle(cr, x, y, width[c], h);
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, l, cells[c], x + kPad, y + kPad, width[c] - 2 * kPad, rtl);
    }
  };

  PangoLayout* title = pango_cairo_create_layout(cr);
  set_font(title, 13, true);
  pango_layout_set_auto_dir(title, TRUE);
  for (std::size_t p = 0; p < pages; ++p) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    const std::string& heading = spec_.title.empty() ? spec_.name : spec_.title;
    draw_text(cr, title, heading, kMargin, kMargin, avail, rtl);
    double y = kMargin + title_h;
    draw_row(spec_.headings, y, head_h, L.bold, true);
    y += head_h;
    std::size_t end = p + 1 < pages ? page_start[p + 1] : rows_.size();
    for (std::size_t i = page_start[p]; i < end; ++i) {
      draw_row(rows_[i], y, heights[i], L.body, false);
      y += heights[i];
    }
    std::string foot = std::to_string(p + 1) + " / " + std::to_string(pages);
    draw_text(cr, L.body, foot, kMargin, kPageH - kMargin, avail, !rtl);
    cairo_show_page(cr);
  }
  g_object_unref(title);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("writing " + path_ + ": " + cairo_status_to_string(status));
}

}  // namespace

std::unique_ptr<TableWriter> open_pdf_writer(const std::string& path, const SheetSpec& spec) {
  return std::make_unique<PdfWriter>(path, spec);
}

}  // namespace sanad::io
