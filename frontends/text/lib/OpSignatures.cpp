//===- OpSignatures.cpp - How the language's calls map to kiln ops --------===//

#include "kiln/Frontend/Text/OpSignatures.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace kiln::text;

namespace {
using K = AttrKind;

std::vector<OpSignature> buildSignatures() {
  std::vector<OpSignature> table;
  auto add = [&](OpSignature signature) { table.push_back(signature); };
  // Unary math and activations.
  for (llvm::StringRef name :
       {"neg", "abs", "exp", "log", "sqrt", "rsqrt", "relu", "sigmoid",
        "tanh", "softplus", "erf", "stop_gradient", "zeros_like", "ones_like"})
    add({name, "", {"input"}, {}});
  add({"leaky_relu", "", {"input"}, {{"alpha", K::Float}}});
  add({"elu", "", {"input"}, {{"alpha", K::Float}}});
  add({"gelu", "", {"input"}, {{"approximation", K::Gelu}}});
  add({"clamp", "", {"input"}, {{"min", K::Float}, {"max", K::Float}}});
  add({"softmax", "", {"input"}, {{"axis", K::Int}}});
  add({"log_softmax", "", {"input"}, {{"axis", K::Int}}});
  add({"full_like", "", {"input"}, {{"value", K::Float, true}}});

  // Broadcasting binary ops, selection, casts.
  for (llvm::StringRef name :
       {"add", "sub", "mul", "div", "pow", "minimum", "maximum"})
    add({name, "", {"lhs", "rhs"}, {}});
  add({"where", "kiln.select", {"cond", "on_true", "on_false"}, {}});
  add({"cast", "", {"input"}, {{"dtype", K::DType, true, "to"}}});

  // Shape and data movement.
  add({"reshape", "", {"input"}, {{"shape", K::IntList, true}}});
  add({"flatten", "", {"input"},
       {{"start_dim", K::Int}, {"end_dim", K::Int}}});
  add({"transpose", "", {"input"}, {{"perm", K::IntList, true}}});
  add({"broadcast_to", "", {"input"}, {{"shape", K::IntList, true}}});
  add({"concat", "", {"inputs..."}, {{"axis", K::Int, true}}});
  add({"slice", "", {"input"},
       {{"axes", K::IntList, true},
        {"starts", K::IntList, true},
        {"ends", K::IntList, true},
        {"steps", K::IntList}}});
  add({"pad", "", {"input"},
       {{"low", K::IntList, true},
        {"high", K::IntList, true},
        {"value", K::Float}}});
  add({"gather", "", {"table", "indices"}, {{"axis", K::Int}}});
  add({"one_hot", "", {"indices"},
       {{"depth", K::Int, true}, {"dtype", K::DType}}});
  add({"full", "", {}, {{"shape", K::IntList, true},
                        {"value", K::Float, true},
                        {"dtype", K::DType}}});

  // Matrix products.
  add({"matmul", "", {"lhs", "rhs"},
       {{"transpose_a", K::Bool, false, "transpose_lhs"},
        {"transpose_b", K::Bool, false, "transpose_rhs"}}});
  add({"dense", "", {"input", "weight", "bias?"}, {}});

  // Reductions.
  for (llvm::StringRef name : {"sum", "mean", "max", "min", "logsumexp"})
    add({name, "", {"input"}, {{"axes", K::IntList}, {"keepdims", K::Bool}}});
  for (llvm::StringRef name : {"argmax", "argmin"})
    add({name, "", {"input"}, {{"axis", K::Int}, {"keepdims", K::Bool}}});

  // Convolution family.
  add({"conv2d", "", {"input", "weight", "bias?"},
       {{"stride", K::IntPair},
        {"padding", K::IntPair},
        {"dilation", K::IntPair},
        {"groups", K::Int}}});
  add({"conv_transpose2d", "", {"input", "weight", "bias?"},
       {{"stride", K::IntPair},
        {"padding", K::IntPair},
        {"output_padding", K::IntPair},
        {"dilation", K::IntPair},
        {"groups", K::Int}}});
  add({"max_pool2d", "", {"input"},
       {{"kernel", K::IntPair, true},
        {"stride", K::IntPair},
        {"padding", K::IntPair},
        {"dilation", K::IntPair}}});
  add({"avg_pool2d", "", {"input"},
       {{"kernel", K::IntPair, true},
        {"stride", K::IntPair},
        {"padding", K::IntPair},
        {"count_include_pad", K::Bool}}});
  add({"global_avg_pool2d", "", {"input"}, {}});
  add({"upsample_nearest2d", "", {"input"}, {{"scale", K::IntPair, true}}});

  // Normalisation and regularisation.
  add({"batch_norm", "", {"input", "scale", "offset", "running_mean",
                          "running_var"},
       {{"epsilon", K::Float}, {"momentum", K::Float}}, 1,
       OpSpecial::BatchNorm});
  add({"layer_norm", "", {"input", "scale", "offset"},
       {{"axis", K::Int}, {"epsilon", K::Float}}});
  add({"dropout", "", {"input"}, {{"rate", K::Float, true}}, 1,
       OpSpecial::Dropout});

  // Random tensors.
  add({"random_normal", "", {"like?"},
       {{"shape", K::IntList}, {"dtype", K::DType}, {"mean", K::Float},
        {"std", K::Float}},
       1, OpSpecial::Random});
  add({"random_uniform", "", {"like?"},
       {{"shape", K::IntList}, {"dtype", K::DType}, {"low", K::Float},
        {"high", K::Float}},
       1, OpSpecial::Random});
  add({"bernoulli", "", {"probs"}, {}, 1, OpSpecial::Random});

  // Recurrent layers.
  add({"rnn", "", {"input", "w_ih", "w_hh", "b_ih", "b_hh", "h0?"},
       {{"bidirectional", K::Unit}}, 2});
  add({"gru", "", {"input", "w_ih", "w_hh", "b_ih", "b_hh", "h0?"},
       {{"bidirectional", K::Unit}}, 2});
  add({"lstm", "", {"input", "w_ih", "w_hh", "b_ih", "b_hh", "h0?", "c0?"},
       {{"bidirectional", K::Unit}}, 3, OpSpecial::Lstm});

  // Losses.
  for (llvm::StringRef name : {"mse", "l1", "bce", "bce_with_logits"})
    add({name, "", {"input", "target"}, {{"reduction", K::Reduction}}});
  for (llvm::StringRef name : {"softmax_cross_entropy", "nll"})
    add({name, "", {"input", "labels"}, {{"reduction", K::Reduction}}});
  add({"hinge", "", {"input", "labels"},
       {{"reduction", K::Reduction}, {"margin", K::Float}}});

  // Ops named like their language function are "kiln." + name.
  for (OpSignature &signature : table)
    if (signature.opName.empty())
      signature.opName = "kiln." + signature.name.str();
  return table;
}

const std::vector<OpSignature> &signatures() {
  static const std::vector<OpSignature> table = buildSignatures();
  return table;
}
} // namespace

const OpSignature *kiln::text::lookupOpSignature(llvm::StringRef name) {
  static const llvm::StringMap<const OpSignature *> index = [] {
    llvm::StringMap<const OpSignature *> map;
    for (const OpSignature &signature : signatures())
      map[signature.name] = &signature;
    return map;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

llvm::ArrayRef<OpSignature> kiln::text::getOpSignatures() {
  return signatures();
}

static llvm::StringRef describeKind(AttrKind kind) {
  switch (kind) {
  case AttrKind::Int:
    return "integer";
  case AttrKind::Float:
    return "number";
  case AttrKind::Bool:
  case AttrKind::Unit:
    return "true/false";
  case AttrKind::IntList:
    return "integer list";
  case AttrKind::IntPair:
    return "[h, w] or one integer";
  case AttrKind::DType:
    return "element type";
  case AttrKind::Reduction:
    return "mean/sum/none";
  case AttrKind::Gelu:
    return "exact/tanh";
  }
  return "";
}

void kiln::text::printBuiltinsTable(llvm::raw_ostream &os) {
  os << "<!-- Generated by `kilnc --print-builtins`; do not edit. -->\n\n"
     << "| function | tensor arguments | options | results | kiln op |\n"
     << "|---|---|---|---|---|\n";
  for (const OpSignature &signature : signatures()) {
    os << "| `" << signature.name << "` | ";
    llvm::ListSeparator operands(", ");
    for (llvm::StringRef operand : signature.operands) {
      bool optional = operand.consume_back("?");
      os << operands << "`" << operand << "`" << (optional ? " (optional)" : "");
    }
    if (signature.special == OpSpecial::Random ||
        signature.special == OpSpecial::Dropout)
      os << (signature.operands.empty() ? "" : ", ") << "(random key)";
    os << " | ";
    llvm::ListSeparator attrs(", ");
    for (const AttrSpec &attr : signature.attrs)
      os << attrs << "`" << attr.name << "`: " << describeKind(attr.kind)
         << (attr.required ? " (required)" : "");
    os << " | " << signature.numResults << " | `" << signature.opName
       << "` |\n";
  }
}
