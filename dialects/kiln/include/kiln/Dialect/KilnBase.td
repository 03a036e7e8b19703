//===- KilnBase.td - The kiln dialect and its type constraints -*- tablegen -*-===//
//
// The dialect definition, the tensor types its ops accept, and the op base
// classes every op family builds on.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNBASE_TD
#define KILN_DIALECT_KILNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Tensor-level neural-network ops for the Kiln compiler";
  let description = [{
    The `kiln` dialect describes a neural network as a pure dataflow graph over
    builtin ranked tensors of `f32`, `f64`, `i32`, `i64` and `i1`. The leading
    (batch) dimension may be dynamic everywhere.

    A model is a module that holds its parameters as `kiln.param` symbols and
    its entry points as `func.func` operations marked with `kiln.entry`. Every
    entry takes the parameters it reads as ordinary arguments (marked
    `{kiln.param = @name}`), so entries are pure functions: autodiff, fusion
    and bufferization reason about plain SSA values, and a train entry can
    return updated parameters that bufferization writes in place. Entry
    results are named outputs (`{kiln.output = "probs"}`) or new values of
    buffers (`{kiln.update = @bn.mean}`, such as batch-norm statistics).
    Roles a trainer needs are recorded too: an input drawn as noise carries
    its distribution (`{kiln.noise = #kiln.noise<normal, {}>}`), and an
    infer entry that computes a train entry's loss names it
    (`kiln.loss_of = @step`).

    Randomness is counter based: random ops take a `tensor<2xi64>` key
    (seed, step) and a per-op `stream` number, so their values depend only on
    (seed, step, stream, element index), never on threads or tiling.

    Every op infers its result type. A result may be written with a less
    static shape than inferred (a `?` where the inferred size is known); the
    `kiln-infer-shapes` pass refines such types.
  }];

  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Attribute names the dialect gives meaning to on functions and their
    /// arguments.
    static constexpr ::llvm::StringLiteral kEntryAttrName = "kiln.entry";
    static constexpr ::llvm::StringLiteral kOptimizerAttrName = "kiln.optimizer";
    static constexpr ::llvm::StringLiteral kGroupAttrName = "kiln.group";
    static constexpr ::llvm::StringLiteral kParamArgAttrName = "kiln.param";
    static constexpr ::llvm::StringLiteral kInputArgAttrName = "kiln.input";
    static constexpr ::llvm::StringLiteral kRngKeyArgAttrName = "kiln.rng_key";
    /// On an input argument: a #kiln.noise, the distribution a trainer
    /// draws the input from.
    static constexpr ::llvm::StringLiteral kNoiseArgAttrName = "kiln.noise";
    /// On an infer entry: the train entry (a symbol) whose loss it computes
    /// without training, for validation.
    static constexpr ::llvm::StringLiteral kLossOfAttrName = "kiln.loss_of";
    /// Train entries after autodiff: an optimizer state slot (its name) of
    /// the parameter named by `kiln.state_of`, the learning rate and the
    /// 1-based step number.
    static constexpr ::llvm::StringLiteral kStateArgAttrName = "kiln.state";
    static constexpr ::llvm::StringLiteral kStateOfArgAttrName = "kiln.state_of";
    static constexpr ::llvm::StringLiteral kLearningRateArgAttrName = "kiln.learning_rate";
    static constexpr ::llvm::StringLiteral kStepArgAttrName = "kiln.step";
    static constexpr ::llvm::StringLiteral kOutputResultAttrName = "kiln.output";
    static constexpr ::llvm::StringLiteral kUpdateResultAttrName = "kiln.update";
    /// The new value of the state slot in argument number `kiln.state_update`.
    static constexpr ::llvm::StringLiteral kStateUpdateResultAttrName = "kiln.state_update";
    /// After kiln-strip-model: the result is the new value of argument
    /// number `kiln.writes_argument`, to be written there rather than
    /// returned (kiln-write-updates-in-place).
    static constexpr ::llvm::StringLiteral kWritesArgumentAttrName = "kiln.writes_argument";
    /// Marks a lowered op with the code-generation schedule that suits it
    /// ("contraction", ...).
    static constexpr ::llvm::StringLiteral kScheduleAttrName = "kiln.schedule";
    /// Set by kiln-layout on a convolution (or its gradient) to be computed
    /// on its padded NCHW planes in place ("planes") rather than through
    /// image-to-column patches.
    static constexpr ::llvm::StringLiteral kLayoutAttrName = "kiln.layout";
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_Element : AnyTypeOf<[F32, F64, I1, I32, I64]>;
def Kiln_Tensor : RankedTensorOf<[F32, F64, I1, I32, I64]>;
def Kiln_FloatTensor : RankedTensorOf<[F32, F64]>;
def Kiln_NumericTensor : RankedTensorOf<[F32, F64, I32, I64]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_ScalarFloatTensor : 0DTensorOf<[F32, F64]>;

def Kiln_RngKey : Type<CPred<"::kiln::isRngKeyType($_self)">,
                       "random key (tensor<2xi64>: seed, step)",
                       "::mlir::RankedTensorType">;

//===----------------------------------------------------------------------===//
// Op base classes
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Runs the op's type inference as a verifier, before the inferred types are
// compared with the declared ones, so an inconsistent op reports the precise
// message of its inference rather than a generic "failed to infer".
def Kiln_InferenceChecked : NativeOpTrait<"InferenceChecked"> {
  let cppNamespace = "::kiln::OpTrait";
}

// An op whose result types are computed by a C++ `inferReturnTypes`, with a
// result allowed to be less static than the inferred type.
class Kiln_InferredOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure], traits,
                                    [Kiln_InferenceChecked,
                                     InferTypeOpAdaptorWithIsCompatible])> {
  // Further C++ definitions of a derived class; extraClassDefinition itself
  // carries the compatibility rule every inferred op shares.
  code extraInferredOpDefinition = "";
  let extraClassDefinition = [{
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange actual) {
      return ::kiln::areRefinableTypes(inferred, actual);
    }
  }] # extraInferredOpDefinition;
}

#endif // KILN_DIALECT_KILNBASE_TD
