//===- PrintOutputs.h - An entry's outputs on the terminal ------*- C++ -*-===//

#ifndef KILN_RUN_PRINTOUTPUTS_H
#define KILN_RUN_PRINTOUTPUTS_H

#include "kiln/runtime/Tensor.h"

#include <string>
#include <vector>

namespace kiln::run {

/// An output as `kiln-run infer` prints it without --output: its name and
/// type, then per sample (at most `maxRows`) the `topK` most likely
/// classes with their probabilities when each row is a probability
/// distribution (named by `classNames` when known), else its values.
std::string formatOutput(const std::string &name, const rt::Tensor &tensor,
                         const std::vector<std::string> &classNames,
                         int64_t topK, int64_t maxRows = 20);

} // namespace kiln::run

#endif // KILN_RUN_PRINTOUTPUTS_H
