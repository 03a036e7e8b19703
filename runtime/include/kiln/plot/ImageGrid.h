//===- ImageGrid.h - Grids of images as PNG files ---------------*- C++ -*-===//

#ifndef KILN_PLOT_IMAGEGRID_H
#define KILN_PLOT_IMAGEGRID_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::plot {

/// Writes `count` grayscale images of `height` x `width` floats each
/// (`pixels`, row-major, image after image) as one PNG grid of `columns`
/// images per row, with a one-pixel gap. Values are mapped from [low, high]
/// to black..white and clamped.
bool writeImageGrid(const std::string &path, const std::vector<float> &pixels,
                    int64_t count, int64_t height, int64_t width,
                    int64_t columns, float low, float high,
                    std::string &error);

/// Two sets of `count` images compared: rows of `columns` images of `top`,
/// each followed by the same images of `bottom` (an autoencoder's inputs
/// and reconstructions); values in [0, 1].
bool writeComparisonGrid(const std::string &path, const std::vector<float> &top,
                         const std::vector<float> &bottom, int64_t count,
                         int64_t height, int64_t width, int64_t columns,
                         std::string &error);

} // namespace kiln::plot

#endif // KILN_PLOT_IMAGEGRID_H
