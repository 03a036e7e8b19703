//===- Session.h - Parameters and entry calls of one model ------*- C++ -*-===//
//
// A session owns a module's parameter values and runs its entries. One
// session must not run entries from two threads at once; separate sessions
// of one module are independent.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SESSION_H
#define KILN_RUNTIME_SESSION_H

#include "kiln/runtime/Module.h"
#include "kiln/runtime/Profile.h"
#include "kiln/runtime/ThreadPool.h"

#include <map>
#include <memory>
#include <optional>

namespace kiln::rt {

struct RunOptions {
  /// Feeds the random key of entries that are not train entries (a train
  /// entry's key uses its step number).
  uint64_t step = 0;
  /// Train entries: this step's learning rate; unset, the model's.
  std::optional<float> learningRate;
  /// When set, the run's time is added to it, by parallel loop.
  Profile *profile = nullptr;
};

class Session {
public:
  /// Parameters start from the module's initializers, drawn with `seed`.
  /// Entries run on `threads` threads (0: KILN_NUM_THREADS, else one per
  /// hardware thread).
  Session(const Module &module, uint64_t seed, unsigned threads = 0);

  const Module &module() const { return module_; }
  std::vector<Tensor> &params() { return params_; }
  const std::vector<Tensor> &params() const { return params_; }
  /// The optimizer state of each train entry that keeps any, by entry
  /// name, in the order of its EntrySpec::state; zeros until it trains.
  std::map<std::string, std::vector<Tensor>> &optimizerState() {
    return optimizerState_;
  }
  const std::map<std::string, std::vector<Tensor>> &optimizerState() const {
    return optimizerState_;
  }
  uint64_t seed() const { return seed_; }

  /// Replaces parameter `name` (checked against its declared type).
  bool setParam(const std::string &name, const Tensor &value,
                std::string &error);

  /// Runs entry `name` on `inputs` (by input name). `outputs` receives the
  /// entry's Output results in order (a train entry's loss first); new
  /// parameter and optimizer-state values are written into the session,
  /// and a train entry counts one more step.
  bool run(const std::string &name,
           const std::map<std::string, Tensor> &inputs,
           std::vector<Tensor> &outputs, std::string &error,
           const RunOptions &options = {});
  /// The same with borrowed inputs, which must outlive the call.
  bool run(const std::string &name,
           const std::map<std::string, const Tensor *> &inputs,
           std::vector<Tensor> &outputs, std::string &error,
           const RunOptions &options = {});
  /// The same on views of the caller's memory (a NumPy array's), read in
  /// place: no input is copied. The compiled code only reads its inputs.
  bool run(const std::string &name,
           const std::map<std::string, TensorView> &inputs,
           std::vector<Tensor> &outputs, std::string &error,
           const RunOptions &options = {});

  /// The number of steps train entry `name` has taken (0 for others).
  int64_t stepCount(const std::string &name) const;

private:
  const Module &module_;
  uint64_t seed_;
  std::vector<Tensor> params_;
  std::map<std::string, std::vector<Tensor>> optimizerState_;
  std::unique_ptr<ThreadPool> pool_;
};

/// Fills `tensor` from a parameter's initializer, drawing from the Philox
/// stream (seed, index).
void initializeParam(const ParamSpec &spec, uint64_t seed, uint32_t index,
                     Tensor &tensor);

} // namespace kiln::rt

#endif // KILN_RUNTIME_SESSION_H
