//===- InferenceInputs.h - Inputs preprocessed as in training ---*- C++ -*-===//
//
// A model trained on scaled or encoded features must see its inputs the
// same way at inference: the checkpoint carries the fitted preprocessing,
// and this applies it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_INFERENCEINPUTS_H
#define KILN_TRAIN_INFERENCEINPUTS_H

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Tensor.h"
#include "kiln/train/Preprocessing.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kiln::train {

/// The preprocessing saved in a checkpoint's metadata; empty (no scaling,
/// no columns) when training fitted none.
bool fittedPreprocessing(const rt::CheckpointMetadata &metadata,
                         Preprocessing &out, std::string &error);

/// Applies `fitted` to an entry's inputs: each (input name, CSV path) of
/// `tableInputs` is read, encoded (one-hot columns, ...) and scaled into
/// `inputs`; f32 features [N, F] of the fitted width are scaled in place.
bool preprocessInputs(
    const Preprocessing &fitted,
    const std::vector<std::pair<std::string, std::string>> &tableInputs,
    std::map<std::string, rt::Tensor> &inputs, std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_INFERENCEINPUTS_H
