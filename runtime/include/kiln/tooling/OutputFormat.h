//===- OutputFormat.h - An entry's outputs as text --------------*- C++ -*-===//

#ifndef KILN_TOOLING_OUTPUTFORMAT_H
#define KILN_TOOLING_OUTPUTFORMAT_H

#include "kiln/runtime/Tensor.h"

#include <string>
#include <vector>

namespace kiln::tooling {

/// An output as `kiln-run infer` prints it without --output: its name and
/// type, then per sample (at most `maxRows`) the `topK` most likely
/// classes with their probabilities when each row is a probability
/// distribution (named by `classNames` when known), else its values.
std::string formatOutput(const std::string &name, const rt::Tensor &tensor,
                         const std::vector<std::string> &classNames,
                         int64_t topK, int64_t maxRows = 20);

} // namespace kiln::tooling

#endif // KILN_TOOLING_OUTPUTFORMAT_H
