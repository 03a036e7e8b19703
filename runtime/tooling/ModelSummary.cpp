//===- ModelSummary.cpp - The model summary as a table --------------------===//

#include "kiln/tooling/ModelSummary.h"

#include "kiln/runtime/Tensor.h"

#include <algorithm>
#include <cstdio>

namespace kiln::tooling {
namespace {

/// 1234567 as "1,234,567".
std::string withThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      text += ',';
    text += digits[i];
  }
  return value < 0 ? "-" + text : text;
}

/// 5912345 as "5.91 M" (and 1520 bytes as "1.52 KB"): totals read at a
/// glance.
std::string scaled(double value, const char *unitName = "") {
  const char *units[] = {"", " K", " M", " G", " T"};
  int unit = 0;
  while (value >= 1000 && unit < 4) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit ? "%.2f%s%s" : "%.0f%s%s", value,
                unit || !*unitName ? units[unit] : " ", unitName);
  return text;
}

std::string shapesOf(const rt::LayerSpec &layer) {
  std::string text;
  for (const rt::TensorSpec &shape : layer.shapes)
    text += (text.empty() ? "" : ", ") + std::string(rt::dtypeName(shape.dtype)) +
            rt::formatShape(shape.shape);
  return text;
}

} // namespace

ParameterTotals totalParameters(const std::vector<rt::ParamSpec> &params) {
  ParameterTotals totals;
  for (const rt::ParamSpec &param : params) {
    rt::Tensor shape(param.type.dtype, param.type.shape);
    (param.buffer ? totals.buffers : totals.trainable) += shape.numElements();
    totals.bytes += static_cast<int64_t>(shape.bytes.size());
  }
  return totals;
}

std::string formatModelSummary(const std::string &modelName,
                               const std::vector<rt::LayerSpec> &layers,
                               const ParameterTotals &totals) {
  std::string text = "model " + modelName + "\n";
  if (layers.empty())
    return text + "no summary recorded: the module is older than the "
                  "summary; recompile it with kilnc\n";

  struct Cells {
    std::string position, binding, op, shapes, params, flops;
  };
  std::vector<Cells> rows;
  for (const rt::LayerSpec &layer : layers)
    rows.push_back({std::to_string(layer.line) + ":" +
                        std::to_string(layer.column),
                    layer.binding, layer.op, shapesOf(layer),
                    withThousands(layer.params), withThousands(layer.flops)});
  Cells header{"source", "binding", "op", "output", "params", "FLOPs/sample"};
  Cells width = header;
  auto widen = [](std::string &widest, const std::string &cell) {
    if (cell.size() > widest.size())
      widest.resize(cell.size(), ' ');
  };
  for (const Cells &row : rows) {
    widen(width.position, row.position);
    widen(width.binding, row.binding);
    widen(width.op, row.op);
    widen(width.shapes, row.shapes);
    widen(width.params, row.params);
    widen(width.flops, row.flops);
  }
  auto line = [&](const Cells &row) {
    char buffer[1024];
    std::snprintf(buffer, sizeof buffer, "  %-*s  %-*s  %-*s  %-*s  %*s  %*s\n",
                  int(width.position.size()), row.position.c_str(),
                  int(width.binding.size()), row.binding.c_str(),
                  int(width.op.size()), row.op.c_str(),
                  int(width.shapes.size()), row.shapes.c_str(),
                  int(width.params.size()), row.params.c_str(),
                  int(width.flops.size()), row.flops.c_str());
    std::string out = buffer;
    // Trailing blanks of an empty last column are noise in a terminal.
    while (out.size() > 1 && out[out.size() - 2] == ' ')
      out.erase(out.size() - 2, 1);
    return out;
  };
  text += line(header);

  // Rows of the first entry (the inference entry) come first; the rest run
  // only in the entries named by their headings.
  const std::string &firstEntry = layers.front().entry;
  int64_t firstFlops = 0, allFlops = 0, counted = 0;
  std::string entry = firstEntry, previousBinding;
  for (size_t i = 0; i < layers.size(); ++i) {
    const rt::LayerSpec &layer = layers[i];
    if (layer.entry != entry) {
      entry = layer.entry;
      previousBinding.clear();
      text += "  -- only in " + entry + " --\n";
    }
    Cells row = rows[i];
    // A binding's name heads its first op only.
    if (row.binding == previousBinding)
      row.binding.clear();
    else
      previousBinding = row.binding;
    text += line(row);
    (layer.entry == firstEntry ? firstFlops : allFlops) += layer.flops;
    counted += layer.params;
  }
  text += "parameters: " + withThousands(totals.trainable) + " trainable";
  if (totals.buffers)
    text += ", " + withThousands(totals.buffers) + " in buffers";
  text += " (" + scaled(double(totals.bytes), "B") + ")\n";
  if (counted < totals.trainable)
    text += "  " + withThousands(totals.trainable - counted) +
            " trainable values are read by no entry\n";
  text += "FLOPs per sample: " + scaled(double(firstFlops)) + " in " +
          firstEntry;
  if (allFlops)
    text += ", " + scaled(double(allFlops)) +
            " more in the other entries' forward ops";
  return text + "\n";
}

} // namespace kiln::tooling
