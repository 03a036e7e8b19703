//===- ModuleSummary.h - What the runtime needs to know of a model -*- C++ -*-===//
//
// The parameter table and entry signatures of a kiln-dialect module,
// collected before lowering erases them, and written into the .kmod.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_MODULESUMMARY_H
#define KILN_TARGET_MODULESUMMARY_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln {

enum class DType { F32, F64, I32, I64, I1 };

struct TensorSpec {
  DType dtype = DType::F32;
  /// -1 for a dynamic dimension.
  std::vector<int64_t> shape;
};

struct ParamSummary {
  std::string name;
  TensorSpec type;
  std::string init; ///< as spelled in the IR: "he_normal", ...
  double value = 0, mean = 0, std = 1, low = 0, high = 1, gain = 0;
  std::string group;
  bool buffer = false;
  /// Fans for the fan-based initializers; 0: PyTorch's rule on the shape.
  double fanIn = 0, fanOut = 0;
  /// The `data` initializer's values, little endian, one byte per i1.
  std::vector<uint8_t> data;
};

struct ArgumentSummary {
  enum class Role { Input, Param, RngKey, State, LearningRate, Step } role =
      Role::Input;
  std::string name;
  TensorSpec type;
  int paramIndex = -1; ///< Param and State: the parameter
  int stateIndex = -1; ///< State: the slot in the entry's state
  /// Input: values must lie in [0, indexBound) (class labels, table
  /// indices); 0 when unbounded.
  int64_t indexBound = 0;
  /// Input: the distribution of a noise input ("normal" with mean and std,
  /// "uniform" with low and high); empty for data.
  std::string noise;
  double noiseMean = 0, noiseStd = 1, noiseLow = 0, noiseHigh = 1;
};

struct ResultSummary {
  enum class Role { Output, Update, StateUpdate } role = Role::Output;
  std::string name;
  TensorSpec type;
  int paramIndex = -1; ///< Update: the parameter
  int stateIndex = -1; ///< StateUpdate: the slot in the entry's state
};

/// One tensor of an optimizer's state (see kmod.fbs).
struct StateSlotSummary {
  std::string name;
  int paramIndex = -1; ///< -1: one for the entry
  TensorSpec type;
};

struct EntrySummary {
  std::string name;
  bool isTrain = false;
  std::vector<ArgumentSummary> arguments;
  std::vector<ResultSummary> results;
  std::string optimizer;
  std::string group;
  std::vector<StateSlotSummary> state;
  double learningRate = 0;
  /// Infer entries: the train entry whose loss this one computes, if any.
  std::string lossOf;
};

/// One row of the model summary (see LayerSummary.h).
struct LayerSummary {
  /// The entry the op is first met in (the inference entry, then the train
  /// entries for what only training runs: losses, a GAN's discriminator).
  std::string entry;
  /// The binding of the source line the op comes from (for an op of a
  /// `def`, the top-level binding that calls it); empty for none.
  std::string binding;
  std::string op; ///< the op's name without the dialect prefix: "conv2d"
  unsigned line = 0, column = 0;
  std::vector<TensorSpec> shapes; ///< the op's results
  /// Values of the trainable parameters the op reads first (a shared
  /// parameter counts once, where it is first used).
  int64_t params = 0;
  /// Floating-point operations for one sample (the dynamic batch at 1): a
  /// multiply-add counts 2, an elementwise op one per element.
  int64_t flops = 0;
};

struct ModuleSummary {
  std::string name;
  std::vector<ParamSummary> params;
  std::vector<EntrySummary> entries;
  std::vector<LayerSummary> layers;
};

/// Reads the parameters and entries of a verified kiln-dialect module.
/// Fails (with a diagnostic) on what the runtime cannot represent.
mlir::FailureOr<ModuleSummary> summarizeModule(mlir::ModuleOp module);

/// The symbol an entry's code is exported under (the .kmod records it).
inline std::string entrySymbol(llvm::StringRef entryName) {
  return ("kiln_entry_" + entryName).str();
}

} // namespace kiln

#endif // KILN_TARGET_MODULESUMMARY_H
