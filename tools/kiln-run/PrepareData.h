//===- PrepareData.h - Samples split and preprocessed for a model -*- C++ -*-===//

#ifndef KILN_RUN_PREPAREDATA_H
#define KILN_RUN_PREPAREDATA_H

#include "Preprocessing.h"
#include "TrainOptions.h"

namespace kiln::run {

struct PreparedData {
  /// The training samples, then `validationCount` validation samples.
  Samples train;
  int64_t validationCount = 0;
  Samples test;
  /// What was fitted (or given), with the data's name and split.
  Preprocessing preprocessing;
};

/// Reads the data `options` name, splits it and preprocesses it. With
/// `fitted` (from a checkpoint), its transform is applied instead of
/// fitting one, and its data and split are the defaults.
bool prepareData(const TrainOptions &options, const Preprocessing *fitted,
                 PreparedData &out, std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_PREPAREDATA_H
