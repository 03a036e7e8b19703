//===- VerifyCommand.cpp - kiln-run verify --------------------------------===//
//
// Checks a module or a checkpoint as loading it would, without running
// anything: a module's header, checksum, structure, entries, parameter
// table and the CPU features its code needs; a checkpoint's header,
// checksum, structure and every tensor's size.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "kiln/checkpoint_format.h"
#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Module.h"

#include <cstdio>
#include <cstring>
#include <fstream>

using namespace kiln::rt;
using namespace kiln::run;

namespace {

int verifyCheckpoint(const std::string &path) {
  CheckpointContents contents;
  std::string error;
  if (!inspectCheckpoint(path, contents, error))
    return fail(error);
  std::printf("%s: an intact checkpoint of '%s': %zu parameters, %zu "
              "optimizer-state tensors, %llu bytes of values",
              path.c_str(), contents.moduleName.c_str(),
              contents.params.size(), contents.state.size(),
              static_cast<unsigned long long>(contents.bytes));
  if (!contents.metadataKeys.empty()) {
    std::printf("; metadata:");
    for (const std::string &key : contents.metadataKeys)
      std::printf(" %s", key.c_str());
  }
  std::printf("\n");
  return 0;
}

int verifyModule(const std::string &path) {
  std::string error;
  // The code is checked as bytes, not loaded: loading a shared object can
  // run its initializers.
  std::unique_ptr<Module> module =
      Module::loadFile(path, error, nullptr, /*mapCode=*/false);
  if (!module)
    return fail(error);
  std::printf("%s: an intact module '%s' for %s: %zu entries, %zu "
              "parameters; this host has the CPU features its code needs\n",
              path.c_str(), module->name().c_str(),
              module->targetCpu().c_str(), module->entries().size(),
              module->params().size());
  return 0;
}

} // namespace

Command kiln::run::addVerifyCommand(CLI::App &parent) {
  auto path = std::make_shared<std::string>();
  CLI::App *command = parent.add_subcommand(
      "verify", "check a module or checkpoint without running anything");
  command->footer("Checks what loading would check (header, checksum, "
                  "structure, sizes;\na module's CPU features) and says "
                  "what the file holds. A module's\ncode is never run: "
                  "load only modules you trust.");
  command->add_option("FILE", *path, "a .kmod module or a checkpoint")
      ->required();
  return {command, [=] {
            char magic[sizeof(kiln::ckpt::kMagic)] = {};
            std::ifstream(*path, std::ios::binary).read(magic, sizeof magic);
            bool checkpoint = std::memcmp(magic, kiln::ckpt::kMagic,
                                          sizeof magic) == 0;
            return checkpoint ? verifyCheckpoint(*path) : verifyModule(*path);
          }};
}
