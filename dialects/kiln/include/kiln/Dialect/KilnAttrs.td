//===- KilnAttrs.td - Enums and attributes of the kiln dialect -*- tablegen -*-===//
//
// Enumerations used as op properties (comparison predicates, loss
// reductions, ...) and the attributes that describe a model's structure
// (parameter initializers, entry kinds, optimizers).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNATTRS_TD
#define KILN_DIALECT_KILNATTRS_TD

include "kiln/Dialect/KilnBase.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Kiln_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "elementwise comparison predicate", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::kiln";
}
// Printed bare inside kiln.compare: `kiln.compare lt, %a, %b`.
defvar Kiln_ComparePredicateAttr = Kiln_ComparePredicate;

def Kiln_Reduction : I32EnumAttr<"Reduction", "how a loss combines elements", [
      I32EnumAttrCase<"mean", 0>, I32EnumAttrCase<"sum", 1>,
      I32EnumAttrCase<"none", 2>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_ReductionAttr : EnumAttr<Kiln_Dialect, Kiln_Reduction, "reduction"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "which GELU formula to use", [
      I32EnumAttrCase<"exact", 0>, I32EnumAttrCase<"tanh", 1>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_GeluApproximationAttr
    : EnumAttr<Kiln_Dialect, Kiln_GeluApproximation, "gelu"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_InitKind : I32EnumAttr<"InitKind", "parameter initializer", [
      I32EnumAttrCase<"zeros", 0>, I32EnumAttrCase<"ones", 1>,
      I32EnumAttrCase<"constant", 2>, I32EnumAttrCase<"normal", 3>,
      I32EnumAttrCase<"uniform", 4>, I32EnumAttrCase<"glorot_uniform", 5>,
      I32EnumAttrCase<"glorot_normal", 6>, I32EnumAttrCase<"he_uniform", 7>,
      I32EnumAttrCase<"he_normal", 8>, I32EnumAttrCase<"data", 9>]> {
  let cppNamespace = "::kiln";
}
// Printed bare inside kiln.param: `kiln.param @w : tensor<4xf32> = zeros`.
defvar Kiln_InitKindAttr = Kiln_InitKind;

def Kiln_EntryKind : I32EnumAttr<"EntryKind", "what an entry function does", [
      I32EnumAttrCase<"infer", 0>, I32EnumAttrCase<"train", 1>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_EntryKindAttr : EnumAttr<Kiln_Dialect, Kiln_EntryKind, "entry"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_OptimizerKind : I32EnumAttr<"OptimizerKind", "optimizer algorithm", [
      I32EnumAttrCase<"sgd", 0>, I32EnumAttrCase<"adam", 1>,
      I32EnumAttrCase<"adamw", 2>, I32EnumAttrCase<"rmsprop", 3>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

def Kiln_NoiseKind : I32EnumAttr<"NoiseKind", "distribution of a noise input", [
      I32EnumAttrCase<"normal", 0>, I32EnumAttrCase<"uniform", 1>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Kiln_OptimizerAttr : AttrDef<Kiln_Dialect, "Optimizer"> {
  let mnemonic = "optimizer";
  let summary = "an optimizer and its hyperparameters";
  let description = [{
    Names the update rule of a train entry and its hyperparameters, for
    example `#kiln.optimizer<adam, {lr = 2.0e-4 : f64, beta1 = 0.5 : f64}>`.
    Every optimizer accepts `lr`, `weight_decay` and `clip_norm` (clip the
    gradients' global L2 norm); besides those, `sgd` accepts `momentum` and
    `nesterov` (a bool), `adam` and `adamw` accept `beta1`, `beta2`, `eps`,
    and `rmsprop` accepts `alpha`, `eps` and `momentum`. Numbers are `f64`;
    missing ones take PyTorch's defaults. The learning rate given here is the
    default; the runtime may schedule it.
  }];
  let parameters = (ins EnumParameter<Kiln_OptimizerKind>:$kind,
                        "::mlir::DictionaryAttr":$hyperparameters);
  let assemblyFormat = "`<` $kind `,` $hyperparameters `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The hyperparameter `name`, or PyTorch's default for this optimizer.
    double getHyperparameter(::llvm::StringRef name) const;
    bool isNesterov() const;
    /// The state the optimizer keeps per parameter, by PyTorch's names
    /// ("exp_avg", "exp_avg_sq", "momentum_buffer", "square_avg").
    ::llvm::SmallVector<::llvm::StringRef> getStateSlots() const;
  }];
}

def Kiln_NoiseAttr : AttrDef<Kiln_Dialect, "Noise"> {
  let mnemonic = "noise";
  let summary = "the distribution a noise input is drawn from";
  let description = [{
    Marks an entry's input argument as noise that whoever feeds the entry
    from data draws afresh for every batch, as a GAN generator's or a VAE's
    sampling input: `#kiln.noise<normal, {mean = 0.0 : f64, std = 1.0 : f64}>`
    (defaults 0 and 1) or `#kiln.noise<uniform, {low = -1.0 : f64}>`
    (defaults 0 and 1). Numbers are `f64`. The caller may still pass the
    input itself, to generate from chosen points.
  }];
  let parameters = (ins EnumParameter<Kiln_NoiseKind>:$kind,
                        "::mlir::DictionaryAttr":$parameters);
  let assemblyFormat = "`<` $kind `,` $parameters `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The parameter `name` ("mean", "std", "low", "high"), or its default.
    double getParameter(::llvm::StringRef name) const;
  }];
}

#endif // KILN_DIALECT_KILNATTRS_TD
