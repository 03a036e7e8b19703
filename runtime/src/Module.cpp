//===- Module.cpp - A loaded .kmod module ---------------------------------===//

#include "kiln/runtime/Module.h"

#include "kiln/kmod_format.h"
#include "kiln/kmod_generated.h"
#include "kiln/runtime/CodeAbi.h"
#include "ShapeVector.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string_view>
#include <fstream>

namespace kiln::rt {

namespace fb = kiln::kmod;

namespace {
/// Module code resolves the runtime's entry points (CodeAbi.h) from the
/// global symbol scope; an application that loaded this library with
/// RTLD_LOCAL (Python's ctypes does) would leave them unresolved, so the
/// library promotes itself to global scope, once.
void exposeCodeAbi() {
  static const bool exposed = [] {
    Dl_info self;
    return dladdr(reinterpret_cast<void *>(&kiln_rt_parallel_for), &self) &&
           self.dli_fname &&
           dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  }();
  (void)exposed;
}

/// A shape the runtime can allocate: static, and at most 2^40 elements
/// (so no product overflows).
bool isStorableShape(const std::vector<int64_t> &shape) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim > 0 && elements > (int64_t(1) << 40) / dim))
      return false;
    elements *= dim;
  }
  return true;
}

TensorSpec readType(const fb::TensorType *type) {
  TensorSpec spec;
  if (!type)
    return spec;
  spec.dtype = static_cast<DType>(type->dtype());
  spec.shape = readShape(type->shape());
  return spec;
}

std::string str(const flatbuffers::String *s) {
  return s ? s->str() : std::string();
}

/// Loads shared-object bytes through an anonymous in-memory file: the code
/// never touches the disk and nothing needs cleaning up.
/// Loads the code from an in-memory file, which stays open in `file`: the
/// dynamic loader recognises loaded objects by path, and a closed file's
/// number (and so its /proc/self/fd path) would be reused by the next
/// module, which would then get this one's code.
void *loadLibrary(const uint8_t *code, size_t size, int &file,
                  std::string &error) {
  int fd = memfd_create("kiln-module", MFD_CLOEXEC);
  if (fd < 0) {
    error = std::string("cannot create an in-memory file: ") +
            std::strerror(errno);
    return nullptr;
  }
  size_t written = 0;
  while (written < size) {
    ssize_t n = write(fd, code + written, size - written);
    if (n <= 0) {
      error = std::string("cannot write the module's code: ") +
              std::strerror(errno);
      close(fd);
      return nullptr;
    }
    written += static_cast<size_t>(n);
  }
  exposeCodeAbi();
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    error = std::string("cannot load the module's code: ") + dlerror();
    close(fd);
    return nullptr;
  }
  file = fd;
  return library;
}
bool sameType(const TensorSpec &a, const TensorSpec &b) {
  return a.dtype == b.dtype && a.shape == b.shape;
}

/// An argument's role must be one the runtime knows and name an existing
/// parameter or state slot of the same type: the runtime passes that
/// tensor's memory to the code.
bool checkArgument(const EntrySpec &entry, const ArgumentSpec &argument,
                   const std::vector<ParamSpec> &params, std::string &error) {
  auto fail = [&](const std::string &what) {
    error = "the module is malformed: argument '" + argument.name +
            "' of entry '" + entry.name + "' " + what;
    return false;
  };
  using Role = ArgumentSpec::Role;
  if (argument.noise) {
    const NoiseSpec &noise = *argument.noise;
    bool isFloat = argument.type.dtype == DType::F32 ||
                   argument.type.dtype == DType::F64;
    if (argument.role != Role::Input || !isFloat)
      return fail("is noise but not a float input");
    bool valid = noise.kind == NoiseSpec::Kind::Normal
                     ? std::isfinite(noise.mean) && std::isfinite(noise.std) &&
                           noise.std > 0
                     : std::isfinite(noise.low) && std::isfinite(noise.high) &&
                           noise.low < noise.high;
    if (!valid)
      return fail("has an invalid noise distribution");
  }
  switch (argument.role) {
  case Role::Input:
    return true;
  case Role::Param:
    if (argument.paramIndex < 0 ||
        argument.paramIndex >= static_cast<int>(params.size()))
      return fail("refers to parameter " + std::to_string(argument.paramIndex) +
                  ", which does not exist");
    if (!sameType(argument.type, params[argument.paramIndex].type))
      return fail("does not have its parameter's type");
    return true;
  case Role::State:
    if (argument.stateIndex < 0 ||
        argument.stateIndex >= static_cast<int>(entry.state.size()))
      return fail("refers to state slot " +
                  std::to_string(argument.stateIndex) +
                  ", which does not exist");
    if (!sameType(argument.type, entry.state[argument.stateIndex].type))
      return fail("does not have its state slot's type");
    return true;
  case Role::RngKey:
    if (!sameType(argument.type, TensorSpec{DType::I64, {2}}))
      return fail("is a random key but not i64[2]");
    return true;
  case Role::LearningRate:
    if (!sameType(argument.type, TensorSpec{DType::F32, {}}))
      return fail("is the learning rate but not an f32 scalar");
    return true;
  case Role::Step:
    if (!sameType(argument.type, TensorSpec{DType::I64, {}}))
      return fail("is the step number but not an i64 scalar");
    return true;
  }
  return fail("has an unknown role");
}

bool checkResult(const EntrySpec &entry, const ResultSpec &result,
                 const std::vector<ParamSpec> &params, std::string &error) {
  auto fail = [&](const std::string &what) {
    error = "the module is malformed: result '" + result.name +
            "' of entry '" + entry.name + "' " + what;
    return false;
  };
  switch (result.role) {
  case ResultSpec::Role::Output:
    return true;
  case ResultSpec::Role::Update:
    if (result.paramIndex < 0 ||
        result.paramIndex >= static_cast<int>(params.size()))
      return fail("updates parameter " + std::to_string(result.paramIndex) +
                  ", which does not exist");
    if (!sameType(result.type, params[result.paramIndex].type))
      return fail("does not have its parameter's type");
    return true;
  case ResultSpec::Role::StateUpdate:
    if (result.stateIndex < 0 ||
        result.stateIndex >= static_cast<int>(entry.state.size()))
      return fail("updates state slot " + std::to_string(result.stateIndex) +
                  ", which does not exist");
    if (!sameType(result.type, entry.state[result.stateIndex].type))
      return fail("does not have its state slot's type");
    return true;
  }
  return fail("has an unknown role");
}
} // namespace

std::unique_ptr<Module> Module::loadFile(const std::string &path,
                                         std::string &error, ErrorCode *code,
                                         bool mapCode) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    error = "cannot open '" + path + "'";
    setErrorCode(code, ErrorCode::NotFound);
    return nullptr;
  }
  setErrorCode(code, ErrorCode::Corrupt);
  std::streamsize size = in.tellg();
  in.seekg(0);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char *>(bytes.data()), size)) {
    error = "cannot read '" + path + "'";
    return nullptr;
  }
  std::unique_ptr<Module> module =
      loadMemory(bytes.data(), bytes.size(), error, code, mapCode);
  if (!module)
    error = path + ": " + error;
  return module;
}

std::unique_ptr<Module> Module::loadMemory(const uint8_t *data, size_t size,
                                           std::string &error, ErrorCode *code,
                                           bool mapCode) {
  // Every failure below is of the bytes, but for the CPU check's.
  setErrorCode(code, ErrorCode::Corrupt);
  if (size < kmod::kHeaderSize ||
      std::memcmp(data, kmod::kMagic, sizeof(kmod::kMagic)) != 0) {
    error = "not a Kiln module (bad magic)";
    // A model's source is the likeliest mistake: it starts with a comment
    // or its `model` line.
    std::string_view start(reinterpret_cast<const char *>(data),
                           std::min<size_t>(size, 64));
    size_t first = start.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos &&
        (start.substr(first, 6) == "model " || start[first] == '#'))
      error += ": this looks like a .kiln model's source; compile it with "
               "kilnc first (kilnc model.kiln -o model.kmod)";
    return nullptr;
  }
  kmod::Header header;
  std::memcpy(&header, data, kmod::kHeaderSize);
  if (header.schemaVersion != kmod::kSchemaVersion) {
    error = "module format version " + std::to_string(header.schemaVersion) +
            " is not supported (this runtime reads version " +
            std::to_string(kmod::kSchemaVersion) + "); recompile the model";
    return nullptr;
  }
  const uint8_t *payload = data + kmod::kHeaderSize;
  size_t payloadSize = size - kmod::kHeaderSize;
  if (kmod::crc32(payload, payloadSize) != header.checksum) {
    error = "the module is corrupt (checksum mismatch)";
    return nullptr;
  }
  flatbuffers::Verifier verifier(payload, payloadSize);
  if (!fb::VerifyModuleBuffer(verifier)) {
    error = "the module is malformed (its FlatBuffer does not verify)";
    return nullptr;
  }
  const fb::Module *root = fb::GetModule(payload);

  std::unique_ptr<Module> module(new Module());
  module->name_ = str(root->name());
  module->producer_ = str(root->producer());
  module->targetCpu_ = str(root->target_cpu());
  if (root->cpu_features())
    for (const flatbuffers::String *feature : *root->cpu_features())
      module->cpuFeatures_.push_back(feature->str());
  std::vector<std::string> missing = missingCpuFeatures(module->cpuFeatures_);
  if (!missing.empty()) {
    error = "the module was compiled for a CPU (" + module->targetCpu_ +
            ") with features this host lacks:";
    for (const std::string &feature : missing)
      error += " " + feature;
    error += "; recompile it for this host (kilnc without --target-cpu) or "
             "for a CPU every host you run it on matches (kilnc "
             "--target-cpu=x86-64-v3 needs AVX2 only)";
    setErrorCode(code, ErrorCode::FailedPrecondition);
    return nullptr;
  }

  if (root->params())
    for (const fb::Param *param : *root->params()) {
      ParamSpec spec;
      spec.name = str(param->name());
      spec.type = readType(param->type());
      spec.init = static_cast<int>(param->init());
      spec.value = param->value();
      spec.mean = param->mean();
      spec.std = param->std();
      spec.low = param->low();
      spec.high = param->high();
      spec.gain = param->gain();
      spec.fanIn = param->fan_in();
      spec.fanOut = param->fan_out();
      spec.group = str(param->group());
      spec.buffer = param->buffer();
      if (!isStorableShape(spec.type.shape)) {
        error = "the module is malformed: parameter '" + spec.name +
                "' has shape " + formatShape(spec.type.shape) +
                " (parameters need static, reasonable sizes)";
        return nullptr;
      }
      if (param->init() < fb::InitKind::MIN ||
          param->init() > fb::InitKind::MAX) {
        error = "the module is malformed: parameter '" + spec.name +
                "' has an unknown initializer";
        return nullptr;
      }
      if (param->init() == fb::InitKind::Data) {
        size_t expected = dtypeSize(spec.type.dtype);
        for (int64_t dim : spec.type.shape)
          expected *= static_cast<size_t>(dim);
        size_t given = param->data() ? param->data()->size() : 0;
        if (given != expected) {
          error = "the module is malformed: parameter '" + spec.name +
                  "' carries " + std::to_string(given) +
                  " bytes of data for " + std::to_string(expected);
          return nullptr;
        }
        spec.data.assign(param->data()->begin(), param->data()->end());
      }
      module->params_.push_back(std::move(spec));
    }
  int paramCount = static_cast<int>(module->params_.size());

  if (!root->code() || root->code()->size() == 0) {
    error = "the module has no code";
    return nullptr;
  }
  if (mapCode) {
    module->library_ = loadLibrary(root->code()->data(), root->code()->size(),
                                   module->codeFile_, error);
    if (!module->library_)
      return nullptr;
  }

  if (root->entries())
    for (const fb::Entry *entry : *root->entries()) {
      EntrySpec spec;
      spec.name = str(entry->name());
      spec.isTrain = entry->kind() == fb::EntryKind::Train;
      spec.optimizer = str(entry->optimizer());
      spec.group = str(entry->group());
      spec.learningRate = entry->learning_rate();
      spec.lossOf = str(entry->loss_of());
      if (entry->state())
        for (const fb::StateSlot *slot : *entry->state()) {
          StateSlotSpec state;
          state.name = str(slot->name());
          state.paramIndex = slot->param_index();
          state.type = readType(slot->type());
          if (!isStorableShape(state.type.shape)) {
            error = "the module is malformed: optimizer state '" + state.name +
                    "' of entry '" + spec.name + "' has shape " +
                    formatShape(state.type.shape);
            return nullptr;
          }
          if (state.paramIndex < -1 || state.paramIndex >= paramCount) {
            error = "entry '" + spec.name + "' keeps optimizer state for "
                    "parameter " + std::to_string(state.paramIndex) +
                    ", which does not exist";
            return nullptr;
          }
          spec.state.push_back(std::move(state));
        }
      if (entry->arguments())
        for (const fb::Argument *argument : *entry->arguments()) {
          ArgumentSpec a;
          a.role = static_cast<ArgumentSpec::Role>(argument->role());
          a.name = str(argument->name());
          a.type = readType(argument->type());
          a.paramIndex = argument->param_index();
          a.stateIndex = argument->state_index();
          a.indexBound = argument->index_bound();
          if (const fb::Noise *noise = argument->noise())
            a.noise = NoiseSpec{noise->kind() == fb::NoiseKind::Uniform
                                    ? NoiseSpec::Kind::Uniform
                                    : NoiseSpec::Kind::Normal,
                                noise->mean(), noise->std(), noise->low(),
                                noise->high()};
          if (!checkArgument(spec, a, module->params_, error))
            return nullptr;
          spec.arguments.push_back(std::move(a));
        }
      if (entry->results())
        for (const fb::Result *result : *entry->results()) {
          ResultSpec r;
          r.role = static_cast<ResultSpec::Role>(result->role());
          r.name = str(result->name());
          r.type = readType(result->type());
          r.paramIndex = result->param_index();
          r.stateIndex = result->state_index();
          if (!checkResult(spec, r, module->params_, error))
            return nullptr;
          spec.results.push_back(std::move(r));
        }
      std::string symbol = str(entry->symbol());
      if (mapCode)
        spec.function = reinterpret_cast<EntryFunction>(
            dlsym(module->library_, symbol.c_str()));
      if (mapCode && !spec.function) {
        error = "the module's code lacks entry '" + symbol + "'";
        return nullptr;
      }
      module->entries_.push_back(std::move(spec));
    }
  for (const EntrySpec &entry : module->entries_) {
    if (entry.lossOf.empty())
      continue;
    const EntrySpec *train = module->findEntry(entry.lossOf);
    if (entry.isTrain || !train || !train->isTrain) {
      error = "the module is malformed: entry '" + entry.name +
              "' computes the loss of '" + entry.lossOf +
              "', which is not a train entry";
      return nullptr;
    }
  }
  if (root->layers())
    for (const fb::Layer *layer : *root->layers()) {
      LayerSpec spec;
      spec.entry = str(layer->entry());
      spec.binding = str(layer->binding());
      spec.op = str(layer->op());
      spec.line = layer->line();
      spec.column = layer->column();
      if (layer->shapes())
        for (const fb::TensorType *shape : *layer->shapes())
          spec.shapes.push_back(readType(shape));
      spec.params = layer->params();
      spec.flops = layer->flops();
      module->layers_.push_back(std::move(spec));
    }
  setErrorCode(code, ErrorCode::None);
  return module;
}

Module::~Module() {
  if (library_)
    dlclose(library_);
  if (codeFile_ >= 0)
    close(codeFile_);
}

const EntrySpec *Module::findEntry(const std::string &name) const {
  for (const EntrySpec &entry : entries_)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

const EntrySpec *Module::inferenceEntry() const {
  const EntrySpec *entry = findEntry("infer");
  return entry && !entry->isTrain && entry->lossOf.empty() ? entry : nullptr;
}

const EntrySpec *Module::lossEntryOf(const std::string &train) const {
  for (const EntrySpec &entry : entries_)
    if (!entry.lossOf.empty() && entry.lossOf == train)
      return &entry;
  return nullptr;
}

} // namespace kiln::rt
