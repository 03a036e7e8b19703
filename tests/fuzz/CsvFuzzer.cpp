//===- CsvFuzzer.cpp - The CSV reader and the encoding of its table -------===//
//
// A table read from any bytes, then encoded as training would encode it:
// the target the last column, text columns one-hot, features scaled.
//
//===----------------------------------------------------------------------===//

#include "FuzzInput.h"

#include "kiln/train/Preprocessing.h"
#include "kiln/train/Table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::fuzz::InputFile file(data, size);
  kiln::train::Table table;
  std::string error;
  if (!kiln::train::readTable(file.path(), table, error))
    return 0;
  kiln::train::Preprocessing preprocessing;
  kiln::train::Samples samples;
  std::vector<int64_t> rows(table.rows.size());
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i] = static_cast<int64_t>(i);
  if (preprocessing.fitEncoding(table, "", {}, rows, error) &&
      preprocessing.encode(table, samples, error)) {
    preprocessing.fitScaling(samples, rows, kiln::train::Scaling::Standard);
    preprocessing.apply(samples.features.data(), samples.count);
    // The checkpoint's text form reads back as it was.
    kiln::train::Preprocessing again;
    std::string text = preprocessing.serialize();
    if (!again.parse(text, error) || again.serialize() != text)
      __builtin_trap();
  }
  return 0;
}
