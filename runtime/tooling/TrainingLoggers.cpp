//===- TrainingLoggers.cpp - Training progress for people, scripts --------===//

#include "kiln/tooling/TrainingLoggers.h"

#include "kiln/train/Json.h"

using namespace kiln::tooling;
using namespace kiln::train;

namespace {
std::string formatDuration(double seconds) {
  char text[32];
  int64_t s = static_cast<int64_t>(seconds + 0.5);
  std::snprintf(text, sizeof text, "%lld:%02lld",
                static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return text;
}
} // namespace

void ConsoleLogger::onStep(Trainer &, const StepReport &report) {
  if (!terminal_ ||
      ((report.step - 1) % 20 != 0 && report.step != report.stepsPerEpoch))
    return;
  double rate = static_cast<double>(report.samplesDone) / report.epochSeconds;
  int width = 24,
      filled = static_cast<int>(width * report.step / report.stepsPerEpoch);
  std::fprintf(stream_, "\repoch %lld/%lld [%s%s] %s  %.0f samples/s  ETA %s ",
               static_cast<long long>(report.epoch),
               static_cast<long long>(report.epochs),
               std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(),
               describeLosses(report.runningLosses).c_str(), rate,
               formatDuration((report.trainSamples - report.samplesDone) / rate)
                   .c_str());
}

bool ConsoleLogger::onEpoch(Trainer &, const EpochReport &report,
                            std::string &) {
  if (terminal_)
    std::fputc('\r', stream_);
  std::fprintf(stream_, "epoch %lld/%lld: train %s, %s%.0f samples/s, %.1f s\n",
               static_cast<long long>(report.epoch),
               static_cast<long long>(report.epochs),
               describeLosses(report.trainLosses).c_str(),
               report.validated
                   ? ("validation " + report.validation.describe() + ", ")
                         .c_str()
                   : "",
               report.trainSamples / report.seconds, report.seconds);
  return true;
}

void ConsoleLogger::onEnd(Trainer &trainer, const FitResult &result) {
  const FitOptions &options = trainer.options();
  if (result.stoppedEarly)
    std::fprintf(stream_,
                 "early stopping after epoch %lld: no better validation %s "
                 "for %lld epochs (best: %s)\n",
                 static_cast<long long>(result.epochsRun),
                 options.monitor.c_str(),
                 static_cast<long long>(options.patience), result.best.c_str());
  if (!options.keepBest.empty() && result.bestEpoch > 0)
    std::fprintf(stream_, "kept the best epoch in %s: %s\n",
                 options.keepBest.c_str(), result.best.c_str());
}

bool JsonLinesLogger::onEpoch(Trainer &, const EpochReport &report,
                              std::string &) {
  nlohmann::ordered_json line;
  line["epoch"] = report.epoch;
  line["train"] = nlohmann::ordered_json::object();
  for (const auto &[name, value] : report.trainLosses)
    line["train"][name] = value;
  line["validation"] = report.validation.toJson("");
  std::fprintf(stream_, "%s\n", formatJson(line).c_str());
  std::fflush(stream_);
  return true;
}
