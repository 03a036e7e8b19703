//===- Cli.cpp - Command-line tools with subcommands, on CLI11 ------------===//

#include "kiln/tooling/Cli.h"

#include "kiln/tooling/SpecFile.h"
#include "kiln/train/Spelling.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>

using namespace kiln::tooling;

int kiln::tooling::reportError(const std::string &tool,
                               const std::string &message) {
  std::fprintf(stderr, "%s: error: %s\n", tool.c_str(), message.c_str());
  return 1;
}

namespace {

bool parseInteger(const std::string &text, long long &value) {
  char *end = nullptr;
  errno = 0;
  value = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && !*end && errno == 0;
}

bool parseReal(const std::string &text, double &value) {
  char *end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && !*end;
}

/// CLI11's help with a usage line as kilnc prints it: "usage: kiln-run
/// train model.kmod [options]".
class UsageFormatter : public CLI::Formatter {
public:
  UsageFormatter() {
    column_width(28);
    label("REQUIRED", "(required)");
  }
  std::string make_usage(const CLI::App *app, std::string name) const override {
    std::string usage = "usage: " + name;
    if (!app->get_subcommands({}).empty())
      usage += " <command>";
    auto positional = [](const CLI::Option *o) { return o->get_positional(); };
    for (const CLI::Option *option : app->get_options(positional))
      usage += " " + make_option_usage(option);
    return usage + " [options]\n";
  }
  /// The value's kind only: no "(required)", defaults or "TEXT".
  std::string make_option_opts(const CLI::Option *option) const override {
    if (option->get_positional() || option->get_type_size() == 0)
      return "";
    // Without the validators' names CLI11 appends ("UINT:N").
    std::string type = option->get_type_name();
    type = type.substr(0, type.find(':'));
    if (type == "TEXT")
      return " VALUE";
    if (type == "INT" || type == "UINT")
      return " N";
    if (type == "FLOAT")
      return " X";
    return " " + type;
  }
};

} // namespace

CLI::Validator kiln::tooling::rule(std::function<bool(const std::string &)> accepts,
                               const std::string &message, bool quote) {
  return CLI::Validator(
      [=](std::string &text) {
        return accepts(text) ? std::string()
               : quote       ? message + ", got '" + text + "'"
                             : message;
      },
      "");
}

CLI::Validator kiln::tooling::positiveInteger(const std::string &what) {
  return rule(
      [](const std::string &text) {
        long long value = 0;
        return parseInteger(text, value) && value > 0;
      },
      "expects " + what);
}

CLI::Validator kiln::tooling::nonNegativeInteger() {
  return rule(
      [](const std::string &text) {
        char *end = nullptr;
        errno = 0;
        std::strtoull(text.c_str(), &end, 10);
        return !text.empty() && text[0] != '-' && !*end && errno == 0;
      },
      "expects a non-negative integer");
}

CLI::Validator kiln::tooling::positiveReal() {
  return rule(
      [](const std::string &text) {
        double value = 0;
        return parseReal(text, value) && value > 0;
      },
      "expects a positive number");
}

CLI::Validator kiln::tooling::realBetween(double low, double high,
                                      const std::string &message) {
  return rule(
      [=](const std::string &text) {
        double value = 0;
        return parseReal(text, value) && value >= low && value <= high;
      },
      message, /*quote=*/false);
}

CLI::Validator kiln::tooling::oneOf(const std::vector<std::string> &choices) {
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i)
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") +
            choices[i];
  return rule(
      [=](const std::string &text) {
        return std::find(choices.begin(), choices.end(), text) !=
               choices.end();
      },
      "is " + list);
}

CLI::Option *kiln::tooling::addModulePath(CLI::App &command, std::string &path,
                                      const std::string &description) {
  return command.add_option("model.kmod", path, description)->required();
}

CLI::Option *kiln::tooling::addThreads(CLI::App &command, unsigned &threads) {
  return command
      .add_option("--threads", threads,
                  "threads (default: KILN_NUM_THREADS, else one per core)")
      ->check(rule(
          [](const std::string &text) {
            long long value = 0;
            return parseInteger(text, value) && value >= 0 && value <= 1024;
          },
          "expects a number of threads", /*quote=*/false));
}

CLI::Option *kiln::tooling::addSeed(CLI::App &command, uint64_t &seed,
                                const std::string &description) {
  return command.add_option("--seed", seed, description)
      ->check(nonNegativeInteger());
}

std::unique_ptr<CLI::App> kiln::tooling::makeApp(const std::string &tool,
                                                 const std::string &description) {
  auto app = std::make_unique<CLI::App>(description, tool);
  app->formatter(std::make_shared<UsageFormatter>());
  // A flag given twice (on the command line after a spec file) takes the
  // last value.
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app->footer(tool + " <command> --help shows a command's options.");
  return app;
}

namespace {
/// "see kiln-run train --help".
std::string seeHelp(const CLI::App &command) {
  const CLI::App *parent = command.get_parent();
  return "see " + (parent ? parent->get_name() + " " : std::string()) +
         command.get_name() + " --help";
}
} // namespace

std::string kiln::tooling::unknownArgument(const CLI::App &command,
                                           const std::vector<std::string> &extras) {
  std::string see = seeHelp(command);
  for (const std::string &extra : extras) {
    if (extra.rfind("-", 0) != 0)
      continue;
    std::string flag = extra.substr(0, extra.find('='));
    std::vector<std::string> names;
    for (const CLI::Option *option : command.get_options())
      for (const std::string &name : option->get_lnames())
        names.push_back("--" + name);
    std::string suggestion = kiln::train::closestSpelling(flag, names);
    return "unknown option '" + flag + "' (" +
           (suggestion.empty() ? "" : "did you mean '" + suggestion + "'? ") +
           see + ")";
  }
  return "unexpected argument '" + extras.front() + "' (" + see + ")";
}

std::string kiln::tooling::describeParseError(const CLI::App &command,
                                          const CLI::Error &error) {
  std::string message = error.what();
  size_t colon = message.find(": ");
  std::string name = colon == std::string::npos ? "" : message.substr(0, colon);
  if (name.rfind("--", 0) != 0 || name.find(' ') != std::string::npos)
    name.clear();
  // CLI11 says "--epochs: expects ..."; a sentence reads "--epochs expects".
  if (dynamic_cast<const CLI::ValidationError *>(&error) && !name.empty())
    return name + " " + message.substr(colon + 2);
  if (dynamic_cast<const CLI::ArgumentMismatch *>(&error) && !name.empty())
    return name + " expects a value";
  if (dynamic_cast<const CLI::ConversionError *>(&error) ||
      dynamic_cast<const CLI::RequiredError *>(&error) ||
      dynamic_cast<const CLI::ExcludesError *>(&error))
    return message + " (" + seeHelp(command) + ")";
  return message;
}

bool kiln::tooling::expandSpecFiles(std::vector<std::string> &args,
                                std::string &error) {
  std::vector<std::string> expanded;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      expanded.insert(expanded.end(), args.begin() + i, args.end());
      break;
    }
    bool joined = args[i].rfind("--spec=", 0) == 0;
    if (args[i] != "--spec" && !joined) {
      expanded.push_back(args[i]);
      continue;
    }
    if (!joined && i + 1 >= args.size()) {
      error = "--spec expects a value";
      return false;
    }
    std::string path = joined ? args[i].substr(7) : args[++i];
    if (!kiln::tooling::readSpecFile(path, expanded, error))
      return false;
  }
  args = std::move(expanded);
  return true;
}

int kiln::tooling::runCommand(CLI::App &app, std::vector<Command> &commands,
                              std::vector<std::string> args) {
  const std::string &tool = app.get_name();
  for (Command &command : commands)
    command.app->allow_extras();
  app.require_subcommand(1);
  if (args.empty()) {
    std::fputs(app.help().c_str(), stderr);
    return 1;
  }
  auto chosen = std::find_if(commands.begin(), commands.end(),
                             [&](const Command &command) {
                               return command.app->get_name() == args[0];
                             });
  if (chosen == commands.end() && args[0].rfind("-", 0) != 0)
    return reportError(tool, "unknown command '" + args[0] + "' (see " +
                                 tool + " --help)");
  if (chosen != commands.end() && args.size() == 1) {
    std::fputs(chosen->app->help(tool).c_str(), stderr);
    return 1;
  }
  std::string error;
  if (!expandSpecFiles(args, error))
    return reportError(tool, error);
  // CLI11 takes the arguments last first.
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp &) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError &parseError) {
    const CLI::App &failed = chosen == commands.end() ? app : *chosen->app;
    return reportError(tool, describeParseError(failed, parseError));
  }
  // CLI11 keeps a "--" among the extras.
  std::vector<std::string> extras = chosen->app->remaining();
  extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
  if (!extras.empty())
    return reportError(tool, unknownArgument(*chosen->app, extras));
  // A request the machine cannot meet (a module whose parameters do not
  // fit in memory) is an error to report, not a reason to abort.
  try {
    return chosen->run();
  } catch (const std::bad_alloc &) {
    return reportError(tool, "out of memory");
  }
}
