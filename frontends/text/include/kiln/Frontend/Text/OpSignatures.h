//===- OpSignatures.h - How the language's calls map to kiln ops -*- C++ -*-===//
//
// Each built-in function of the model language is described by a table
// entry: the kiln op it becomes, its tensor operands in positional order,
// and its keyword attributes with their kinds. The emitter binds a call's
// arguments against the entry, converts attribute values, and builds the op
// generically; the op's own type inference then checks the shapes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_OPSIGNATURES_H
#define KILN_FRONTEND_TEXT_OPSIGNATURES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kiln::text {

enum class AttrKind {
  Int,       ///< an integer
  Float,     ///< any number, stored as f64
  Bool,      ///< true or false, stored as a BoolAttr
  Unit,      ///< true or false, stored as a present or absent UnitAttr
  IntList,   ///< a list of integers, or one integer for a one-element list
  IntPair,   ///< [h, w], or one integer for both
  DType,     ///< an element type: f32, f64, i32, i64, i1
  Reduction, ///< mean, sum or none
  Gelu,      ///< exact or tanh
};

struct AttrSpec {
  llvm::StringRef name;
  AttrKind kind;
  bool required = false;
  /// The op's attribute name, when it differs from the language's.
  llvm::StringRef opAttrName = "";
};

/// What the emitter adds beyond binding arguments.
enum class OpSpecial {
  None,
  Random,    ///< takes the entry's random key and a fresh stream number
  Dropout,   ///< Random in training, the identity for inference
  BatchNorm, ///< training form and running-statistic updates in training
  Lstm,      ///< needs operand segment sizes for its optional states
};

struct OpSignature {
  llvm::StringRef name;
  /// The kiln op; empty in the table for "kiln." + name.
  std::string opName;
  /// Tensor operands in positional order; a trailing '?' marks an optional
  /// one. A single operand ending in "..." takes all positional tensors.
  std::vector<llvm::StringRef> operands;
  std::vector<AttrSpec> attrs;
  /// Results a binding can name (batch_norm's statistic updates are
  /// handled by the emitter and not counted).
  unsigned numResults = 1;
  OpSpecial special = OpSpecial::None;
};

/// The signature of built-in `name`, or null.
const OpSignature *lookupOpSignature(llvm::StringRef name);

/// Every built-in, for documentation and suggestions.
llvm::ArrayRef<OpSignature> getOpSignatures();

/// Writes the built-ins as a Markdown table (docs/language-builtins.md is
/// this output; a test keeps them equal).
void printBuiltinsTable(llvm::raw_ostream &os);

} // namespace kiln::text

#endif // KILN_FRONTEND_TEXT_OPSIGNATURES_H
