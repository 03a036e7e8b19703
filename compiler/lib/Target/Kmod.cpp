//===- Kmod.cpp - Writing .kmod module files ------------------------------===//

#include "kiln/Target/Kmod.h"

#include "kiln/kmod_format.h"
#include "kiln/kmod_generated.h"

#include "llvm/ADT/StringSwitch.h"

using namespace kiln;

namespace fb = kiln::kmod;

static fb::DType toFlat(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return fb::DType::F32;
  case DType::F64:
    return fb::DType::F64;
  case DType::I32:
    return fb::DType::I32;
  case DType::I64:
    return fb::DType::I64;
  case DType::I1:
    return fb::DType::I1;
  }
  return fb::DType::F32;
}

static fb::InitKind toFlatInit(llvm::StringRef init) {
  return llvm::StringSwitch<fb::InitKind>(init)
      .Case("zeros", fb::InitKind::Zeros)
      .Case("ones", fb::InitKind::Ones)
      .Case("constant", fb::InitKind::Constant)
      .Case("normal", fb::InitKind::Normal)
      .Case("uniform", fb::InitKind::Uniform)
      .Case("glorot_uniform", fb::InitKind::GlorotUniform)
      .Case("glorot_normal", fb::InitKind::GlorotNormal)
      .Case("he_uniform", fb::InitKind::HeUniform)
      .Case("data", fb::InitKind::Data)
      .Default(fb::InitKind::HeNormal);
}

static flatbuffers::Offset<fb::TensorType>
buildType(flatbuffers::FlatBufferBuilder &builder, const TensorSpec &spec) {
  return fb::CreateTensorTypeDirect(builder, toFlat(spec.dtype), &spec.shape);
}

std::vector<uint8_t> kiln::serializeKmod(const ModuleSummary &summary,
                                         const TargetDescription &target,
                                         llvm::ArrayRef<char> code) {
  flatbuffers::FlatBufferBuilder builder(1 << 16);

  std::vector<flatbuffers::Offset<fb::Param>> params;
  for (const ParamSummary &param : summary.params)
    params.push_back(fb::CreateParamDirect(
        builder, param.name.c_str(), buildType(builder, param.type),
        toFlatInit(param.init), param.value, param.mean, param.std, param.low,
        param.high, param.gain, param.group.c_str(), param.buffer,
        param.fanIn, param.fanOut, param.data.empty() ? nullptr : &param.data));

  static_assert(static_cast<int>(ArgumentSummary::Role::Step) ==
                  static_cast<int>(fb::ArgRole::Step) &&
              static_cast<int>(ResultSummary::Role::StateUpdate) ==
                  static_cast<int>(fb::ResultRole::StateUpdate),
              "summary roles and kmod.fbs roles must match");

  std::vector<flatbuffers::Offset<fb::Entry>> entries;
  for (const EntrySummary &entry : summary.entries) {
    std::vector<flatbuffers::Offset<fb::Argument>> arguments;
    for (const ArgumentSummary &argument : entry.arguments) {
      // The enums list the roles in the same order.
      auto role = static_cast<fb::ArgRole>(argument.role);
      flatbuffers::Offset<fb::Noise> noise;
      if (!argument.noise.empty())
        noise = fb::CreateNoise(builder,
                                argument.noise == "uniform"
                                    ? fb::NoiseKind::Uniform
                                    : fb::NoiseKind::Normal,
                                argument.noiseMean, argument.noiseStd,
                                argument.noiseLow, argument.noiseHigh);
      arguments.push_back(fb::CreateArgumentDirect(
          builder, role, argument.name.c_str(),
          buildType(builder, argument.type), argument.paramIndex,
          argument.stateIndex, argument.indexBound, noise));
    }
    std::vector<flatbuffers::Offset<fb::Result>> results;
    for (const ResultSummary &result : entry.results)
      results.push_back(fb::CreateResultDirect(
          builder, static_cast<fb::ResultRole>(result.role),
          result.name.c_str(), buildType(builder, result.type),
          result.paramIndex, result.stateIndex));
    std::vector<flatbuffers::Offset<fb::StateSlot>> state;
    for (const StateSlotSummary &slot : entry.state)
      state.push_back(fb::CreateStateSlotDirect(builder, slot.name.c_str(),
                                                slot.paramIndex,
                                                buildType(builder, slot.type)));
    std::string symbol = entrySymbol(entry.name);
    entries.push_back(fb::CreateEntryDirect(
        builder, entry.name.c_str(),
        entry.isTrain ? fb::EntryKind::Train : fb::EntryKind::Infer,
        symbol.c_str(), &arguments, &results, entry.optimizer.c_str(),
        entry.group.c_str(), &state, entry.learningRate,
        entry.lossOf.c_str()));
  }

  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  for (const std::string &feature : target.features)
    features.push_back(builder.CreateString(feature));
  std::vector<flatbuffers::Offset<fb::Layer>> layers;
  for (const LayerSummary &layer : summary.layers) {
    std::vector<flatbuffers::Offset<fb::TensorType>> shapes;
    for (const TensorSpec &shape : layer.shapes)
      shapes.push_back(buildType(builder, shape));
    layers.push_back(fb::CreateLayerDirect(
        builder, layer.entry.c_str(), layer.binding.c_str(), layer.op.c_str(),
        layer.line, layer.column, &shapes, layer.params, layer.flops));
  }
  std::vector<uint8_t> codeBytes(code.begin(), code.end());
  auto module = fb::CreateModuleDirect(
      builder, summary.name.c_str(), "kilnc " KILN_VERSION,
      target.triple.c_str(), target.cpu.c_str(), &features, &entries, &params,
      &codeBytes, &layers);
  fb::FinishModuleBuffer(builder, module);

  const uint8_t *payload = builder.GetBufferPointer();
  size_t size = builder.GetSize();
  kmod::Header header = kmod::makeHeader(payload, size);
  std::vector<uint8_t> file(kmod::kHeaderSize + size);
  std::memcpy(file.data(), &header, kmod::kHeaderSize);
  std::memcpy(file.data() + kmod::kHeaderSize, payload, size);
  return file;
}
