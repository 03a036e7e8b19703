// Trains a compiled model on Fashion-MNIST through the trainer library,
// printing every epoch, and tests it: what kiln-run train does, in the
// caller's program. Usage: kiln-train-example model.kmod [epochs]
#include "kiln/runtime/Module.h"
#include "kiln/runtime/Session.h"
#include "kiln/train/PrepareData.h"
#include "kiln/train/Trainer.h"

#include <cstdio>
#include <cstdlib>

using namespace kiln;

// Called by the trainer after every epoch (return false to fail the run).
struct PrintEpoch : train::FitObserver {
  bool onEpoch(train::Trainer &, const train::EpochReport &epoch,
               std::string &) override {
    std::printf("epoch %lld: train loss %.4f, validation %s\n",
                static_cast<long long>(epoch.epoch),
                epoch.trainLosses.front().second,
                epoch.validation.describe().c_str());
    return true;
  }
};

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s model.kmod [epochs]\n", argv[0]);
    return 1;
  }
  std::string error;
  std::unique_ptr<rt::Module> module = rt::Module::loadFile(argv[1], error);
  train::DataRequest request;
  request.data = "fashion-mnist"; // 55,000 train, 5,000 validation, test
  train::PreparedData data;
  if (!module || !train::prepareData(request, nullptr, data, error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  rt::Session session(*module, /*seed=*/0);
  train::FitOptions options;
  options.epochs = argc > 2 ? std::atoi(argv[2]) : 1;
  train::Trainer trainer(session, options);
  PrintEpoch printer;
  trainer.addObserver(printer);
  train::FitResult result;
  if (!trainer.fit(data, result, error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::printf("test accuracy %.2f%% on %lld images\n",
              100 * result.test.accuracy,
              static_cast<long long>(result.testSamples));
  return 0;
}
