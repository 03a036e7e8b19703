//===- Cli.h - Command-line tools with subcommands, on CLI11 ----*- C++ -*-===//
//
// What a Kiln tool with subcommands shares (kiln-run is one): every command
// is a CLI11 subcommand whose options are declared once, with their help
// text and a validator whose message completes the flag's name ("--epochs
// expects a positive number, got 'x'"); help in kilnc's usage style; one
// line for every parse error, with did-you-mean for a mistyped option; spec
// files of options; and the dispatch from main().
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_CLI_H
#define KILN_TOOLING_CLI_H

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kiln::tooling {

/// A subcommand, and what runs once its arguments have parsed (the exit
/// code).
struct Command {
  CLI::App *app = nullptr;
  std::function<int()> run;
};

/// Prints "TOOL: error: MESSAGE" to stderr; the exit code of a user error.
int reportError(const std::string &tool, const std::string &message);

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

/// A tool's top-level command, `tool`, with help in kilnc's usage style
/// ("usage: kiln-run train model.kmod [options]"). A flag given twice takes
/// the last value.
std::unique_ptr<CLI::App> makeApp(const std::string &tool,
                                  const std::string &description);

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

/// main() of a tool whose `app` has `commands`: parses `args` (argv without
/// the program) for exactly one of them and runs it. No arguments, or a
/// command alone, prints its help and fails; a parse error is reported in
/// one line. Arguments after a `--` are left for the command (kiln-run
/// tune passes them on).
int runCommand(CLI::App &app, std::vector<Command> &commands,
               std::vector<std::string> args);

} // namespace kiln::tooling

#endif // KILN_TOOLING_CLI_H
