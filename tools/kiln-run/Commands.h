//===- Commands.h - kiln-run's commands -------------------------*- C++ -*-===//
//
// Each adds its subcommand, with its options, to kiln-run's app.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUN_COMMANDS_H
#define KILN_RUN_COMMANDS_H

#include "kiln/tooling/Cli.h"

namespace kiln::run {

using kiln::tooling::Command;
using namespace kiln::tooling;

/// Reports a user error in one line ("kiln-run: error: ..."); the command's
/// exit code.
int fail(const std::string &message);

/// Advice the libraries return, one line each.
void printHints(const std::vector<std::string> &hints);

bool endsWith(const std::string &text, const std::string &suffix);

/// The module's entries, parameters and target; or its per-op summary.
Command addInfoCommand(CLI::App &parent);
/// Runs an entry on .npy (or CSV) inputs and prints or writes its outputs.
Command addInferCommand(CLI::App &parent);
/// Trains on a data set, validates every epoch, tests the result.
Command addTrainCommand(CLI::App &parent);
/// Scores a trained model: losses, metrics, confusion, ROC and PR.
Command addEvalCommand(CLI::App &parent);
/// Hyperparameter search: a train run per trial, the best kept.
Command addTuneCommand(CLI::App &parent);
/// Images generated from noise (GANs, VAEs), or words (character models).
Command addSampleCommand(CLI::App &parent);
/// Test images and an autoencoder's reconstructions of them.
Command addReconstructCommand(CLI::App &parent);
/// Times an entry on random inputs.
Command addBenchCommand(CLI::App &parent);
/// Samples of a data set as .npy files, prepared as train prepares them.
Command addExportCommand(CLI::App &parent);
/// Checks a module or checkpoint without running anything.
Command addVerifyCommand(CLI::App &parent);

} // namespace kiln::run

#endif // KILN_RUN_COMMANDS_H
