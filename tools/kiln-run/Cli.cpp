//===- Cli.cpp - What kiln-run's commands share on CLI11 ------------------===//

#include "Cli.h"

#include "kiln/tooling/SpecFile.h"
#include "kiln/train/Spelling.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

using namespace kiln::run;

int kiln::run::fail(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  return 1;
}

void kiln::run::printHints(const std::vector<std::string> &hints) {
  for (const std::string &hint : hints)
    std::fprintf(stderr, "kiln-run: hint: %s\n", hint.c_str());
}

bool kiln::run::endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
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

CLI::Validator kiln::run::rule(std::function<bool(const std::string &)> accepts,
                               const std::string &message, bool quote) {
  return CLI::Validator(
      [=](std::string &text) {
        return accepts(text) ? std::string()
               : quote       ? message + ", got '" + text + "'"
                             : message;
      },
      "");
}

CLI::Validator kiln::run::positiveInteger(const std::string &what) {
  return rule(
      [](const std::string &text) {
        long long value = 0;
        return parseInteger(text, value) && value > 0;
      },
      "expects " + what);
}

CLI::Validator kiln::run::nonNegativeInteger() {
  return rule(
      [](const std::string &text) {
        char *end = nullptr;
        errno = 0;
        std::strtoull(text.c_str(), &end, 10);
        return !text.empty() && text[0] != '-' && !*end && errno == 0;
      },
      "expects a non-negative integer");
}

CLI::Validator kiln::run::positiveReal() {
  return rule(
      [](const std::string &text) {
        double value = 0;
        return parseReal(text, value) && value > 0;
      },
      "expects a positive number");
}

CLI::Validator kiln::run::realBetween(double low, double high,
                                      const std::string &message) {
  return rule(
      [=](const std::string &text) {
        double value = 0;
        return parseReal(text, value) && value >= low && value <= high;
      },
      message, /*quote=*/false);
}

CLI::Validator kiln::run::oneOf(const std::vector<std::string> &choices) {
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

CLI::Option *kiln::run::addModulePath(CLI::App &command, std::string &path,
                                      const std::string &description) {
  return command.add_option("model.kmod", path, description)->required();
}

CLI::Option *kiln::run::addThreads(CLI::App &command, unsigned &threads) {
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

CLI::Option *kiln::run::addSeed(CLI::App &command, uint64_t &seed,
                                const std::string &description) {
  return command.add_option("--seed", seed, description)
      ->check(nonNegativeInteger());
}

std::unique_ptr<CLI::App> kiln::run::makeApp() {
  auto app = std::make_unique<CLI::App>(
      "Runs, trains, evaluates and tunes compiled Kiln modules.", "kiln-run");
  app->formatter(std::make_shared<UsageFormatter>());
  // A flag given twice (on the command line after a spec file) takes the
  // last value.
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app->footer("kiln-run <command> --help shows a command's options.");
  return app;
}

std::string kiln::run::unknownArgument(const CLI::App &command,
                                       const std::vector<std::string> &extras) {
  std::string see = "see kiln-run " + command.get_name() + " --help";
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

std::string kiln::run::describeParseError(const CLI::App &command,
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
    return message + " (see kiln-run " + command.get_name() + " --help)";
  return message;
}

bool kiln::run::expandSpecFiles(std::vector<std::string> &args,
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
