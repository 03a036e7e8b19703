//===- SpecFile.h - Options from a data spec file ---------------*- C++ -*-===//
//
// A data spec file names a data set and how to prepare it, one
// `key = value` per line (`#` starts a comment), so that a data set's
// options are written once: `data = pets.csv`, `target = adopted`,
// `scale = standard`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_SPECFILE_H
#define KILN_TOOLING_SPECFILE_H

#include <string>
#include <vector>

namespace kiln::tooling {

/// Appends the file's options to `args` as command-line arguments:
/// `key = value` is `--key value`, `key = yes` `--key`, `key = no`
/// `--no-key`; data files it names are beside it.
bool readSpecFile(const std::string &path, std::vector<std::string> &args,
                  std::string &error);

} // namespace kiln::tooling

#endif // KILN_TOOLING_SPECFILE_H
