//===- Session.cpp - Parameters and entry calls of one model --------------===//
//
// Entries take and return MLIR memref descriptors:
//   { T *allocated; T *aligned; int64 offset; int64 sizes[r]; int64 strides[r] }
// The runtime builds one per argument, passes a buffer for the results'
// descriptors, and copies each result out before freeing the memory the
// generated code allocated for it.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime/Session.h"

#include "kiln/runtime/FloatMode.h"

#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

namespace kiln::rt {

namespace {
/// MLIR marks the allocation of constant globals with this address.
const uintptr_t kGlobalAllocation = 0xdeadbeef;

size_t descriptorWords(size_t rank) { return 3 + 2 * rank; }

/// A descriptor for contiguous row-major data of `shape` at `address`.
std::vector<int64_t> describe(const std::vector<int64_t> &shape,
                              const void *address) {
  size_t rank = shape.size();
  std::vector<int64_t> words(descriptorWords(rank));
  auto data = reinterpret_cast<intptr_t>(address);
  words[0] = data;
  words[1] = data;
  words[2] = 0;
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    words[3 + i] = shape[i];
    words[3 + rank + i] = stride;
    stride *= shape[i];
  }
  return words;
}

/// Copies a (possibly strided) memref into a contiguous tensor; contiguous
/// trailing dimensions are copied in one block.
void copyStrided(const uint8_t *base, const int64_t *sizes,
                 const int64_t *strides, size_t rank, size_t elementSize,
                 uint8_t *&out) {
  int64_t contiguous = 1;
  bool rowMajor = true;
  for (size_t i = rank; i-- > 0 && rowMajor;) {
    rowMajor = strides[i] == contiguous || sizes[i] == 1;
    contiguous *= sizes[i];
  }
  if (rowMajor) {
    size_t bytes = static_cast<size_t>(contiguous) * elementSize;
    std::memcpy(out, base, bytes);
    out += bytes;
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i)
    copyStrided(base + i * strides[0] * int64_t(elementSize), sizes + 1,
                strides + 1, rank - 1, elementSize, out);
}

/// The first input that fixed the batch size, to name beside a second one
/// that disagrees.
struct BatchSource {
  int64_t size = -1;
  const ArgumentSpec *spec = nullptr;
  const TensorView *tensor = nullptr;
};

/// Class labels and table indices must lie in [0, bound): the code
/// indexes with them unchecked.
bool checkIndexBound(const ArgumentSpec &spec, const TensorView &tensor,
                     std::string &error) {
  if (spec.indexBound <= 0)
    return true;
  for (int64_t i = 0, n = tensor.numElements(); i < n; ++i) {
    int64_t value = tensor.dtype == DType::I32
                        ? int64_t(tensor.as<int32_t>()[i])
                        : tensor.dtype == DType::I64 ? tensor.as<int64_t>()[i]
                                                     : 0;
    if (value < 0 || value >= spec.indexBound) {
      error = "input '" + spec.name + "' has value " +
              std::to_string(value) + " at element " + std::to_string(i) +
              "; it must lie in [0, " + std::to_string(spec.indexBound) +
              ") (the model indexes " + std::to_string(spec.indexBound) +
              " classes or table rows with it)";
      return false;
    }
  }
  return true;
}

bool checkInput(const ArgumentSpec &spec, const TensorView &tensor,
                BatchSource &batch, std::string &error) {
  if (tensor.dtype != spec.type.dtype) {
    error = "input '" + spec.name + "' must be " +
            dtypeName(spec.type.dtype) + ", got " + dtypeName(tensor.dtype);
    return false;
  }
  bool matches = tensor.shape.size() == spec.type.shape.size();
  for (size_t i = 0; matches && i < tensor.shape.size(); ++i) {
    int64_t want = spec.type.shape[i];
    if (want >= 0) {
      matches = tensor.shape[i] == want;
    } else if (batch.size < 0) {
      batch = {tensor.shape[i], &spec, &tensor};
    } else if (batch.size != tensor.shape[i]) {
      error = "inputs disagree on the batch size: '" + spec.name +
              "' has shape " + formatShape(tensor.shape) + " (batch " +
              std::to_string(tensor.shape[i]) + ") but '" + batch.spec->name +
              "' has shape " + formatShape(batch.tensor->shape) + " (batch " +
              std::to_string(batch.size) + ")";
      return false;
    }
  }
  if (!matches) {
    error = "input '" + spec.name + "' must have shape " +
            formatShape(spec.type.shape) + ", got " +
            formatShape(tensor.shape);
    return false;
  }
  return checkIndexBound(spec, tensor, error);
}
/// Compiled entries allocate their temporaries on every call. Keeping
/// freed memory in the heap, instead of returning large blocks to the
/// kernel, spares a page fault per page per call: done once per process,
/// at the first session, so that every embedder gets it (KILN_KEEP_HEAP=0
/// leaves glibc's defaults).
void keepHeapMemory() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char *setting = std::getenv("KILN_KEEP_HEAP");
    if (setting && std::strcmp(setting, "0") == 0)
      return;
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
}

/// Frees, on destruction, the memory the generated code allocated for an
/// entry's returned results: each allocation once (results may alias one),
/// not the arguments passed through. It allocates nothing itself, so it
/// also runs when memory has run out.
class FreeResultMemory {
public:
  FreeResultMemory(const int64_t *resultWords, const EntrySpec &entry,
                   const std::set<uintptr_t> &argumentMemory)
      : resultWords(resultWords), entry(entry),
        argumentMemory(argumentMemory) {}
  FreeResultMemory(const FreeResultMemory &) = delete;
  FreeResultMemory &operator=(const FreeResultMemory &) = delete;

  ~FreeResultMemory() {
    const int64_t *word = resultWords;
    for (const ResultSpec &result : entry.results) {
      if (result.role != ResultSpec::Role::Output)
        continue;
      auto allocated = static_cast<uintptr_t>(word[0]);
      if (!argumentMemory.count(allocated) && !seenBefore(word, allocated))
        std::free(reinterpret_cast<void *>(allocated));
      word += descriptorWords(result.type.shape.size());
    }
  }

private:
  /// Whether a result before the one at `end` has the allocation.
  bool seenBefore(const int64_t *end, uintptr_t allocated) const {
    const int64_t *word = resultWords;
    for (const ResultSpec &result : entry.results) {
      if (word == end)
        return false;
      if (result.role != ResultSpec::Role::Output)
        continue;
      if (static_cast<uintptr_t>(word[0]) == allocated)
        return true;
      word += descriptorWords(result.type.shape.size());
    }
    return false;
  }

  const int64_t *resultWords;
  const EntrySpec &entry;
  const std::set<uintptr_t> &argumentMemory;
};

} // namespace

Session::Session(const Module &module, uint64_t seed, unsigned threads)
    : module_(module), seed_(seed),
      pool_(std::make_unique<ThreadPool>(threads)) {
  keepHeapMemory();
  const std::vector<ParamSpec> &specs = module.params();
  params_.resize(specs.size());
  for (size_t i = 0; i < specs.size(); ++i)
    initializeParam(specs[i], seed, static_cast<uint32_t>(i), params_[i]);
  for (const EntrySpec &entry : module.entries())
    for (const StateSlotSpec &slot : entry.state)
      optimizerState_[entry.name].emplace_back(slot.type.dtype,
                                               slot.type.shape);
}

bool Session::setParam(const std::string &name, const Tensor &value,
                       std::string &error) {
  const std::vector<ParamSpec> &specs = module_.params();
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name != name)
      continue;
    if (value.dtype != specs[i].type.dtype ||
        value.shape != specs[i].type.shape) {
      error = "parameter '" + name + "' is " +
              dtypeName(specs[i].type.dtype) + formatShape(specs[i].type.shape) +
              ", got " + dtypeName(value.dtype) + formatShape(value.shape);
      return false;
    }
    params_[i] = value;
    return true;
  }
  error = "the module has no parameter '" + name + "'";
  return false;
}

bool Session::run(const std::string &name,
                  const std::map<std::string, Tensor> &inputs,
                  std::vector<Tensor> &outputs, std::string &error,
                  const RunOptions &options) {
  std::map<std::string, TensorView> views;
  for (const auto &[inputName, tensor] : inputs)
    views.emplace(inputName, TensorView(tensor));
  return run(name, views, outputs, error, options);
}

bool Session::run(const std::string &name,
                  const std::map<std::string, const Tensor *> &inputs,
                  std::vector<Tensor> &outputs, std::string &error,
                  const RunOptions &options) {
  std::map<std::string, TensorView> views;
  for (const auto &[inputName, tensor] : inputs)
    views.emplace(inputName, TensorView(*tensor));
  return run(name, views, outputs, error, options);
}

/// The entry's step counter: its state slot without a parameter.
static Tensor *stepCounter(std::vector<Tensor> &state,
                           const EntrySpec &entry) {
  for (size_t i = 0; i < entry.state.size() && i < state.size(); ++i)
    if (entry.state[i].paramIndex < 0 &&
        entry.state[i].type.dtype == DType::I64 && state[i].numElements() == 1)
      return &state[i];
  return nullptr;
}

int64_t Session::stepCount(const std::string &name) const {
  const EntrySpec *entry = module_.findEntry(name);
  auto state = optimizerState_.find(name);
  if (!entry || state == optimizerState_.end())
    return 0;
  Tensor *counter = stepCounter(const_cast<std::vector<Tensor> &>(state->second),
                                *entry);
  return counter ? counter->data<int64_t>()[0] : 0;
}

bool Session::run(const std::string &name,
                  const std::map<std::string, TensorView> &inputs,
                  std::vector<Tensor> &outputs, std::string &error,
                  const RunOptions &options) {
  const EntrySpec *entry = module_.findEntry(name);
  if (!entry) {
    error = "the module has no entry '" + name + "'";
    return false;
  }
  for (const auto &[inputName, tensor] : inputs) {
    bool known = false;
    for (const ArgumentSpec &argument : entry->arguments)
      known |= argument.role == ArgumentSpec::Role::Input &&
               argument.name == inputName;
    if (!known) {
      error = "entry '" + name + "' has no input '" + inputName + "'; its " +
              "inputs are";
      const char *separator = " ";
      for (const ArgumentSpec &argument : entry->arguments)
        if (argument.role == ArgumentSpec::Role::Input) {
          error += separator + ("'" + argument.name + "' (") +
                   dtypeName(argument.type.dtype) +
                   formatShape(argument.type.shape) + ")";
          separator = ", ";
        }
      return false;
    }
  }

  std::vector<Tensor> noState;
  auto stateOf = optimizerState_.find(name);
  std::vector<Tensor> &state =
      stateOf == optimizerState_.end() ? noState : stateOf->second;
  Tensor *counter = stepCounter(state, *entry);
  // A train entry takes step number count + 1; its random key follows it,
  // so every step draws fresh noise and dropout masks.
  int64_t trainStep = counter ? counter->data<int64_t>()[0] + 1 : 0;
  Tensor stepNumber(DType::I64, {});
  stepNumber.data<int64_t>()[0] = trainStep;
  Tensor learningRate(DType::F32, {});
  learningRate.data<float>()[0] = options.learningRate.value_or(
      static_cast<float>(entry->learningRate));
  Tensor key(DType::I64, {2});
  key.data<int64_t>()[0] = static_cast<int64_t>(seed_);
  key.data<int64_t>()[1] =
      counter ? trainStep : static_cast<int64_t>(options.step);

  BatchSource batch;
  std::vector<std::vector<int64_t>> descriptors;
  std::set<uintptr_t> argumentMemory = {kGlobalAllocation};
  for (const ArgumentSpec &argument : entry->arguments) {
    const Tensor *tensor = nullptr;
    switch (argument.role) {
    case ArgumentSpec::Role::Input: {
      auto it = inputs.find(argument.name);
      if (it == inputs.end()) {
        error = "entry '" + name + "' needs input '" + argument.name + "'";
        return false;
      }
      const TensorView &view = it->second;
      if (!checkInput(argument, view, batch, error))
        return false;
      descriptors.push_back(describe(view.shape, view.data));
      argumentMemory.insert(reinterpret_cast<uintptr_t>(view.data));
      continue;
    }
    case ArgumentSpec::Role::Param:
      tensor = &params_[argument.paramIndex];
      break;
    case ArgumentSpec::Role::RngKey:
      tensor = &key;
      break;
    case ArgumentSpec::Role::State:
      tensor = &state[argument.stateIndex];
      break;
    case ArgumentSpec::Role::LearningRate:
      tensor = &learningRate;
      break;
    case ArgumentSpec::Role::Step:
      tensor = &stepNumber;
      break;
    }
    descriptors.push_back(describe(tensor->shape, tensor->bytes.data()));
    argumentMemory.insert(reinterpret_cast<uintptr_t>(tensor->bytes.data()));
  }

  // Updated parameters and optimizer state are written into their
  // arguments; only outputs come back as descriptors.
  auto isReturned = [](const ResultSpec &result) {
    return result.role == ResultSpec::Role::Output;
  };
  size_t resultWords = 0;
  for (const ResultSpec &result : entry->results)
    if (isReturned(result))
      resultWords += descriptorWords(result.type.shape.size());
  std::vector<int64_t> resultBuffer(resultWords, 0);
  std::vector<void *> args;
  args.push_back(resultBuffer.data());
  for (std::vector<int64_t> &descriptor : descriptors)
    args.push_back(descriptor.data());

  // What the generated code allocates for the results is freed on every
  // way out, a failed copy (out of memory) included, after every result is
  // copied out: results may alias one allocation (an output and a reshape
  // of it). The descriptors are zeros until the call fills them.
  FreeResultMemory freeResults{resultBuffer.data(), *entry, argumentMemory};
  {
    ScopedPool scope(pool_.get());
    ScopedProfile profiling(options.profile);
    ScopedFlushSubnormals mode;
    auto start = std::chrono::steady_clock::now();
    entry->function(args.data());
    if (options.profile)
      options.profile->recordRun(std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());
  }

  outputs.clear();
  const int64_t *word = resultBuffer.data();
  for (const ResultSpec &result : entry->results) {
    if (!isReturned(result))
      continue;
    size_t rank = result.type.shape.size();
    auto aligned = reinterpret_cast<const uint8_t *>(word[1]);
    size_t elementSize = dtypeSize(result.type.dtype);
    Tensor tensor(result.type.dtype,
                  std::vector<int64_t>(word + 3, word + 3 + rank));
    uint8_t *out = tensor.bytes.data();
    copyStrided(aligned + word[2] * int64_t(elementSize), word + 3,
                word + 3 + rank, rank, elementSize, out);
    outputs.push_back(std::move(tensor));
    word += descriptorWords(rank);
  }
  if (counter)
    counter->data<int64_t>()[0] = trainStep;
  return true;
}

} // namespace kiln::rt
