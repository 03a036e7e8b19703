//===- InfoCommand.cpp - kiln-run info ------------------------------------===//

#include "Commands.h"

#include "kiln/runtime/Module.h"
#include "kiln/tooling/ModelSummary.h"
#include "kiln/tooling/ModuleInfo.h"

#include <cstdio>

using namespace kiln::run;

Command kiln::run::addInfoCommand(CLI::App &parent) {
  auto path = std::make_shared<std::string>();
  auto summary = std::make_shared<bool>(false);
  CLI::App *command = parent.add_subcommand(
      "info", "show the module's entries, parameters and target");
  command->footer(
      "Shows the module's producer, target CPU, parameters, and each "
      "entry's\ninputs, outputs, optimizer and optimizer state.");
  addModulePath(*command, *path);
  command->add_flag("--summary", *summary,
                    "instead, one row per op of the model: its output\n"
                    "shape, parameters and FLOPs per sample, with totals\n"
                    "(as kilnc --summary prints)");
  return {command, [=] {
            std::string error;
            std::unique_ptr<kiln::rt::Module> module =
                kiln::rt::Module::loadFile(*path, error);
            if (!module)
              return fail(error);
            std::fputs(
                *summary
                    ? kiln::tooling::formatModelSummary(
                          module->name(), module->layers(),
                          kiln::tooling::totalParameters(module->params()))
                          .c_str()
                    : kiln::tooling::formatModuleInfo(*module).c_str(),
                stdout);
            return 0;
          }};
}
