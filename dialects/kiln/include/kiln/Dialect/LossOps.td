//===- LossOps.td - Loss functions ---------------------------*- tablegen -*-===//
//
// Losses reduce to a rank-0 tensor (reduction = mean or sum) or keep one
// value per element or sample (reduction = none).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_LOSSOPS_TD
#define KILN_DIALECT_LOSSOPS_TD

include "kiln/Dialect/KilnBase.td"
include "kiln/Dialect/KilnAttrs.td"

class Kiln_LossOp<string mnemonic> : Kiln_InferredOp<mnemonic> {
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

// Losses comparing two tensors of the same shape element by element.
class Kiln_PointwiseLossOp<string mnemonic, string what, string formula>
    : Kiln_LossOp<mnemonic> {
  let summary = what;
  let description = [{
    `}] # formula # [{` per element; `input` and `target` have the same
    shape and element type. `reduction` is `mean` (default), `sum` or `none`
    (the per-element losses).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$target,
                   DefaultValuedAttr<Kiln_ReductionAttr,
                                     "Reduction::mean">:$reduction);
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::detail::inferPointwiseLoss(
          loc, getOperationName(), adaptor.getInput(), adaptor.getTarget(),
          adaptor.getReduction(), types);
    }
  }];
}

def Kiln_MseLossOp : Kiln_PointwiseLossOp<"mse", "mean squared error",
                                          "(input - target)^2">;
def Kiln_L1LossOp : Kiln_PointwiseLossOp<"l1", "mean absolute error",
                                         "|input - target|">;
def Kiln_BceLossOp : Kiln_PointwiseLossOp<"bce", "binary cross-entropy on probabilities",
    "-(target * ln(input) + (1 - target) * ln(1 - input))">;
def Kiln_BceWithLogitsLossOp : Kiln_PointwiseLossOp<"bce_with_logits",
    "binary cross-entropy on logits",
    "max(x, 0) - x * target + ln(1 + e^-|x|)">;

// Losses over class scores [N, C] with integer labels [N].
class Kiln_ClassLossOp<string mnemonic, string what, string formula>
    : Kiln_LossOp<mnemonic> {
  let summary = what;
  let description = [{
    `input` holds class scores `[N, C]`, `labels` the class index of each
    sample `[N]` (`i32` or `i64`, in `[0, C)`). Per sample: }] # formula # [{.
    `reduction` is `mean` (default), `sum` or `none` (one loss per sample,
    `[N]`).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_IndexTensor:$labels,
                   DefaultValuedAttr<Kiln_ReductionAttr,
                                     "Reduction::mean">:$reduction);
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::detail::inferClassLoss(
          loc, getOperationName(), adaptor.getInput(), adaptor.getLabels(),
          adaptor.getReduction(), types);
    }
  }];
}

def Kiln_SoftmaxCrossEntropyLossOp : Kiln_ClassLossOp<"softmax_cross_entropy",
    "softmax cross-entropy on logits",
    "`logsumexp(input[n]) - input[n, labels[n]]`">;
def Kiln_NllLossOp : Kiln_ClassLossOp<"nll",
    "negative log-likelihood on log-probabilities",
    "`-input[n, labels[n]]`">;
def Kiln_HingeLossOp : Kiln_ClassLossOp<"hinge", "multiclass hinge loss",
    "`sum over c != y of max(0, margin - input[n, y] + input[n, c]) / C` "
    "with `y = labels[n]` (PyTorch's `MultiMarginLoss`)"> {
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_IndexTensor:$labels,
                   DefaultValuedAttr<Kiln_ReductionAttr,
                                     "Reduction::mean">:$reduction,
                   DefaultValuedAttr<F64Attr, "1.0">:$margin);
}

#endif // KILN_DIALECT_LOSSOPS_TD
