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

#include <csignal>
#include <cstdio>

using namespace kiln::run;

int kiln::run::fail(const std::string &message) {
  return reportError("kiln-run", message);
}

void kiln::run::printHints(const std::vector<std::string> &hints) {
  for (const std::string &hint : hints)
    std::fprintf(stderr, "kiln-run: hint: %s\n", hint.c_str());
}

bool kiln::run::endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int main(int argc, char **argv) {
  // Past a file-size limit, a write fails (EFBIG) and says so, rather than
  // SIGXFSZ ending the process mid-save.
  std::signal(SIGXFSZ, SIG_IGN);
  std::unique_ptr<CLI::App> app = makeApp(
      "kiln-run", "Runs, trains, evaluates and tunes compiled Kiln modules.");
  std::vector<Command> commands = {
      addInfoCommand(*app),   addInferCommand(*app),
      addTrainCommand(*app),  addEvalCommand(*app),
      addTuneCommand(*app),   addSampleCommand(*app),
      addReconstructCommand(*app), addBenchCommand(*app),
      addExportCommand(*app), addVerifyCommand(*app)};
  return runCommand(*app, commands, {argv + 1, argv + argc});
}
