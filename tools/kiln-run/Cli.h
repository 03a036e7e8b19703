//===- Cli.h - What kiln-run's commands share on CLI11 ----------*- C++ -*-===//
//
// Every command is a CLI11 subcommand: its options are declared once, with
// their help text and a validator whose message completes the flag's name
// ("--epochs expects a positive number, got 'x'").
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUN_CLI_H
#define KILN_RUN_CLI_H

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln::run {

/// A kiln-run command: its subcommand, and what runs once its arguments
/// have parsed (the exit code).
struct Command {
  CLI::App *app = nullptr;
  std::function<int()> run;
};

/// Reports a user error in one line; the command's exit code.
int fail(const std::string &message);

/// Advice the libraries return, one line each.
void printHints(const std::vector<std::string> &hints);

bool endsWith(const std::string &text, const std::string &suffix);

/// Validators; each message follows the flag's name. `rule` accepts what
/// `accepts` does, else says "MESSAGE, got 'TEXT'" (or just MESSAGE).
CLI::Validator rule(std::function<bool(const std::string &)> accepts,
                    const std::string &message, bool quote = true);
CLI::Validator positiveInteger(const std::string &what = "a positive number");
CLI::Validator nonNegativeInteger();
CLI::Validator positiveReal();
CLI::Validator realBetween(double low, double high, const std::string &message);
/// "--on is test, validation or train, got 'x'".
CLI::Validator oneOf(const std::vector<std::string> &choices);

/// The options that mean the same in every command.
CLI::Option *addModulePath(CLI::App &command, std::string &path,
                           const std::string &description =
                               "the compiled module (kilnc model.kiln -o "
                               "model.kmod)");
CLI::Option *addThreads(CLI::App &command, unsigned &threads);
CLI::Option *addSeed(CLI::App &command, uint64_t &seed,
                     const std::string &description);

/// kiln-run's top-level command with CLI11's help in its usage style.
std::unique_ptr<CLI::App> makeApp();

/// One line for a parse error of `command`: options it does not know get
/// "unknown option '--epoch' (did you mean '--epochs'? see kiln-run train
/// --help)".
std::string describeParseError(const CLI::App &command,
                               const CLI::Error &error);
/// The same for the first of `command`'s arguments it did not recognize.
std::string unknownArgument(const CLI::App &command,
                            const std::vector<std::string> &extras);

/// Replaces every `--spec FILE` before a `--` by the options in FILE, one
/// `key = value` per line (`--key value`; `key = yes` is `--key`), so that
/// options after it override them. Files the spec names are beside it.
bool expandSpecFiles(std::vector<std::string> &args, std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_CLI_H
