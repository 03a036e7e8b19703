//===- RunEntry.h - An entry's inputs and outputs as files ------*- C++ -*-===//
//
// What `kiln-run infer` does around Session::run, as IREE's tooling does
// around a call: inputs from .npy files (converted to the entry's element
// types) or CSV files, outputs to .npy files, parameters from and to a
// directory of .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_RUNENTRY_H
#define KILN_TOOLING_RUNENTRY_H

#include "kiln/runtime/Session.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kiln::tooling {

/// (name, path) pairs, as NAME=PATH arguments give them.
using NamedFiles = std::vector<std::pair<std::string, std::string>>;

/// NAME=PATH into its parts; false without a name or '='.
bool splitAssignment(const std::string &text, std::string &name,
                     std::string &path);

/// Reads each .npy input of `files` into `inputs`, converted to the
/// entry's element type (an i64 label file for an i32 input); CSV files
/// are left in `tables` for the checkpoint's preprocessing to encode.
bool readInputs(const rt::EntrySpec &entry, const NamedFiles &files,
                std::map<std::string, rt::Tensor> &inputs, NamedFiles &tables,
                std::string &error);

/// Writes the outputs `files` name, and with `directory` every output as
/// DIR/<name>.npy.
bool writeOutputs(const rt::EntrySpec &entry,
                  const std::vector<rt::Tensor> &outputs,
                  const NamedFiles &files, const std::string &directory,
                  std::string &error);

/// Sets every parameter from DIR/<name>.npy.
bool loadParams(rt::Session &session, const std::string &directory,
                std::string &error);
/// Writes every parameter to DIR/<name>.npy.
bool dumpParams(const rt::Session &session, const std::string &directory,
                std::string &error);

} // namespace kiln::tooling

#endif // KILN_TOOLING_RUNENTRY_H
