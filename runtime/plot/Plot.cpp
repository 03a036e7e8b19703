//===- Plot.cpp - Line charts and heat maps as PNG or SVG -----------------===//

#include "kiln/plot/Plot.h"



#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

using namespace kiln::plot;

namespace {

constexpr double kWidth = 720, kHeight = 480;
constexpr const char *kFont = "DejaVu Sans";

/// Colours that stay apart for the colour-blind (Okabe and Ito).
constexpr double kPalette[][3] = {
    {0.000, 0.447, 0.698}, {0.835, 0.369, 0.000}, {0.000, 0.620, 0.451},
    {0.800, 0.475, 0.655}, {0.941, 0.894, 0.259}, {0.337, 0.706, 0.914},
    {0.902, 0.624, 0.000}, {0.0, 0.0, 0.0}};

/// A drawing surface for `path` that writes itself when finished.
class Canvas {
public:
  Canvas(const std::string &path, double width, double height)
      : path(path), svg(path.size() > 4 &&
                        path.compare(path.size() - 4, 4, ".svg") == 0) {
    surface = svg ? cairo_svg_surface_create(path.c_str(), width, height)
                  : cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                               int(width), int(height));
    cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
  }
  ~Canvas() {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
  }

  bool finish(std::string &error) {
    cairo_status_t status = cairo_status(cr);
    if (status == CAIRO_STATUS_SUCCESS) {
      if (svg) {
        cairo_surface_finish(surface);
        status = cairo_surface_status(surface);
      } else {
        cairo_surface_flush(surface);
        status = cairo_surface_write_to_png(surface, path.c_str());
      }
    }
    if (status != CAIRO_STATUS_SUCCESS)
      error = "cannot write plot '" + path +
              "': " + cairo_status_to_string(status);
    return status == CAIRO_STATUS_SUCCESS;
  }

  enum class Align { Left, Center, Right };
  /// Draws `text` with its baseline at y (or centred on y when rotated).
  void text(const std::string &content, double x, double y, double size,
            Align align = Align::Center, bool bold = false,
            bool vertical = false) {
    cairo_save(cr);
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD
                                : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t extents;
    cairo_text_extents(cr, content.c_str(), &extents);
    double shift = align == Align::Left     ? 0
                   : align == Align::Center ? extents.x_advance / 2
                                            : extents.x_advance;
    cairo_translate(cr, x, y);
    if (vertical)
      cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, -shift, 0);
    cairo_show_text(cr, content.c_str());
    cairo_restore(cr);
  }

  double textWidth(const std::string &content, double size) {
    cairo_set_font_size(cr, size);
    cairo_text_extents_t extents;
    cairo_text_extents(cr, content.c_str(), &extents);
    return extents.x_advance;
  }

  cairo_t *cr = nullptr;

private:
  std::string path;
  bool svg;
  cairo_surface_t *surface = nullptr;
};

/// Round tick positions covering [low, high], about `count` of them.
std::vector<double> ticks(double low, double high, int count) {
  double span = high - low;
  double raw = span / count;
  double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (magnitude * factor >= raw) {
      step = magnitude * factor;
      break;
    }
  std::vector<double> values;
  for (double v = std::ceil(low / step - 1e-9) * step; v <= high + step * 1e-9;
       v += step)
    values.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return values;
}

std::string tickLabel(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

} // namespace

namespace {
/// Draws `chart` in the panel of the canvas from x = `offset`, kWidth wide.
void drawChart(Canvas &canvas, const LineChart &chart, double offset) {
  cairo_t *cr = canvas.cr;
  double xLow = INFINITY, xHigh = -INFINITY, yLow = INFINITY,
         yHigh = -INFINITY;
  for (const Series &series : chart.series)
    for (size_t i = 0; i < series.x.size(); ++i) {
      if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i]))
        continue;
      xLow = std::min(xLow, series.x[i]);
      xHigh = std::max(xHigh, series.x[i]);
      yLow = std::min(yLow, series.y[i]);
      yHigh = std::max(yHigh, series.y[i]);
    }
  if (chart.unitSquare || !std::isfinite(xLow)) {
    xLow = yLow = 0;
    xHigh = yHigh = 1;
  }
  if (xHigh <= xLow)
    xHigh = xLow + 1;
  if (yHigh <= yLow) {
    double pad = std::max(std::fabs(yLow) * 0.1, 1e-3);
    yLow -= pad;
    yHigh += pad;
  } else if (!chart.unitSquare) {
    double pad = (yHigh - yLow) * 0.05;
    yLow -= pad;
    yHigh += pad;
  }
  std::vector<double> xTicks = ticks(xLow, xHigh, 6),
                      yTicks = ticks(yLow, yHigh, 6);

  double tickWidth = 0;
  for (double y : yTicks)
    tickWidth = std::max(tickWidth, canvas.textWidth(tickLabel(y), 12));
  double left = offset + 40 + tickWidth, right = offset + kWidth - 24, top = 48,
         bottom = kHeight - 56;
  auto px = [&](double x) {
    return left + (x - xLow) / (xHigh - xLow) * (right - left);
  };
  auto py = [&](double y) {
    return bottom - (y - yLow) / (yHigh - yLow) * (bottom - top);
  };

  // Grid, axes, ticks.
  cairo_set_line_width(cr, 1);
  cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
  for (double x : xTicks) {
    cairo_move_to(cr, px(x), top);
    cairo_line_to(cr, px(x), bottom);
  }
  for (double y : yTicks) {
    cairo_move_to(cr, left, py(y));
    cairo_line_to(cr, right, py(y));
  }
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_stroke(cr);
  for (double x : xTicks)
    canvas.text(tickLabel(x), px(x), bottom + 18, 12);
  for (double y : yTicks)
    canvas.text(tickLabel(y), left - 6, py(y) + 4, 12,
                Canvas::Align::Right);
  canvas.text(chart.title, offset + kWidth / 2, 28, 17, Canvas::Align::Center,
              true);
  canvas.text(chart.xLabel, (left + right) / 2, kHeight - 16, 14);
  canvas.text(chart.yLabel, offset + 18, (top + bottom) / 2, 14,
              Canvas::Align::Center, false, true);

  // The series, clipped to the plot area.
  cairo_save(cr);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_clip(cr);
  cairo_set_line_width(cr, 2);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series &series = chart.series[s];
    const double *colour = series.dashed ? kPalette[7] : kPalette[s % 7];
    cairo_set_source_rgb(cr, colour[0], colour[1], colour[2]);
    double dash[] = {6, 4};
    cairo_set_dash(cr, dash, series.dashed ? 2 : 0, 0);
    if (series.points) {
      for (size_t i = 0; i < series.x.size(); ++i)
        if (std::isfinite(series.x[i]) && std::isfinite(series.y[i])) {
          cairo_new_sub_path(cr);
          cairo_arc(cr, px(series.x[i]), py(series.y[i]), 2.5, 0, 2 * M_PI);
        }
      cairo_fill(cr);
      continue;
    }
    bool started = false;
    for (size_t i = 0; i < series.x.size(); ++i) {
      if (!std::isfinite(series.y[i]))
        continue;
      if (!started)
        cairo_move_to(cr, px(series.x[i]), py(series.y[i]));
      else if (chart.steps) {
        double lastX = 0, lastY = 0;
        cairo_get_current_point(cr, &lastX, &lastY);
        cairo_line_to(cr, lastX, py(series.y[i]));
        cairo_line_to(cr, px(series.x[i]), py(series.y[i]));
      } else
        cairo_line_to(cr, px(series.x[i]), py(series.y[i]));
      started = true;
    }
    cairo_stroke(cr);
    // A lone point is still seen.
    if (series.x.size() <= 12 && !chart.unitSquare)
      for (size_t i = 0; i < series.x.size(); ++i)
        if (std::isfinite(series.y[i])) {
          cairo_arc(cr, px(series.x[i]), py(series.y[i]), 3.5, 0, 2 * M_PI);
          cairo_fill(cr);
        }
  }
  cairo_restore(cr);

  // The legend goes in the corner with the fewest points under it.
  double legendWidth = 0;
  for (const Series &series : chart.series)
    legendWidth = std::max(legendWidth, canvas.textWidth(series.label, 13));
  double boxWidth = legendWidth + 48, boxHeight = 22.0 * chart.series.size() + 8;
  double boxX = right - boxWidth - 10, boxY = top + 10;
  auto crowded = [&](double x0, double y0) {
    int count = 0;
    // Points along each segment, so that long straight lines count too.
    for (const Series &series : chart.series)
      for (size_t i = 0; i + 1 < series.x.size(); ++i)
        for (int k = 0; k <= 16; ++k) {
          double t = k / 16.0;
          double x = px(series.x[i] + t * (series.x[i + 1] - series.x[i]));
          double y = py(series.y[i] + t * (series.y[i + 1] - series.y[i]));
          count += x >= x0 && x <= x0 + boxWidth && y >= y0 &&
                   y <= y0 + boxHeight;
        }
    return count;
  };
  double best = 1e18;
  for (double x0 : {right - boxWidth - 10, left + 10})
    for (double y0 : {top + 10, bottom - boxHeight - 10}) {
      double score = crowded(x0, y0);
      if (score < best) {
        best = score;
        boxX = x0;
        boxY = y0;
      }
    }
  cairo_set_dash(cr, nullptr, 0, 0);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
  cairo_rectangle(cr, boxX, boxY, boxWidth, boxHeight);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series &series = chart.series[s];
    const double *colour = series.dashed ? kPalette[7] : kPalette[s % 7];
    double y = boxY + 18 + 22.0 * s;
    cairo_set_source_rgb(cr, colour[0], colour[1], colour[2]);
    cairo_set_line_width(cr, 2);
    double dash[] = {6, 4};
    cairo_set_dash(cr, dash, series.dashed ? 2 : 0, 0);
    cairo_move_to(cr, boxX + 8, y - 4);
    cairo_line_to(cr, boxX + 34, y - 4);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    canvas.text(series.label, boxX + 40, y, 13, Canvas::Align::Left);
  }
}
} // namespace

bool kiln::plot::writeLineCharts(const std::string &path,
                                const std::vector<LineChart> &charts,
                                std::string &error) {
  Canvas canvas(path, kWidth * double(charts.size()), kHeight);
  for (size_t i = 0; i < charts.size(); ++i)
    drawChart(canvas, charts[i], kWidth * double(i));
  return canvas.finish(error);
}

bool kiln::plot::writeHeatMap(const std::string &path, const HeatMap &map,
                             std::string &error) {
  int64_t n = static_cast<int64_t>(map.names.size());
  Canvas probe("measure.png", 10, 10); // never written
  double nameWidth = 0;
  for (const std::string &name : map.names)
    nameWidth = std::max(nameWidth, probe.textWidth(name, 12));
  double cell = std::clamp(560.0 / std::max<int64_t>(n, 1), 36.0, 120.0);
  double left = 56 + nameWidth, top = 56;
  double width = std::max(left + cell * n + 24,
                          probe.textWidth(map.title, 18) + 40),
         height = top + cell * n + nameWidth + 52;
  Canvas canvas(path, width, height);
  cairo_t *cr = canvas.cr;
  int64_t largest = 1;
  for (int64_t count : map.counts)
    largest = std::max(largest, count);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c) {
      int64_t count = map.counts[r * n + c];
      double shade = double(count) / double(largest);
      // White to dark blue; the count is white on dark cells.
      cairo_set_source_rgb(cr, 1 - 0.92 * shade, 1 - 0.7 * shade,
                           1 - 0.35 * shade);
      cairo_rectangle(cr, left + c * cell, top + r * cell, cell, cell);
      cairo_fill(cr);
      double ink = shade > 0.5 ? 1.0 : 0.1;
      cairo_set_source_rgb(cr, ink, ink, ink);
      canvas.text(std::to_string(count), left + (c + 0.5) * cell,
                  top + (r + 0.5) * cell + 5, std::min(14.0, cell / 3));
    }
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, left, top, cell * n, cell * n);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  for (int64_t i = 0; i < n; ++i) {
    canvas.text(map.names[i], left - 6, top + (i + 0.5) * cell + 4, 12,
                Canvas::Align::Right);
    canvas.text(map.names[i], left + (i + 0.5) * cell + 4, top + cell * n + 6,
                12, Canvas::Align::Right, false, true);
  }
  canvas.text(map.title, width / 2, 30, 17, Canvas::Align::Center, true);
  canvas.text(map.columnLabel, left + cell * n / 2, height - 14, 14);
  canvas.text(map.rowLabel, 18, top + cell * n / 2, 14, Canvas::Align::Center,
              false, true);
  return canvas.finish(error);
}
