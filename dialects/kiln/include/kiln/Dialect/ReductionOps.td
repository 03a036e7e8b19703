//===- ReductionOps.td - Reductions over axes ----------------*- tablegen -*-===//
//
// Sum, mean, max, min, logsumexp and arg-reductions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_REDUCTIONOPS_TD
#define KILN_DIALECT_REDUCTIONOPS_TD

include "kiln/Dialect/KilnBase.td"

class Kiln_ReduceOp<string mnemonic, Type tensorType, string what>
    : Kiln_InferredOp<mnemonic> {
  let summary = what # " over axes";
  let description = [{
    Reduces over `axes` (negative counts from the end; empty or absent
    means every axis). Reduced dimensions are dropped, or kept with size 1
    when `keepdims` is set.
  }];
  let arguments = (ins tensorType:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::detail::inferReduction(loc, getOperationName(),
                                            adaptor.getInput(),
                                            adaptor.getAxes(),
                                            adaptor.getKeepdims(), types);
    }
  }];
}

def Kiln_SumOp : Kiln_ReduceOp<"sum", Kiln_NumericTensor, "sum">;
def Kiln_MeanOp : Kiln_ReduceOp<"mean", Kiln_FloatTensor, "mean">;
def Kiln_MaxOp : Kiln_ReduceOp<"max", Kiln_NumericTensor, "maximum">;
def Kiln_MinOp : Kiln_ReduceOp<"min", Kiln_NumericTensor, "minimum">;
def Kiln_LogSumExpOp : Kiln_ReduceOp<"logsumexp", Kiln_FloatTensor,
                                     "log of the sum of exponentials"> {
  let description = [{
    `log(sum(exp(x)))` over `axes`, computed stably (the maximum is taken
    out first). Axes and `keepdims` as for `kiln.sum`.
  }];
}

class Kiln_ArgReduceOp<string mnemonic, string what>
    : Kiln_InferredOp<mnemonic> {
  let summary = "index of the " # what # " along an axis";
  let description = [{
    The `i64` index of the first }] # what # [{ element along `axis`; the
    axis is dropped, or kept with size 1 when `keepdims` is set.
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::detail::inferArgReduction(loc, getOperationName(),
                                               adaptor.getInput(),
                                               adaptor.getAxis(),
                                               adaptor.getKeepdims(), types);
    }
  }];
}

def Kiln_ArgmaxOp : Kiln_ArgReduceOp<"argmax", "largest">;
def Kiln_ArgminOp : Kiln_ArgReduceOp<"argmin", "smallest">;

#endif // KILN_DIALECT_REDUCTIONOPS_TD
