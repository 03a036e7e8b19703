//===- LinalgOps.td - Matrix products ------------------------*- tablegen -*-===//
//
// Matrix multiplication and the fully connected layer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_LINALGOPS_TD
#define KILN_DIALECT_LINALGOPS_TD

include "kiln/Dialect/KilnBase.td"

def Kiln_MatmulOp : Kiln_InferredOp<"matmul"> {
  let summary = "batched matrix product";
  let description = [{
    Multiplies the last two dimensions of `lhs` (`[..., M, K]`, or
    `[..., K, M]` with `transpose_lhs`) and `rhs` (`[..., K, N]`, or
    `[..., N, K]` with `transpose_rhs`). Leading batch dimensions broadcast
    the numpy way. Both operands have rank 2 or more and the same element
    type.
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_DenseOp : Kiln_InferredOp<"dense"> {
  let summary = "fully connected layer: input · weightᵀ + bias";
  let description = [{
    `input` is `[..., K]`, `weight` is `[M, K]` (PyTorch's `nn.Linear`
    layout), the optional `bias` is `[M]`; the result is `[..., M]`.

    ```mlir
    %h = kiln.dense %x, %w, %b
        : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                   Optional<Kiln_FloatTensor>:$bias);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_LINALGOPS_TD
