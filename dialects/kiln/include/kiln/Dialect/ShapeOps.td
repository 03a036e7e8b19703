//===- ShapeOps.td - Shape and data-movement ops -------------*- tablegen -*-===//
//
// Ops that rearrange, select or create data without arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_SHAPEOPS_TD
#define KILN_DIALECT_SHAPEOPS_TD

include "kiln/Dialect/KilnBase.td"

class Kiln_ShapeOp<string mnemonic, list<Trait> traits = []>
    : Kiln_InferredOp<mnemonic, traits> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_ReshapeOp : Kiln_ShapeOp<"reshape"> {
  let summary = "reinterpret a tensor with another shape";
  let description = [{
    Row-major reshape to `shape`. One entry may be `-1`: it takes whatever
    size keeps the element count (and is dynamic when the input has a
    dynamic dimension). With a static input the element counts must match.

    ```mlir
    %f = kiln.reshape %x {shape = array<i64: -1, 3136>}
        : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_FlattenOp : Kiln_ShapeOp<"flatten"> {
  let summary = "merge a range of dimensions into one";
  let description = [{
    Merges dimensions `start_dim` to `end_dim` (inclusive; negative counts
    from the end) into one, as `torch.flatten`. The default keeps the batch
    dimension and flattens the rest.
  }];
  let arguments = (ins Kiln_Tensor:$input,
                   DefaultValuedAttr<I64Attr, "1">:$start_dim,
                   DefaultValuedAttr<I64Attr, "-1">:$end_dim);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_TransposeOp : Kiln_ShapeOp<"transpose"> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`; `perm` is a
    permutation of `[0, rank)`.
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_BroadcastToOp : Kiln_ShapeOp<"broadcast_to"> {
  let summary = "stretch a tensor to a larger shape";
  let description = [{
    Broadcasts the input to `shape` with numpy rules (aligned from the
    right; size-1 dimensions stretch; new leading dimensions are added). An
    entry of `-1` keeps the input's size there, which is how a dynamic batch
    dimension is carried through.
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_ConcatOp : Kiln_ShapeOp<"concat"> {
  let summary = "join tensors along an axis";
  let description = [{
    All inputs have the same rank and element type and agree on every
    dimension but `axis`.
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_SliceOp : Kiln_ShapeOp<"slice"> {
  let summary = "strided window of a tensor";
  let description = [{
    For each `axes[i]`, keeps the indices `starts[i], starts[i] + steps[i],
    ...` below `ends[i]` (ONNX `Slice` semantics for positive steps).
    Negative starts and ends count from the end; out-of-range values are
    clamped, so `ends = 9223372036854775807` means "to the end". `steps`
    defaults to all ones.
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes,
                   DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$ends,
                   OptionalAttr<DenseI64ArrayAttr>:$steps);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_PadOp : Kiln_ShapeOp<"pad"> {
  let summary = "pad with a constant";
  let description = [{
    Adds `low[i]` elements before and `high[i]` after dimension `i`, filled
    with `value`. Both lists have one non-negative entry per dimension.
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$low,
                   DenseI64ArrayAttr:$high,
                   DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_GatherOp : Kiln_ShapeOp<"gather"> {
  let summary = "select slices by index (embedding lookup)";
  let description = [{
    The result is `table` with dimension `axis` replaced by the shape of
    `indices`: an embedding table `[V, D]` indexed by `[N, T]` token ids at
    axis 0 gives `[N, T, D]`.
  }];
  let arguments = (ins Kiln_Tensor:$table, Kiln_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_OneHotOp : Kiln_ShapeOp<"one_hot"> {
  let summary = "one-hot encode integer labels";
  let description = [{
    Appends a dimension of size `depth`: element `[..., k]` is 1 where the
    index equals `k`, else 0. The element type is `dtype` (default `f32`).
  }];
  let arguments = (ins Kiln_IndexTensor:$indices, I64Attr:$depth,
                   OptionalAttr<TypeAttrOf<Kiln_Element>>:$dtype);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_ConstantOp : Kiln_InferredOp<"constant", [ConstantLike]> {
  let summary = "a constant tensor";
  let description = [{
    ```mlir
    %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Kiln_FullOp : Kiln_InferredOp<"full"> {
  let summary = "a tensor of one value and a static shape";
  let description = [{
    A tensor of shape `shape` and element type `dtype` (default `f32`),
    every element `value`. For shapes that follow a dynamic batch use
    `kiln.full_like`.
  }];
  let arguments = (ins DenseI64ArrayAttr:$shape, F64Attr:$value,
                   OptionalAttr<TypeAttrOf<Kiln_Element>>:$dtype);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

#endif // KILN_DIALECT_SHAPEOPS_TD
