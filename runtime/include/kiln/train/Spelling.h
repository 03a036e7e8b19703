//===- Spelling.h - "Did you mean" suggestions ------------------*- C++ -*-===//

#ifndef KILN_TRAIN_SPELLING_H
#define KILN_TRAIN_SPELLING_H

#include <string>
#include <vector>

namespace kiln::train {

/// The closest of `candidates` to `word` within a couple of edits (a
/// quarter of its length for long words), or "" when none is that close.
std::string closestSpelling(const std::string &word,
                            const std::vector<std::string> &candidates);

} // namespace kiln::train

#endif // KILN_TRAIN_SPELLING_H
