//===- kiln-run.cpp - Run compiled Kiln modules from the command line -----===//
//
//   kiln-run info  model.kmod [--summary]
//   kiln-run train model.kmod --data fashion-mnist [--epochs E] ...
//   kiln-run infer model.kmod --input NAME=x.npy [--output NAME=out.npy]
//   kiln-run <command> --help
//
// Exit code 0 on success, 1 on a user error (with a one-line message).
// Argument handling (CLI11) and printing over the runtime, the trainer
// library and the plot library.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include <algorithm>
#include <cstdio>

using namespace kiln::run;

int main(int argc, char **argv) {
  std::unique_ptr<CLI::App> app = makeApp();
  std::vector<Command> commands = {
      addInfoCommand(*app),   addInferCommand(*app),
      addTrainCommand(*app),  addEvalCommand(*app),
      addTuneCommand(*app),   addSampleCommand(*app),
      addReconstructCommand(*app), addBenchCommand(*app),
      addExportCommand(*app)};
  for (Command &command : commands)
    command.app->allow_extras();
  app->require_subcommand(1);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(app->help().c_str(), stderr);
    return 1;
  }
  auto chosen = std::find_if(commands.begin(), commands.end(),
                             [&](const Command &command) {
                               return command.app->get_name() == args[0];
                             });
  if (chosen == commands.end() && args[0].rfind("-", 0) != 0)
    return fail("unknown command '" + args[0] + "' (see kiln-run --help)");
  if (chosen != commands.end() && args.size() == 1) {
    std::fputs(chosen->app->help("kiln-run").c_str(), stderr);
    return 1;
  }
  std::string error;
  if (!expandSpecFiles(args, error))
    return fail(error);
  // CLI11 takes the arguments last first.
  std::reverse(args.begin(), args.end());
  try {
    app->parse(args);
  } catch (const CLI::CallForHelp &) {
    std::fputs(app->help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError &parseError) {
    const CLI::App &failed =
        chosen == commands.end() ? *app : *chosen->app;
    return fail(describeParseError(failed, parseError));
  }
  // CLI11 keeps the "--" before tune's train options among the extras.
  std::vector<std::string> extras = chosen->app->remaining();
  extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
  if (!extras.empty())
    return fail(unknownArgument(*chosen->app, extras));
  return chosen->run();
}
