//===- TrainerTest.cpp - The trainer library over in-memory data ----------===//
//
// What an embedding application (or the Python package) does: hand the
// trainer samples it owns, watch through callbacks, steer from them. The
// fixture is logistic regression with 4 features and 3 classes, compiled by
// kilnc at build time.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"
#include "kiln/kiln_train.h"
#include "kiln/train/DataCatalog.h"
#include "kiln/train/Json.h"
#include "kiln/train/TensorBoard.h"
#include "kiln/train/Trainer.h"
#include "kiln/train/Tuner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

using namespace kiln;
using namespace kiln::train;

namespace {

/// Three well-separated blobs in 4 dimensions; the last `validation` of
/// `count` samples validate.
PreparedData blobs(int64_t count, int64_t validation, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0, 0.3f);
  auto make = [&](int64_t n) {
    Samples samples;
    samples.count = n;
    samples.width = 4;
    for (int64_t i = 0; i < n; ++i) {
      int32_t label = static_cast<int32_t>(i % 3);
      for (int64_t f = 0; f < 4; ++f)
        samples.features.push_back((f == label ? 2.0f : 0.0f) + noise(rng));
      samples.targets.push_back(static_cast<float>(label));
    }
    samples.deriveLabels();
    return samples;
  };
  PreparedData data;
  data.train = make(count);
  data.validationCount = validation;
  data.test = make(300);
  return data;
}

struct Recorder : FitObserver {
  int steps = 0, epochs = 0;
  int64_t stopAfter = 0;
  double rateFactor = 1;
  std::vector<double> rates;
  void onStep(Trainer &trainer, const StepReport &report) override {
    ++steps;
    rates.push_back(report.learningRate);
    trainer.setRateFactor(rateFactor);
  }
  bool onEpoch(Trainer &trainer, const EpochReport &report,
               std::string &) override {
    ++epochs;
    if (report.epoch == stopAfter)
      trainer.requestStop();
    return true;
  }
};

std::unique_ptr<rt::Module> fixture() {
  std::string error;
  auto module = rt::Module::loadFile(KILN_TEST_KMOD, error);
  EXPECT_TRUE(module) << error;
  return module;
}

TEST(TrainerTest, LearnsInMemorySamplesAndReportsEveryStep) {
  auto module = fixture();
  rt::Session session(*module, 0, 1);
  FitOptions options;
  options.epochs = 3;
  options.batch = 30;
  Trainer trainer(session, options);
  Recorder recorder;
  trainer.addObserver(recorder);
  FitResult result;
  std::string error;
  ASSERT_TRUE(trainer.fit(blobs(600, 60, 1), result, error)) << error;
  EXPECT_EQ(recorder.steps, 3 * 18);
  EXPECT_EQ(recorder.epochs, 3);
  EXPECT_EQ(result.steps, 3 * 18);
  EXPECT_EQ(result.testSamples, 300);
  EXPECT_GT(result.test.accuracy, 0.95);
  // Cosine from the model's rate (0.1) towards 0.
  EXPECT_NEAR(recorder.rates.front(), 0.1, 1e-6);
  EXPECT_LT(recorder.rates.back(), 0.01);
}

TEST(TrainerTest, CallbacksStopTrainingAndScaleTheRate) {
  auto module = fixture();
  rt::Session session(*module, 0, 1);
  FitOptions options;
  options.epochs = 5;
  options.batch = 0; // full batch: one step per epoch
  Trainer trainer(session, options);
  Recorder recorder;
  recorder.stopAfter = 2;
  recorder.rateFactor = 0; // from the second step on, no updates
  trainer.addObserver(recorder);
  FitResult result;
  std::string error;
  ASSERT_TRUE(trainer.fit(blobs(300, 30, 2), result, error)) << error;
  EXPECT_EQ(result.epochsRun, 2);
  EXPECT_FALSE(result.stoppedEarly); // asked to, not out of patience
  ASSERT_EQ(recorder.rates.size(), 2u);
  EXPECT_GT(recorder.rates[0], 0);
  EXPECT_EQ(recorder.rates[1], 0);
}

TEST(TrainerTest, RejectsDataWithMoreClassesThanTheModelScores) {
  auto module = fixture();
  rt::Session session(*module, 0, 1);
  PreparedData data = blobs(300, 30, 3);
  data.train.targets[0] = 7;
  data.train.deriveLabels();
  Trainer trainer(session, FitOptions());
  FitResult result;
  std::string error;
  EXPECT_FALSE(trainer.fit(data, result, error));
  EXPECT_NE(error.find("the data has 8 classes but the model scores 3"),
            std::string::npos)
      << error;
}

/// A data set that makes its samples when read, as an application's own
/// storage would behave: it counts the reads, and checks that every read
/// asks for a row it has.
class GeneratedBlobs : public Dataset {
public:
  explicit GeneratedBlobs(int64_t count) : count_(count) {}
  int64_t size() const override { return count_; }
  SampleLayout layout() const override { return {4, 1, false, 3}; }
  void read(int64_t row, float *features, float *targets) const override {
    EXPECT_GE(row, 0);
    EXPECT_LT(row, count_);
    ++reads;
    std::mt19937_64 rng(row);
    std::normal_distribution<float> noise(0, 0.3f);
    int64_t label = row % 3;
    if (features)
      for (int64_t f = 0; f < 4; ++f)
        features[f] = (f == label ? 2.0f : 0.0f) + noise(rng);
    if (targets)
      targets[0] = static_cast<float>(label);
  }
  mutable int64_t reads = 0;

private:
  int64_t count_;
};

TEST(DatasetTest, CallersArraysTrainAsTheirSamplesCopyWould) {
  PreparedData data = blobs(600, 60, 4);
  // The same samples, as arrays the caller owns.
  std::vector<float> features = data.train.features,
                     targets = data.train.targets;
  SampleLayout layout;
  layout.width = 4;
  ArrayDataset all = ArrayDataset::withDerivedClasses(
      features.data(), targets.data(), 600, layout);
  EXPECT_EQ(all.layout().classes, 3);
  DatasetRange train(all, 0, 540), validation(all, 540, 60);

  auto module = fixture();
  FitOptions options;
  options.epochs = 2;
  options.batch = 32;
  FitResult copied, inPlace;
  std::string error;
  rt::Session first(*module, 0, 1), second(*module, 0, 1);
  ASSERT_TRUE(Trainer(first, options).fit(data, copied, error)) << error;
  ASSERT_TRUE(Trainer(second, options)
                  .fit({&train, &validation, &data.test, nullptr}, inPlace,
                       error))
      << error;
  // Identical batches give identical losses, to the bit.
  ASSERT_EQ(inPlace.test.losses.size(), 1u);
  EXPECT_EQ(inPlace.test.losses[0].second, copied.test.losses[0].second);
  EXPECT_EQ(inPlace.test.accuracy, copied.test.accuracy);
  EXPECT_GT(inPlace.test.accuracy, 0.95);
}

TEST(DatasetTest, AnApplicationsOwnDatasetTrainsWithoutTestData) {
  auto module = fixture();
  rt::Session session(*module, 0, 1);
  GeneratedBlobs train(300), validation(90);
  FitOptions options;
  options.epochs = 2;
  options.batch = 50;
  FitResult result;
  std::string error;
  Trainer trainer(session, options);
  ASSERT_TRUE(trainer.fit({&train, &validation, nullptr, nullptr}, result,
                          error))
      << error;
  // Every training sample read once per epoch, when its batch is made (no
  // copy up front); the validation samples after every epoch.
  EXPECT_EQ(train.reads, 2 * 300);
  EXPECT_GT(validation.reads, 0);
  EXPECT_EQ(validation.reads % (2 * 90), 0);
  EXPECT_EQ(result.testSamples, 0);
  EXPECT_EQ(result.steps, 2 * 6);
}

TEST(DatasetTest, RejectsValidationLaidOutUnlikeTraining) {
  auto module = fixture();
  rt::Session session(*module, 0, 1);
  std::vector<float> features(5 * 10), targets(10);
  SampleLayout wide;
  wide.width = 5;
  ArrayDataset validation(features.data(), targets.data(), 10, wide);
  GeneratedBlobs train(30);
  FitResult result;
  std::string error;
  EXPECT_FALSE(Trainer(session, FitOptions())
                   .fit({&train, &validation, nullptr, nullptr}, result,
                        error));
  EXPECT_EQ(error, "the validation samples (width 5, target width 1) are "
                   "not laid out as the training samples (width 4, target "
                   "width 1)");
}

TEST(DatasetTest, ClassesAreFoundOnlyInWholeNonNegativeTargets) {
  float labels[] = {0, 2, 1, 2}, values[] = {0, 2.5f, 1}, negative[] = {1, -1};
  EXPECT_EQ(classesOfTargets(labels, 4), 3);
  EXPECT_EQ(classesOfTargets(values, 3), 0);
  EXPECT_EQ(classesOfTargets(negative, 2), 0);
}

TEST(TrainLibraryTest, Crc32cMatchesTheCastagnoliCheckValue) {
  // The standard check value of CRC-32C (RFC 3720, appendix B.4).
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
  EXPECT_EQ(crc32c("", 0), 0u);
}

TEST(TrainLibraryTest, JsonOnOneLineInInsertionOrder) {
  nlohmann::ordered_json value;
  value["b"] = 1;
  value["a"] = {1.5, "x\"y"};
  EXPECT_EQ(formatJson(value), R"({"b": 1, "a": [1.5, "x\"y"]})");
}

TEST(TrainLibraryTest, CatalogNamesThePackageOfAMissingFile) {
  EXPECT_NE(catalog::missingHint(catalog::kFashionMnistDir)
                .find("dataset-fashion-mnist"),
            std::string::npos);
  EXPECT_EQ(catalog::missingHint("/elsewhere/data.csv"), "");
  EXPECT_EQ(catalog::resolveDataPath("sklearn:iris"),
            std::string(catalog::kSklearnDataDir) + "/iris.csv");
}

TEST(TunerTest, InProcessSearchRanksByValidationAndKeepsTheBest) {
  auto module = fixture();
  PreparedData data = blobs(600, 120, 3);
  FitOptions base;
  base.epochs = 1;
  base.batch = 30;
  base.schedule = Schedule::Constant;
  SearchRequest request;
  SearchParameter rate;
  std::string error;
  ASSERT_TRUE(parseSearchParameter("lr=0.00001,0.5", rate, error)) << error;
  request.parameters = {rate};
  request.out = ::testing::TempDir() + "kiln-tune-test";
  std::system(("mkdir -p " + request.out).c_str());
  TuneResult result;
  ASSERT_TRUE(tuneInProcess(*module, data, base, 1, request, nullptr, result,
                            error))
      << error;
  ASSERT_EQ(result.trials.size(), 2u);
  EXPECT_EQ(result.metric, "accuracy");
  // A rate of 1e-5 barely moves the weights in 18 steps (argmax may still
  // be right: equal accuracies go to the lower loss); 0.5 separates the
  // blobs.
  const Trial &best = result.best(), &other = result.trials[result.ranking[1]];
  EXPECT_EQ(best.settings.at("lr"), "0.5");
  EXPECT_GT(best.score, 0.9);
  EXPECT_GE(best.score, other.score);
  EXPECT_LT(best.validation.at("loss"), other.validation.at("loss"));
  EXPECT_TRUE(std::ifstream(request.out + "/best.ckpt").good());
  EXPECT_FALSE(std::ifstream(request.out + "/trial-1.ckpt").good());
  std::ifstream csv(request.out + "/trials.csv");
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  EXPECT_EQ(header.rfind("rank,trial,lr,validation_", 0), 0u) << header;
  EXPECT_EQ(first.rfind("1,2,0.5,", 0), 0u) << first;
  // Settings compiled into the model cannot be tried in-process.
  ASSERT_TRUE(parseSearchParameter("config.hidden=8,16", rate, error));
  request.parameters = {rate};
  EXPECT_FALSE(tuneInProcess(*module, data, base, 1, request, nullptr, result,
                             error));
  EXPECT_NE(error.find("compiled into the model"), std::string::npos)
      << error;
}

/// Interrupts the first trial after `steps` steps and asks the search to
/// stop, as the Python package does on Ctrl-C.
class StopAfterSteps final : public TuneObserver, public FitObserver {
public:
  explicit StopAfterSteps(int64_t steps) : steps_(steps) {}
  FitObserver *trialObserver() override { return this; }
  bool stopRequested() const override { return stopped_; }
  void onStep(Trainer &trainer, const StepReport &) override {
    if (++seen_ >= steps_) {
      stopped_ = true;
      trainer.interrupt("interrupted");
    }
  }
  void onTrial(const Trial &trial, size_t, const std::string &) override {
    trials.push_back(trial);
  }
  std::vector<Trial> trials;
  int64_t seen_ = 0;

private:
  int64_t steps_;
  bool stopped_ = false;
};

TEST(TunerTest, AnObserverInterruptsTheTrialAndEndsTheSearch) {
  auto module = fixture();
  PreparedData data = blobs(600, 120, 3);
  FitOptions base;
  base.epochs = 5;
  base.batch = 30;
  SearchRequest request;
  SearchParameter rate;
  std::string error;
  ASSERT_TRUE(parseSearchParameter("lr=0.01,0.1,0.5", rate, error)) << error;
  request.parameters = {rate};
  StopAfterSteps observer(3);
  TuneResult result;
  EXPECT_FALSE(tuneInProcess(*module, data, base, 1, request, &observer,
                             result, error));
  EXPECT_EQ(error, "the search was interrupted after 1 trials");
  // The first trial stopped at its third step (of 5 x 16), failed, and
  // no other trial ran.
  EXPECT_EQ(observer.seen_, 3);
  ASSERT_EQ(observer.trials.size(), 1u);
  EXPECT_FALSE(observer.trials[0].ok);
}

TEST(TrainCApiTest, FitsTheCallersArrays) {
  PreparedData data = blobs(600, 60, 4);
  kiln_samples train = {data.train.features.data(), data.train.targets.data(),
                        data.train.count, 4, 1, 0};
  kiln_samples test = {data.test.features.data(), data.test.targets.data(),
                       data.test.count, 4, 0, 0};
  kiln_module *module = nullptr;
  ASSERT_EQ(kiln_module_load_file(KILN_TEST_KMOD, &module), nullptr);
  kiln_session *session = nullptr;
  ASSERT_EQ(kiln_session_create(module, 0, 1, &session), nullptr);
  kiln_fit_options options;
  kiln_fit_options_init(&options);
  options.epochs = 3;
  options.batch = 30;
  kiln_fit_result result;
  kiln_error *error = kiln_train_fit_samples(session, &train, 60, &test,
                                             &options, nullptr, nullptr,
                                             &result);
  EXPECT_EQ(error, nullptr) << kiln_error_message(error);
  EXPECT_EQ(result.epochs_run, 3);
  EXPECT_EQ(result.steps, 3 * 18);
  EXPECT_GT(result.test_accuracy, 0.95);
  // What the arrays must say.
  kiln_samples bad = train;
  bad.targets = nullptr;
  error = kiln_train_fit_samples(session, &bad, 60, &test, &options, nullptr,
                                 nullptr, nullptr);
  EXPECT_EQ(kiln_error_code(error), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kiln_error_message(error)).find("'train'"),
            std::string::npos);
  kiln_error_free(error);
  error = kiln_train_fit_samples(session, &train, 600, &test, &options,
                                 nullptr, nullptr, nullptr);
  EXPECT_EQ(kiln_error_code(error), KILN_STATUS_INVALID_ARGUMENT);
  kiln_error_free(error);
  bad = test;
  bad.width = 2;
  error = kiln_train_fit_samples(session, &train, 60, &bad, &options, nullptr,
                                 nullptr, nullptr);
  EXPECT_EQ(kiln_error_code(error), KILN_STATUS_INVALID_ARGUMENT);
  kiln_error_free(error);
  kiln_session_free(session);
  kiln_module_free(module);
}

} // namespace
