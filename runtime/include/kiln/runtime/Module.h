//===- Module.h - A loaded .kmod module -------------------------*- C++ -*-===//
//
// Loading verifies the whole file before anything runs: header magic,
// schema version, checksum, the FlatBuffer's structure, and that this host
// has every CPU feature the code was compiled for. The code is loaded from
// an anonymous in-memory file, so nothing is left on disk.
// A Module is immutable after loading and safe to share between threads.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_MODULE_H
#define KILN_RUNTIME_MODULE_H

#include "kiln/runtime/ErrorCode.h"
#include "kiln/runtime/Tensor.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::rt {

struct TensorSpec {
  DType dtype = DType::F32;
  std::vector<int64_t> shape; ///< -1 marks the dynamic batch

  /// The shape of a batch of `batch` samples.
  std::vector<int64_t> shapeWithBatch(int64_t batch) const {
    std::vector<int64_t> concrete = shape;
    for (int64_t &dim : concrete)
      if (dim < 0)
        dim = batch;
    return concrete;
  }
};

struct ParamSpec {
  std::string name;
  TensorSpec type;
  int init = 0; ///< kmod::InitKind
  double value = 0, mean = 0, std = 1, low = 0, high = 1, gain = 0;
  std::string group;
  bool buffer = false;
  /// Fans the compiler recorded for the fan-based initializers; 0: PyTorch's
  /// rule on the shape ([out, in, k...]).
  double fanIn = 0, fanOut = 0;
  /// The Data initializer's value (an imported model's weights), as the
  /// tensor's bytes.
  std::vector<uint8_t> data;
};

/// The distribution a noise input is drawn from (kmod.fbs's Noise).
struct NoiseSpec {
  enum class Kind { Normal = 0, Uniform } kind = Kind::Normal;
  double mean = 0, std = 1; ///< Normal
  double low = 0, high = 1; ///< Uniform
};

struct ArgumentSpec {
  /// As kmod.fbs's ArgRole.
  enum class Role { Input = 0, Param, RngKey, State, LearningRate, Step } role =
      Role::Input;
  std::string name;
  TensorSpec type;
  int paramIndex = -1;
  int stateIndex = -1;
  /// An integer input's values must lie in [0, indexBound) (class labels,
  /// table indices); 0 when unbounded.
  int64_t indexBound = 0;
  /// An input the model declares as noise (`input z : ... = normal`): a
  /// trainer draws it for every batch instead of reading it from data.
  std::optional<NoiseSpec> noise;
};

struct ResultSpec {
  /// As kmod.fbs's ResultRole.
  enum class Role { Output = 0, Update, StateUpdate } role = Role::Output;
  std::string name;
  TensorSpec type;
  int paramIndex = -1;
  int stateIndex = -1;
};

/// `void entry(void **args)`: see kmod.fbs.
using EntryFunction = void (*)(void **);

/// A tensor of optimizer state (see kmod.fbs).
struct StateSlotSpec {
  std::string name;
  int paramIndex = -1; ///< -1: one for the entry
  TensorSpec type;
};

struct EntrySpec {
  std::string name;
  bool isTrain = false;
  std::vector<ArgumentSpec> arguments;
  std::vector<ResultSpec> results;
  std::string optimizer;
  std::string group;
  std::vector<StateSlotSpec> state;
  double learningRate = 0;
  /// Infer entries that compute a train entry's loss without training (for
  /// validation): the train entry's name; empty otherwise.
  std::string lossOf;
  EntryFunction function = nullptr;
};

/// One op of the source model as the model summary shows it (kmod.fbs's
/// Layer).
struct LayerSpec {
  std::string entry;   ///< the entry it is first met in
  std::string binding; ///< the source binding it belongs to; may be empty
  std::string op;
  unsigned line = 0, column = 0;
  std::vector<TensorSpec> shapes;
  int64_t params = 0; ///< trainable parameter values it reads first
  int64_t flops = 0;  ///< per sample; a multiply-add counts 2
};

class Module {
public:
  /// Loads and verifies a module; on failure returns null and sets `error`.
  /// `code`, when given, says what kind of failure it was: NotFound for a
  /// file that cannot be opened, FailedPrecondition for code this CPU
  /// cannot run, else Corrupt.
  /// With `mapCode` false, everything is checked but the machine code is
  /// not loaded (loading a shared object may run its initializers): the
  /// entries have no function and cannot be run. What `kiln-run verify`
  /// and the loader's fuzzer use.
  static std::unique_ptr<Module> loadFile(const std::string &path,
                                          std::string &error,
                                          ErrorCode *code = nullptr,
                                          bool mapCode = true);
  static std::unique_ptr<Module> loadMemory(const uint8_t *data, size_t size,
                                            std::string &error,
                                            ErrorCode *code = nullptr,
                                            bool mapCode = true);
  ~Module();

  const std::string &name() const { return name_; }
  const std::string &producer() const { return producer_; }
  const std::string &targetCpu() const { return targetCpu_; }
  const std::vector<std::string> &cpuFeatures() const { return cpuFeatures_; }
  const std::vector<ParamSpec> &params() const { return params_; }
  const std::vector<EntrySpec> &entries() const { return entries_; }
  /// The model summary; empty for modules compiled before kilnc recorded it.
  const std::vector<LayerSpec> &layers() const { return layers_; }
  const EntrySpec *findEntry(const std::string &name) const;
  /// The entry that computes the model's outputs (kilnc names it "infer"),
  /// or null for a model that declares none.
  const EntrySpec *inferenceEntry() const;
  /// The entry that computes train entry `train`'s loss without training,
  /// or null.
  const EntrySpec *lossEntryOf(const std::string &train) const;

private:
  Module() = default;
  std::string name_, producer_, targetCpu_;
  std::vector<std::string> cpuFeatures_;
  std::vector<ParamSpec> params_;
  std::vector<EntrySpec> entries_;
  std::vector<LayerSpec> layers_;
  void *library_ = nullptr;
  /// The in-memory file the code was loaded from, open while the code is:
  /// its /proc/self/fd path names this module's code to the dynamic
  /// loader, which must not mistake another module's code for it.
  int codeFile_ = -1;
};

/// The CPU features of `required` that this host lacks (only features the
/// runtime knows how to detect are checked).
std::vector<std::string>
missingCpuFeatures(const std::vector<std::string> &required);

/// The features of `required` that the runtime checks for (the
/// instruction-set extensions whose absence would make the code fault), in
/// their order.
std::vector<std::string>
checkedCpuFeatures(const std::vector<std::string> &required);

} // namespace kiln::rt

#endif // KILN_RUNTIME_MODULE_H
