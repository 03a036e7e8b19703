//===- NormOps.td - Normalisation and regularisation ---------*- tablegen -*-===//
//
// Batch and layer normalisation, and dropout.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_NORMOPS_TD
#define KILN_DIALECT_NORMOPS_TD

include "kiln/Dialect/KilnBase.td"

def Kiln_BatchNormOp : Kiln_InferredOp<"batch_norm"> {
  let summary = "batch normalisation over channel dimension 1";
  let description = [{
    `input` is `[N, C]` or `[N, C, H, W]`; `scale`, `offset`, `running_mean`
    and `running_var` are `[C]`.

    With `training` set, the op normalises with the batch statistics and
    returns the running statistics updated as PyTorch does:
    `new = (1 - momentum) * running + momentum * batch` (the variance with
    Bessel's correction). Without it, the op normalises with the running
    statistics and returns them unchanged. Both forms return
    `(output, new_running_mean, new_running_var)`, so the running statistics
    flow as values and can be updated in place.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                   Kiln_FloatTensor:$offset, Kiln_FloatTensor:$running_mean,
                   Kiln_FloatTensor:$running_var,
                   DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
                   DefaultValuedAttr<F64Attr, "0.1">:$momentum,
                   UnitAttr:$training);
  let results = (outs Kiln_FloatTensor:$output,
                 Kiln_FloatTensor:$new_running_mean,
                 Kiln_FloatTensor:$new_running_var);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_LayerNormOp : Kiln_InferredOp<"layer_norm"> {
  let summary = "layer normalisation over the trailing dimensions";
  let description = [{
    Normalises over dimensions `axis` to the last (negative counts from the
    end), then applies `scale` and `offset`, whose shape is that of the
    normalised dimensions (PyTorch's `normalized_shape`).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                   Kiln_FloatTensor:$offset,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_DropoutOp : Kiln_InferredOp<"dropout"> {
  let summary = "inverted dropout with a counter-based mask";
  let description = [{
    Zeroes each element with probability `rate` and scales the others by
    `1 / (1 - rate)`. The mask is a pure function of the key (seed, step),
    `stream` and the element index, so the backward pass recomputes the same
    mask. Infer entries contain no dropout: the frontend leaves it out there.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_RngKey:$key, F64Attr:$rate,
                   I64Attr:$stream);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_NORMOPS_TD
