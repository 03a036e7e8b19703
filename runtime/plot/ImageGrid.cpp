//===- ImageGrid.cpp - Grids of images as PNG files -----------------------===//
//
// Through Debian's libpng. The file is written next to its destination and
// renamed into place, so a reader never sees half an image.
//
//===----------------------------------------------------------------------===//

#include "kiln/plot/ImageGrid.h"

#include <png.h>

#include <algorithm>
#include <cstdio>

using namespace kiln::plot;

bool kiln::plot::writeImageGrid(const std::string &path,
                               const std::vector<float> &pixels, int64_t count,
                               int64_t height, int64_t width, int64_t columns,
                               float low, float high, std::string &error) {
  if (count < 1 || height < 1 || width < 1 || columns < 1 ||
      static_cast<int64_t>(pixels.size()) < count * height * width) {
    error = "no images to write to '" + path + "'";
    return false;
  }
  columns = std::min(columns, count);
  int64_t rows = (count + columns - 1) / columns;
  int64_t gridWidth = columns * (width + 1) + 1;
  int64_t gridHeight = rows * (height + 1) + 1;
  // A mid-gray background shows the gaps between images.
  std::vector<png_byte> grid(gridWidth * gridHeight, 128);
  float scale = high > low ? 255.0f / (high - low) : 0.0f;
  for (int64_t image = 0; image < count; ++image) {
    int64_t top = (image / columns) * (height + 1) + 1;
    int64_t left = (image % columns) * (width + 1) + 1;
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        float value = pixels[(image * height + y) * width + x];
        grid[(top + y) * gridWidth + left + x] = static_cast<png_byte>(
            std::clamp((value - low) * scale + 0.5f, 0.0f, 255.0f));
      }
  }

  std::string temporary = path + ".tmp";
  FILE *file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    error = "cannot write '" + path + "'";
    return false;
  }
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  bool ok = png && info;
  if (ok && setjmp(png_jmpbuf(png)))
    ok = false;
  else if (ok) {
    png_init_io(png, file);
    png_set_IHDR(png, info, static_cast<png_uint_32>(gridWidth),
                 static_cast<png_uint_32>(gridHeight), 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int64_t y = 0; y < gridHeight; ++y)
      png_write_row(png, grid.data() + y * gridWidth);
    png_write_end(png, nullptr);
  }
  png_destroy_write_struct(png ? &png : nullptr, info ? &info : nullptr);
  ok &= std::fclose(file) == 0;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

bool kiln::plot::writeComparisonGrid(const std::string &path,
                                     const std::vector<float> &top,
                                     const std::vector<float> &bottom,
                                     int64_t count, int64_t height,
                                     int64_t width, int64_t columns,
                                     std::string &error) {
  int64_t size = height * width;
  std::vector<float> grid;
  for (int64_t row = 0; row * columns < count; ++row)
    for (const std::vector<float> *source : {&top, &bottom})
      for (int64_t c = 0; c < columns; ++c) {
        int64_t image = row * columns + c;
        if (image >= count) {
          grid.insert(grid.end(), size, 0.5f);
          continue;
        }
        grid.insert(grid.end(), source->begin() + image * size,
                    source->begin() + (image + 1) * size);
      }
  int64_t cells = static_cast<int64_t>(grid.size()) / size;
  return writeImageGrid(path, grid, cells, height, width, columns, 0.0f, 1.0f,
                        error);
}
