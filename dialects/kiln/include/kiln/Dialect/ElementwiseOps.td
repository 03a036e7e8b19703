//===- ElementwiseOps.td - Elementwise ops and activations ---*- tablegen -*-===//
//
// Unary math, activations, numpy-style broadcasting binary arithmetic,
// comparison, selection and casts.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_ELEMENTWISEOPS_TD
#define KILN_DIALECT_ELEMENTWISEOPS_TD

include "kiln/Dialect/KilnBase.td"
include "kiln/Dialect/KilnAttrs.td"

//===----------------------------------------------------------------------===//
// Unary ops: the result has the operand's type.
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, Type tensorType, string formula,
                   list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, Elementwise,
                                     SameOperandsAndResultType], traits)> {
  let summary = "elementwise " # formula;
  let description = "Computes `" # formula # "` for every element.";
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", Kiln_NumericTensor, "-x">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", Kiln_NumericTensor, "|x|">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", Kiln_FloatTensor, "e^x">;
def Kiln_LogOp : Kiln_UnaryOp<"log", Kiln_FloatTensor, "ln(x)">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", Kiln_FloatTensor, "sqrt(x)">;
def Kiln_RsqrtOp : Kiln_UnaryOp<"rsqrt", Kiln_FloatTensor, "1 / sqrt(x)">;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", Kiln_FloatTensor, "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", Kiln_FloatTensor,
                                  "1 / (1 + e^-x)">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", Kiln_FloatTensor, "tanh(x)">;
def Kiln_SoftplusOp : Kiln_UnaryOp<"softplus", Kiln_FloatTensor,
                                   "ln(1 + e^x)">;
def Kiln_ErfOp : Kiln_UnaryOp<"erf", Kiln_FloatTensor,
                              "erf(x) = 2/sqrt(pi) * integral of e^-t^2 "
                              "from 0 to x">;

def Kiln_LeakyReluOp : Kiln_UnaryOp<"leaky_relu", Kiln_FloatTensor,
                                    "x > 0 ? x : alpha * x"> {
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedAttr<F64Attr, "0.01">:$alpha);
}

def Kiln_EluOp : Kiln_UnaryOp<"elu", Kiln_FloatTensor,
                              "x > 0 ? x : alpha * (e^x - 1)"> {
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedAttr<F64Attr, "1.0">:$alpha);
}

def Kiln_GeluOp : Kiln_UnaryOp<"gelu", Kiln_FloatTensor,
                               "x * Phi(x)"> {
  let description = [{
    Gaussian error linear unit. `approximation = exact` uses the error
    function, `tanh` the tanh approximation (PyTorch's `approximate='tanh'`).
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedAttr<Kiln_GeluApproximationAttr,
                                     "GeluApproximation::exact">:$approximation);
}

def Kiln_ClampOp : Kiln_UnaryOp<"clamp", Kiln_NumericTensor,
                                "min(max(x, min), max)"> {
  let description = [{
    Limits every element to `[min, max]`; either bound may be left out. When
    both are given, `min` must not exceed `max`.
  }];
  let arguments = (ins Kiln_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                   OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
}

def Kiln_StopGradientOp : Kiln_UnaryOp<"stop_gradient", Kiln_Tensor, "x"> {
  let summary = "identity that blocks gradients";
  let description = [{
    Returns its operand unchanged; reverse-mode differentiation treats the
    result as a constant.
  }];
}

class Kiln_SoftmaxLikeOp<string mnemonic, string formula>
    : Kiln_UnaryOp<mnemonic, Kiln_FloatTensor, formula> {
  let description = [{
    Normalizes along `axis` (negative counts from the end), computed in a
    numerically stable way (the maximum is subtracted first).
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax",
                                        "e^x / sum(e^x) along axis">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax",
                                           "x - logsumexp(x) along axis">;

//===----------------------------------------------------------------------===//
// Filled tensors shaped like their operand.
//===----------------------------------------------------------------------===//

def Kiln_ZerosLikeOp : Kiln_UnaryOp<"zeros_like", Kiln_Tensor, "0"> {
  let summary = "zeros of the operand's type";
  let description = "A tensor of zeros with the operand's shape and type.";
}

def Kiln_OnesLikeOp : Kiln_UnaryOp<"ones_like", Kiln_Tensor, "1"> {
  let summary = "ones of the operand's type";
  let description = "A tensor of ones with the operand's shape and type.";
}

def Kiln_FullLikeOp : Kiln_UnaryOp<"full_like", Kiln_Tensor, "value"> {
  let summary = "a constant of the operand's type";
  let description = [{
    A tensor with the operand's shape and type, every element `value`
    (converted to the element type).
  }];
  let arguments = (ins Kiln_Tensor:$input, F64Attr:$value);
}

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

class Kiln_BroadcastBinaryOp<string mnemonic, Type tensorType, string formula>
    : Kiln_InferredOp<mnemonic> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = [{
    Both operands have the same element type; their shapes broadcast the
    numpy way (aligned from the right, a dimension of 1 stretches).
  }];
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::detail::inferElementwiseBroadcast(
          loc, getOperationName(), adaptor.getOperands(), {"lhs", "rhs"},
          /*resultElement=*/nullptr, types);
    }
  }];
}

def Kiln_AddOp : Kiln_BroadcastBinaryOp<"add", Kiln_NumericTensor, "lhs + rhs">;
def Kiln_SubOp : Kiln_BroadcastBinaryOp<"sub", Kiln_NumericTensor, "lhs - rhs">;
def Kiln_MulOp : Kiln_BroadcastBinaryOp<"mul", Kiln_NumericTensor, "lhs * rhs">;
def Kiln_DivOp : Kiln_BroadcastBinaryOp<"div", Kiln_NumericTensor, "lhs / rhs">;
def Kiln_PowOp : Kiln_BroadcastBinaryOp<"pow", Kiln_FloatTensor, "lhs ^ rhs">;
def Kiln_MinimumOp : Kiln_BroadcastBinaryOp<"minimum", Kiln_NumericTensor,
                                            "min(lhs, rhs)">;
def Kiln_MaximumOp : Kiln_BroadcastBinaryOp<"maximum", Kiln_NumericTensor,
                                            "max(lhs, rhs)">;

def Kiln_CompareOp : Kiln_InferredOp<"compare"> {
  let summary = "elementwise comparison with broadcasting";
  let description = [{
    Compares the operands with `predicate` (`eq`, `ne`, `lt`, `le`, `gt`,
    `ge`) and returns an `i1` tensor of the broadcast shape.

    ```mlir
    %m = kiln.compare gt, %x, %zero : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
    ```
  }];
  let arguments = (ins Kiln_ComparePredicateAttr:$predicate,
                   Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
}

def Kiln_SelectOp : Kiln_InferredOp<"select"> {
  let summary = "elementwise choice between two tensors";
  let description = [{
    `cond ? on_true : on_false` for every element; all three operands
    broadcast together, the two values share their element type.
  }];
  let arguments = (ins Kiln_BoolTensor:$cond, Kiln_Tensor:$on_true,
                   Kiln_Tensor:$on_false);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$cond `,` $on_true `,` $on_false attr-dict `:` "
                       "functional-type(operands, results)";
}

def Kiln_CastOp : Kiln_InferredOp<"cast"> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts every element to `to`. Float to integer truncates toward zero,
    anything to `i1` tests for non-zero, `i1` to a number gives 0 or 1.
  }];
  let arguments = (ins Kiln_Tensor:$input, TypeAttrOf<Kiln_Element>:$to);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `to` $to attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // KILN_DIALECT_ELEMENTWISEOPS_TD
