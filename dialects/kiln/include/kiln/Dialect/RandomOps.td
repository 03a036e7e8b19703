//===- RandomOps.td - Counter-based random number ops --------*- tablegen -*-===//
//
// Random tensors drawn from a counter-based generator (Philox 4x32-10): each
// value is a pure function of (seed, step, stream, element index).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_RANDOMOPS_TD
#define KILN_DIALECT_RANDOMOPS_TD

include "kiln/Dialect/KilnBase.td"

class Kiln_RandomTensorOp<string mnemonic, string distribution>
    : Kiln_InferredOp<mnemonic> {
  let summary = "tensor of " # distribution # " samples";
  let description = [{
    Draws one sample per element with the generator keyed by `key` (seed,
    step) and `stream`; distinct random ops of an entry use distinct
    streams. The shape and element type come from `like` when given (so a
    dynamic batch follows another tensor), otherwise from the static
    `shape` and `dtype` (default `f32`).

    ```mlir
    %eps = kiln.random_normal %key, %mu {stream = 0 : i64}
        : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
    ```
  }];
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      std::optional<::mlir::Type> dtype;
      if (auto dtypeAttr = adaptor.getDtypeAttr())
        dtype = dtypeAttr.getValue();
      return ::kiln::detail::inferRandomTensor(
          context, loc, getOperationName(), adaptor.getLike(), adaptor.getShape(),
          dtype, types);
    }
  }];
}

def Kiln_RandomNormalOp : Kiln_RandomTensorOp<"random_normal",
                                              "normally distributed"> {
  let arguments = (ins Kiln_RngKey:$key, Optional<Kiln_FloatTensor>:$like,
                   I64Attr:$stream, OptionalAttr<DenseI64ArrayAttr>:$shape,
                   OptionalAttr<TypeAttrOf<AnyFloat>>:$dtype,
                   DefaultValuedAttr<F64Attr, "0.0">:$mean,
                   DefaultValuedAttr<F64Attr, "1.0">:$std);
}

def Kiln_RandomUniformOp : Kiln_RandomTensorOp<"random_uniform",
                                               "uniformly distributed"> {
  let arguments = (ins Kiln_RngKey:$key, Optional<Kiln_FloatTensor>:$like,
                   I64Attr:$stream, OptionalAttr<DenseI64ArrayAttr>:$shape,
                   OptionalAttr<TypeAttrOf<AnyFloat>>:$dtype,
                   DefaultValuedAttr<F64Attr, "0.0">:$low,
                   DefaultValuedAttr<F64Attr, "1.0">:$high);
}

def Kiln_BernoulliOp : Kiln_InferredOp<"bernoulli"> {
  let summary = "0/1 samples with given probabilities";
  let description = [{
    Each result element is 1 with the probability in the matching element of
    `probs` and 0 otherwise; the result has the type of `probs`. Keyed like
    `kiln.random_normal`.
  }];
  let arguments = (ins Kiln_RngKey:$key, Kiln_FloatTensor:$probs,
                   I64Attr:$stream);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_RANDOMOPS_TD
